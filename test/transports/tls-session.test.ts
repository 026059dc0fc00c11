// The observer's view of TLS, checked against Node's own TLS endpoints over an in-memory pipe: records
// cut however the bytes arrive, the clear handshake named, and every encrypted record opened with the
// keys Node logs, for each TLS 1.3 cipher suite, giving back exactly the bytes that were sent.
import { Duplex } from 'node:stream';
import { connect, createSecureContext, TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Direction } from '../../src/shared/lab.js';
import { labCertificates } from '../../src/core/tls/certificates.js';
import { KeyLog } from '../../src/core/tls/key-log.js';
import { TlsRecordStream } from '../../src/core/tls/record-stream.js';
import { TlsSession, type TlsUnit } from '../../src/core/tls/tls-session.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-tls-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const certs = labCertificates(dir);

/** Two connected duplexes that report every chunk written each way. */
function pipePair(seen: (dir: Direction, chunk: Buffer) => void): [Duplex, Duplex] {
  const a: Duplex = new Duplex({ read() {}, write(chunk: Buffer, _e, cb) { seen('toBroker', chunk); b.push(chunk); cb(); } });
  const b: Duplex = new Duplex({ read() {}, write(chunk: Buffer, _e, cb) { seen('toClient', chunk); a.push(chunk); cb(); } });
  return [a, b];
}

async function exchange(ciphers: string, messages: { toBroker: Buffer; toClient: Buffer }) {
  const keys = new KeyLog();
  const units: TlsUnit[] = [];
  const plain: Record<Direction, Buffer[]> = { toBroker: [], toClient: [] };
  const session = new TlsSession(keys, { unit: (u) => units.push(u), plaintext: (d, b) => plain[d].push(Buffer.from(b)) });
  const [clientEnd, serverEnd] = pipePair((d, c) => session.push(d, c, Date.now()));
  const server = new TLSSocket(serverEnd, { isServer: true, secureContext: createSecureContext({ cert: certs.certPem, key: certs.keyPem, ciphers, minVersion: 'TLSv1.3' }) });
  server.on('keylog', (line) => {
    keys.add(line);
    session.keysChanged();
  });
  const client = connect({ socket: clientEnd, ca: certs.caPem, servername: 'localhost', ciphers, minVersion: 'TLSv1.3' });
  await new Promise<void>((resolve, reject) => {
    client.once('secureConnect', () => resolve());
    client.once('error', reject);
  });
  const got = new Promise<void>((resolve) => {
    let n = 0;
    server.on('data', (d: Buffer) => {
      n += d.length;
      if (n >= messages.toBroker.length) resolve();
    });
  });
  client.write(messages.toBroker);
  await got;
  const back = new Promise<void>((resolve) => {
    let n = 0;
    client.on('data', (d: Buffer) => {
      n += d.length;
      if (n >= messages.toClient.length) resolve();
    });
  });
  server.write(messages.toClient);
  await back;
  client.destroy();
  server.destroy();
  return { units, plain, session };
}

describe('TlsRecordStream', () => {
  it('cuts records however the bytes are split, and stops at bytes that are not TLS', () => {
    const rec = (type: number, body: number[]) => [type, 3, 3, 0, body.length, ...body];
    const bytes = Uint8Array.from([...rec(22, [1, 0, 0, 0]), ...rec(23, [9, 9, 9])]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new TlsRecordStream();
      const evs = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut))];
      expect(evs.map((e) => (e.kind === 'record' ? [e.record.offset, e.record.contentType, e.record.length] : e.kind))).toEqual([[0, 22, 4], [9, 23, 3]]);
    }
    const s = new TlsRecordStream();
    // A plain MQTT CONNECT where TLS was expected.
    const evs = s.push(Uint8Array.from([0x10, 0x0c, 0, 4, 77, 81, 84, 84]));
    expect(evs).toEqual([{ kind: 'not-tls', offset: 0, bytes: expect.any(Uint8Array), reason: 'content type 16 is not a TLS record type (20-24)' }]);
    expect(s.notTls).toBe(true);
  });
});

describe('TlsSession against Node TLS 1.3', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`opens every record of ${suite} with the logged keys`, async () => {
      const toBroker = Buffer.concat([Buffer.from([0x10, 0x10]), Buffer.alloc(40_000, 7)]); // spans several records
      const toClient = Buffer.from([0x20, 0x02, 0x00, 0x00]);
      const { units, plain, session } = await exchange(suite, { toBroker, toClient });
      expect(session.suite?.name).toBe(suite);
      expect(session.version).toBe(0x0304);
      expect(units[0]!.handshake).toEqual(['Client Hello']);
      expect(units.find((u) => u.direction === 'toClient')!.handshake).toEqual(['Server Hello']);
      const inner = units.filter((u) => u.inner !== undefined).map((u) => u.inner!.handshake ?? []).flat();
      expect(inner).toEqual(expect.arrayContaining(['Encrypted Extensions', 'Certificate', 'Certificate Verify', 'Finished']));
      expect(units.filter((u) => u.record.contentType === 23).every((u) => u.inner !== undefined && u.sealed === undefined)).toBe(true);
      expect(Buffer.concat(plain.toBroker).equals(toBroker)).toBe(true);
      expect(Buffer.concat(plain.toClient).equals(toClient)).toBe(true);
      // The application records tile the stream: each starts where the one before ended.
      const ranges = units.filter((u) => u.direction === 'toBroker' && u.plain).map((u) => u.plain!);
      expect(ranges.length).toBeGreaterThan(2);
      ranges.forEach((r, i) => expect(r.start).toBe(i === 0 ? 0 : ranges[i - 1]!.end));
    });
  }

  it('without the keys the records stay closed and say why', async () => {
    const keys = new KeyLog();
    const { units } = await exchange('TLS_AES_128_GCM_SHA256', { toBroker: Buffer.from('x'), toClient: Buffer.from('y') });
    // Replay the same wire bytes into a session that never learns the keys.
    const blind: TlsUnit[] = [];
    const s2 = new TlsSession(keys, { unit: (u) => blind.push(u) });
    for (const u of units) s2.push(u.direction, u.record.bytes, 0);
    s2.finish();
    expect(s2.suite?.name).toBe('TLS_AES_128_GCM_SHA256');
    const app = blind.filter((u) => u.record.contentType === 23);
    expect(app.length).toBeGreaterThan(0);
    expect(app.every((u) => u.inner === undefined && u.sealed === 'the session keys were not in the key log')).toBe(true);
  });
});
