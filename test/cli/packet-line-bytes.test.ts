// The live log's packet lines encoded straight into its batch are exactly packetLine's text, newline
// included, whatever the client id, summary, time and place in the batch's chunks.
import { describe, expect, it, vi } from 'vitest';
import { lineBatch } from '../../src/cli/line-batch.js';
import { packetLine, writePacketLine, type LinePacket } from '../../src/cli/packet-line.js';
import type { FaultRecord } from '../../src/shared/lab.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';

const CLIENT_IDS = [undefined, '', 'sensor-1', 'pub-mosquitto-2-0', 'sensör-ü', '客户端', '😀-device'];
const SUMMARIES = [
  'PUBREL (m5)', "PUBLISH (d0, q1, r0, m1, 'home/temp', … (4 bytes))", "SUBSCRIBE (m2, 'a/+/中文')", 'PINGREQ', '',
  // One, two and three bytes a unit, then a surrogate pair (four bytes) with more after it.
  "PUBLISH (d0, q0, r0, 'dev/ß/😀/中', … (2 bytes))", "UNSUBSCRIBE (m9, '😀')", "PUBLISH (d0, q0, r0, 'lab/°C/Ω', '21.5°')",
];

function packets(n: number, rng: Prng): LinePacket[] {
  const r = (): number => rng.next();
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
  let time = 1_765_000_000_000 + r() * 1000;
  return Array.from({ length: n }, () => {
    // Mostly within one second, now and then across one or many.
    time += r() < 0.05 ? r() * 100_000 : r() * 3;
    const p: LinePacket = { time, connId: 1 + Math.floor(r() * 5), direction: r() < 0.5 ? 'toBroker' : 'toClient', summary: pick(SUMMARIES) };
    const clientId = pick(CLIENT_IDS);
    if (clientId !== undefined) p.clientId = clientId;
    if (r() < 0.02) p.summary = `PUBLISH '${'é'.repeat(Math.floor(r() * 3000))}'`;
    if (r() < 0.03) p.fault = { action: 'drop', ruleId: 'r1' } as FaultRecord;
    return p;
  });
}

describe('writePacketLine', () => {
  it('gives packetLine\'s bytes for every packet, mixed with plain lines, across chunk ends and flushes', () => {
    vi.useFakeTimers();
    try {
      const writes: Uint8Array[] = [];
      const b = lineBatch((bytes) => writes.push(bytes));
      const expected: string[] = [];
      const rng = new Prng(seedFromEnv(7));
      for (const [i, p] of packets(20_000, rng).entries()) {
        writePacketLine(b, p);
        expected.push(`${packetLine(p)}\n`);
        if (i % 97 === 0) {
          b.out(`note ${i} → ü`);
          expected.push(`note ${i} → ü\n`);
        }
        if (i % 1000 === 999) vi.advanceTimersByTime(20);
      }
      b.flush();
      expect(Buffer.concat(writes).toString('utf8'), `seed ${rng.seed}`).toBe(expected.join(''));
      // Byte for byte, not only once decoded: a wrong but decodable encoding would pass the line above.
      expect(Buffer.concat(writes).equals(Buffer.from(expected.join(''))), `seed ${rng.seed}`).toBe(true);
      // Many chunks were filled, so lines met chunk ends.
      expect(writes.length).toBeGreaterThan(10);
    } finally {
      vi.useRealTimers();
    }
  });

  it('follows a connection whose client id becomes known', () => {
    const writes: Uint8Array[] = [];
    const b = lineBatch((bytes) => writes.push(bytes));
    const p: LinePacket = { time: 1_765_000_000_123.7, connId: 42, direction: 'toBroker', summary: 'CONNECT' };
    writePacketLine(b, p);
    writePacketLine(b, { ...p, clientId: 'late-id', summary: 'PINGREQ' });
    b.flush();
    expect(Buffer.concat(writes).toString('utf8')).toBe(`${packetLine(p)}\n${packetLine({ ...p, clientId: 'late-id', summary: 'PINGREQ' })}\n`);
    expect(Buffer.concat(writes).toString('utf8')).toContain('conn#42 → broker  CONNECT');
  });
});
