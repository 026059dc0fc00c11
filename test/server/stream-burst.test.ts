// The stream end to end: the real `mqtt-lab web` server, a real mqtt.js client sending 10,000 PUBLISH/s
// through its tap, and a real WebSocket client reading the stream as a page does. A reader that keeps up gets
// every packet and no marker; one that stops granting credit is sent nothing past its credit, and gets
// everything once it reads again.
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LabStatus } from '../../src/shared/api.js';
import { EventReceiver } from '../../src/shared/event-stream/index.js';
import { STREAM_DEFAULTS } from '../../src/shared/event-stream/sender.js';
import { labServerMissing, startLabServer, type LabServer } from '../ui/support/lab-server.js';
import { accountFor, emptyReceived, readFrame, type Received } from '../stream/stream-check.js';

let server: LabServer | null = null;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await server?.stop();
  server = null;
});

interface Reader {
  got: Received;
  status(): Promise<LabStatus>;
  /** While paused, frames are read but their credit is held back, as by a page too busy to process them. */
  pause(on: boolean): void;
  framesWhilePaused: number;
}

async function reader(s: LabServer): Promise<Reader> {
  const ws = new WebSocket(`${s.origin.replace('http:', 'ws:')}/api?token=${s.token}`, { origin: s.origin });
  sockets.push(ws);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const got = emptyReceived();
  let paused = false;
  let held = 0;
  const r: Reader = {
    got,
    framesWhilePaused: 0,
    status: () =>
      new Promise((resolve) => {
        const id = Math.floor(Math.random() * 1e9);
        const on = (m: WebSocket.RawData): void => {
          const f = JSON.parse(String(m)) as { kind: string; id?: number; result?: LabStatus };
          if (f.kind === 'result' && f.id === id) {
            ws.off('message', on);
            resolve(f.result!);
          }
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ kind: 'call', id, method: 'lab.status', params: {} }));
      }),
    pause(on) {
      paused = on;
      if (!on && held > 0) {
        ws.send(JSON.stringify({ kind: 'credit', n: held }));
        held = 0;
      }
    },
  };
  const receiver = new EventReceiver({
    dispatch: () => undefined,
    grant: (n) => {
      if (paused) held += n;
      else ws.send(JSON.stringify({ kind: 'credit', n }));
    },
    later: (fn) => setImmediate(fn),
  });
  ws.on('message', (m) => {
    const text = String(m);
    if (text.startsWith('{"kind":"result"')) return;
    if (paused) r.framesWhilePaused++;
    readFrame(got, text);
    receiver.receive(text);
  });
  return r;
}

/** `rate` QoS 0 PUBLISH a second for `ms` from one mqtt.js client through the tap; resolves with how many. */
async function burst(s: LabServer, rate: number, ms: number): Promise<number> {
  const client = await mqtt.connectAsync(`mqtt://${s.mqtt.host}:${s.mqtt.port}`, { clientId: 'burst', reconnectPeriod: 0 });
  const payload = Buffer.alloc(64, 0x61);
  const total = Math.round((rate * ms) / 1000);
  const start = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      // A stalled timer is made up over the next ticks at 1.2 × the rate, not at once: 10,000 a second made up
      // faster is a flood by the stream's measure (FLOOD_ROWS_PER_S kept for 100 ms), sent as a jump.
      const due = Math.min(total, sent + Math.ceil((rate * 5 * 1.2) / 1000), Math.floor(((Date.now() - start) / 1000) * rate));
      for (; sent < due; sent++) client.publish(`bench/sensor${sent % 8}`, payload, { qos: 0 });
      if (sent >= total) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  await client.endAsync();
  return sent;
}

/** Waits until the lab has captured what the burst sent and the reader holds it (or a marker for it). */
async function settle(r: Reader, published: number): Promise<number> {
  let count = 0;
  await expect.poll(async () => (count = (await r.status()).packets.count) >= published, { timeout: 30_000, interval: 200 }).toBe(true);
  const covered = (): number => r.got.packets.length + r.got.missed.reduce((n, m) => n + m.toSeq - m.fromSeq + 1, 0);
  await expect.poll(async () => {
    count = (await r.status()).packets.count;
    return covered() >= count;
  }, { timeout: 30_000, interval: 200 }).toBe(true);
  return count;
}

describe.skipIf(labServerMissing() !== undefined)('event stream through the real web server', () => {
  it('carries a 10,000 packets/s burst whole to a reader that keeps up, with no marker', async () => {
    server = await startLabServer();
    const r = await reader(server);
    const published = await burst(server, 10_000, 1000);
    const count = await settle(r, published);
    expect(r.got.missed).toEqual([]);
    const seqs = r.got.packets.map((p) => p.seq);
    expect(accountFor(Array.from({ length: count }, (_, i) => seqs[0]! + i), r.got)).toEqual({ lost: [], twice: [], outOfOrder: false });
    expect(r.got.packets.filter((p) => p.type === 'PUBLISH').length).toBeGreaterThanOrEqual(published);
    const perPacket = r.got.bytes / r.got.packets.length;
    expect(perPacket).toBeLessThan(200);
  }, 90_000);

  it('sends a reader that holds its credit back no more than its credit, and everything once it reads again', async () => {
    server = await startLabServer();
    const r = await reader(server);
    r.pause(true);
    const published = await burst(server, 10_000, 1000);
    expect(r.framesWhilePaused).toBeLessThanOrEqual(STREAM_DEFAULTS.initialCredit);
    expect(r.got.packets.length).toBeLessThan(published);
    r.pause(false);
    const count = await settle(r, published);
    // 10,000 packets fit in the queue's bound: late, but all there and no marker.
    expect(r.got.missed).toEqual([]);
    const first = r.got.packets[0]!.seq;
    expect(accountFor(Array.from({ length: count }, (_, i) => first + i), r.got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  }, 90_000);
});
