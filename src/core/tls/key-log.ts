// The NSS key log format (one `LABEL <client_random hex> <secret hex>` per line) that Node's `keylog` event
// gives and Wireshark reads; secrets are looked up by the ClientHello's random.

export type KeyLabel =
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0';

export class KeyLog {
  private readonly secrets = new Map<string, Buffer>();
  private readonly lines: string[] = [];

  /** Adds one or more lines; returns how many were new TLS 1.3 traffic secrets. */
  add(text: string | Uint8Array): number {
    const s = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
    let added = 0;
    for (const raw of s.split('\n')) {
      const line = raw.trim();
      const m = /^([A-Z_0-9]+) ([0-9a-fA-F]{64}) ([0-9a-fA-F]+)$/.exec(line);
      if (m === null) continue;
      const key = `${m[1]} ${m[2]!.toLowerCase()}`;
      if (this.secrets.has(key)) continue;
      this.secrets.set(key, Buffer.from(m[3]!, 'hex'));
      this.lines.push(line);
      added++;
    }
    return added;
  }

  get(label: KeyLabel, clientRandom: Uint8Array): Buffer | undefined {
    return this.secrets.get(`${label} ${Buffer.from(clientRandom).toString('hex')}`);
  }

  /** The whole log as text, one line per secret, for a pcapng Decryption Secrets Block. */
  text(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }

  get size(): number {
    return this.lines.length;
  }
}
