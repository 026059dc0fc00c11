// A TCP relay between clients and a broker for tests: it forwards whole MQTT packets, records them parsed,
// can drop chosen packets, and can cut every connection at once (a pulled cable).
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export type Dir = 'toBroker' | 'toClient';

export interface Seen {
  conn: number;
  dir: Dir;
  packet: Packet;
}

export class Relay {
  readonly seen: Seen[] = [];
  /** Return true to swallow a packet instead of forwarding it. */
  drop: (s: Seen) => boolean = () => false;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private nextConn = 1;

  constructor(private readonly target: { host: string; port: number }, private readonly protocolVersion: 3 | 4 | 5 = 4) {}

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((client) => this.pair(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  }

  /** Destroys every open connection, both sides, without a byte more. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  }

  of(dir: Dir, cmd: Packet['cmd']): Packet[] {
    return this.seen.filter((s) => s.dir === dir && s.packet.cmd === cmd).map((s) => s.packet);
  }

  private pair(client: Socket): void {
    const conn = this.nextConn++;
    const broker = connect(this.target);
    for (const s of [client, broker]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => broker.destroy());
    broker.on('close', () => client.destroy());
    this.pipe(conn, 'toBroker', client, broker);
    this.pipe(conn, 'toClient', broker, client);
  }

  private pipe(conn: number, dir: Dir, from: Socket, to: Socket): void {
    const parser = mqttPacket.parser({ protocolVersion: this.protocolVersion });
    let current: Buffer | undefined;
    parser.on('packet', (packet: Packet) => {
      const s = { conn, dir, packet };
      this.seen.push(s);
      if (!this.drop(s) && current !== undefined && !to.destroyed) to.write(current);
    });
    let pending = Buffer.alloc(0);
    from.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const size = frameSize(pending);
        if (size === undefined || pending.length < size) break;
        current = pending.subarray(0, size);
        pending = pending.subarray(size);
        parser.parse(current);
      }
    });
  }
}

/** Total size of the first packet in `buf`, or undefined while its remaining length is incomplete. */
function frameSize(buf: Buffer): number | undefined {
  let multiplier = 1;
  let length = 0;
  for (let i = 1; i <= 4; i++) {
    const byte = buf[i];
    if (byte === undefined) return undefined;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return 1 + i + length;
    multiplier *= 128;
  }
  throw new Error('malformed remaining length');
}
