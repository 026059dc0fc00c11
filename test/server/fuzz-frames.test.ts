// A seeded fuzz run over the browser-mode API: malformed WebSocket frames on raw sockets and calls with
// random names and parameters on a real socket. Bounded in count and time; replayable from the seed. The
// process must stay up, every call must be answered, and a healthy client must be served afterwards.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../src/shared/api.js';
import { PARAM_SCHEMAS } from '../../src/shared/api-schemas.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { startWebServer, type WebServer } from '../../src/server/web-server.js';
import { frame, rawWs } from './raw-ws.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed18);
const FRAMES = 150;
const CALLS = 300;

let lab: Lab | null = null;
let web: WebServer | null = null;
let root = '';
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await web?.close();
  await lab?.stop();
  web = lab = null;
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

/** mulberry32: small, seeded, good enough to pick cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it(`survives ${FRAMES} malformed frames and ${CALLS} random calls (seed ${SEED})`, async () => {
  const rnd = prng(SEED);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  process.on('uncaughtException', onUncaught);
  closers.push(() => process.off('uncaughtException', onUncaught));

  root = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>MQTT Lab</title>');
  lab = await createLab({ port: 0 });
  const w = await startWebServer({ api: lab.api, root });
  web = w;

  // 1. Frames: random first byte (FIN, RSV bits, opcode), mask or not, random short payloads, odd lengths.
  for (let batch = 0; batch < FRAMES / 10; batch++) {
    const raw = await rawWs(w.port, w.token);
    if (typeof raw === 'string') throw new Error(raw);
    closers.push(() => raw.socket.destroy());
    for (let k = 0; k < 10 && !raw.socket.destroyed; k++) {
      const payload = Uint8Array.from({ length: int(300) }, () => int(256));
      const first = int(256);
      const lie = rnd() < 0.2 ? { length: BigInt(int(2 ** 31)) * BigInt(1 + int(1 << 20)) } : {};
      raw.socket.write(frame(first, payload, { mask: rnd() < 0.8, ...lie }));
    }
    // The server either answered or closed the socket; it never stopped listening.
    await raw.closeCode(2000).catch(() => null);
    raw.socket.destroy();
  }

  // 2. Calls: real and made-up names; params from a small grammar of JSON values, sometimes valid-looking.
  const names = [...Object.keys(PARAM_SCHEMAS), 'constructor', 'toString', '__proto__', 'no.such', '', 'lab.'];
  const value = (d: number): unknown => {
    switch (int(d > 2 ? 6 : 9)) {
      case 0: return null;
      case 1: return int(3) === 0 ? -1 : int(70000);
      case 2: return pick(['', 'a/b', '#', '+', 'x'.repeat(int(200)), 'sensor', 'drop', 'toClient', 'PUBLISH']);
      case 3: return rnd() < 0.5;
      case 4: return 1e308 * (rnd() < 0.5 ? 10 : 1);
      case 5: return pick([0, 1, 2, 3]);
      case 6: return Array.from({ length: int(4) }, () => value(d + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let k = int(5); k > 0; k--) o[pick(['id', 'topic', 'payload', 'qos', 'match', 'action', 'acl', 'users', 'on', 'seq', 'filter', 'subscriptions', 'filters', '__proto__', 'constructor'])] = value(d + 1);
        return o;
      }
    }
  };
  const ws = new WebSocket(`ws://127.0.0.1:${w.port}/api?token=${w.token}`);
  closers.push(() => ws.terminate());
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const answered = new Set<number>();
  ws.on('message', (m) => {
    const f = JSON.parse(String(m)) as ServerFrame;
    if (f.kind === 'result') answered.add(f.id);
  });
  for (let id = 1; id <= CALLS; id++) {
    const method = pick(names);
    // Connecting waits up to 5 s for a CONNACK; the fuzz is about input, not about waiting.
    if (method === 'clients.connect' || method === 'clients.reconnect' || method === 'lessons.next') continue;
    ws.send(JSON.stringify({ kind: 'call', id, method, params: value(0) }));
    answered.add(-id); // marks an id that was sent
    if (id % 50 === 0) await new Promise((r) => setTimeout(r, 20));
  }
  const sent = [...answered].filter((x) => x < 0).map((x) => -x);
  await expect.poll(() => sent.every((id) => answered.has(id)), { timeout: 15_000 }).toBe(true);

  // A healthy client is served, and a packet still goes through the tap.
  const healthy = new WebSocket(`ws://127.0.0.1:${w.port}/api?token=${w.token}`);
  closers.push(() => healthy.terminate());
  await new Promise((resolve) => healthy.once('open', resolve));
  const results = new Map<number, ServerFrame>();
  healthy.on('message', (m) => {
    const f = JSON.parse(String(m)) as ServerFrame;
    if (f.kind === 'result') results.set(f.id, f);
  });
  const call = async (id: number, method: string, params: unknown): Promise<ServerFrame> => {
    healthy.send(JSON.stringify({ kind: 'call', id, method, params }));
    await expect.poll(() => results.has(id), { timeout: 10_000 }).toBe(true);
    return results.get(id)!;
  };
  await call(1, 'step.set', { on: false });
  await call(2, 'faults.clear', {});
  expect(await call(3, 'clients.create', { id: 'after-fuzz' })).toMatchObject({ ok: true });
  expect(await call(4, 'clients.connect', { id: 'after-fuzz' })).toMatchObject({ ok: true });
  expect(await call(5, 'clients.publish', { id: 'after-fuzz', topic: 'fuzz/done', payload: 'ok', qos: 1 })).toMatchObject({ ok: true });
  expect(uncaught).toEqual([]);
}, 60_000);
