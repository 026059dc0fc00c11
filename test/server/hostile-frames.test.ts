// The browser-mode API under hostile WebSocket input: each protocol error closes only the socket that sent
// it, with the code RFC 6455 gives it (1002 protocol error, 1007 bad UTF-8, 1009 too big), and the server
// and every other socket carry on. Host and Origin must name this server; commands are rate-bounded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../src/shared/api.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { BURST } from '../../src/server/api-socket.js';
import { startWebServer, type WebServer } from '../../src/server/web-server.js';
import { frame, rawWs, type RawWs } from './raw-ws.js';
import { request } from 'node:http';

/** fetch() will not send another Host header; node:http will. */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

let lab: Lab | null = null;
let web: WebServer | null = null;
let root = '';
const sockets: Array<{ destroy(): void }> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await web?.close();
  await lab?.stop();
  web = null;
  lab = null;
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

async function start(): Promise<WebServer> {
  root = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>MQTT Lab</title>');
  lab = await createLab({ port: 0 });
  web = await startWebServer({ api: lab.api, root });
  return web;
}

/** A well-behaved API client: call() resolves with the result frame. */
async function client(w: WebServer): Promise<{ ws: WebSocket; call(method: string, params?: unknown): Promise<ServerFrame> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${w.port}/api?token=${w.token}`, { origin: `http://127.0.0.1:${w.port}` });
  sockets.push({ destroy: () => ws.terminate() });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (f: ServerFrame) => void>();
  ws.on('message', (m) => {
    const f = JSON.parse(String(m)) as ServerFrame;
    if (f.kind === 'result') waiting.get(f.id)?.(f);
  });
  return {
    ws,
    call: (method, params = {}) => new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ kind: 'call', id, method, params }));
    }),
  };
}

async function attacker(w: WebServer): Promise<RawWs> {
  const r = await rawWs(w.port, w.token);
  if (typeof r === 'string') throw new Error(`handshake refused: ${r}`);
  sockets.push(r.socket);
  return r;
}

const text = (s: string): Uint8Array => Buffer.from(s);
const cases: Array<[string, number, () => Buffer]> = [
  ['an unmasked client frame', 1002, () => frame(0x81, text('{}'), { mask: false })],
  ['a reserved opcode (0x3)', 1002, () => frame(0x83, text('x'))],
  ['RSV1 set without an extension', 1002, () => frame(0xc1, text('{}'))],
  ['invalid UTF-8 in a text frame', 1007, () => frame(0x81, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))],
  ['an orphan continuation frame', 1002, () => frame(0x80, text('{}'))],
  ['a 200-byte ping', 1002, () => frame(0x89, new Uint8Array(200))],
  ['close code 999', 1002, () => frame(0x88, new Uint8Array([0x03, 0xe7]))],
  ['a length of 2^63', 1009, () => frame(0x82, new Uint8Array(0), { length: 1n << 63n })],
  ['a 50 MB frame', 1009, () => frame(0x81, new Uint8Array(0), { length: 50_000_000n })],
];

it.each(cases)('%s closes that socket only, with code %i', async (_name, code, build) => {
  // ws reports a protocol error as an 'error' event on the socket; unheard, it would end the process.
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  process.on('uncaughtException', onUncaught);
  sockets.push({ destroy: () => process.off('uncaughtException', onUncaught) });
  const w = await start();
  const bystander = await client(w);
  const bad = await attacker(w);
  bad.socket.write(build());
  expect(await bad.closeCode()).toBe(code);
  // The server and another socket carry on.
  const status = await bystander.call('lab.status');
  expect(status).toMatchObject({ kind: 'result', ok: true });
  const again = await attacker(w);
  again.socket.write(frame(0x81, text(JSON.stringify({ kind: 'call', id: 7, method: 'lab.status', params: {} }))));
  await expect.poll(() => again.socket.bytesRead > 0).toBe(true);
  expect(uncaught).toEqual([]);
});

it('a message over the size bound sent in fragments is refused with 1009 too', async () => {
  const w = await start();
  const bad = await attacker(w);
  const chunk = new Uint8Array(4 * 1024 * 1024).fill(0x20);
  bad.socket.write(frame(0x01, chunk)); // text, not final
  for (let i = 0; i < 4 && !bad.socket.destroyed; i++) bad.socket.write(frame(0x00, chunk));
  bad.socket.write(frame(0x80, chunk));
  expect(await bad.closeCode()).toBe(1009);
});

it('the Host header must name this server on loopback (DNS rebinding)', async () => {
  const w = await start();
  expect(await rawWs(w.port, w.token, { Host: `attacker.example:${w.port}` })).toMatch(/^HTTP\/1.1 403/);
  expect(await rawWs(w.port, w.token, { Host: '127.0.0.1:1' })).toMatch(/^HTTP\/1.1 403/);
  const ok = await rawWs(w.port, w.token, { Host: `localhost:${w.port}` });
  expect(typeof ok).not.toBe('string');
  if (typeof ok !== 'string') ok.socket.destroy();
  const page = await get(w.port, `/?token=${w.token}`, `rebound.example:${w.port}`);
  expect(page.status).toBe(421);
  expect(page.body).toMatch(/answers only to 127\.0\.0\.1:\d+ or localhost:\d+/);
  expect((await fetch(w.url)).status).toBe(200);
});

it('the Origin must be this server\'s own: another loopback port\'s page is refused', async () => {
  const w = await start();
  expect(await rawWs(w.port, w.token, { Origin: `http://127.0.0.1:${w.port + 1}` })).toMatch(/^HTTP\/1.1 403/);
  expect(await rawWs(w.port, w.token, { Origin: 'http://localhost' })).toMatch(/^HTTP\/1.1 403/);
  expect(await rawWs(w.port, w.token, { Origin: 'null' })).toMatch(/^HTTP\/1.1 403/);
  for (const origin of [`http://127.0.0.1:${w.port}`, `http://localhost:${w.port}`]) {
    const ok = await rawWs(w.port, w.token, { Origin: origin });
    expect(typeof ok).not.toBe('string');
    if (typeof ok !== 'string') ok.socket.destroy();
  }
});

it('commands are rate-bounded per socket: a flood gets clear errors, another socket is served', async () => {
  const w = await start();
  const flood = await client(w);
  const calm = await client(w);
  const results = await Promise.all(Array.from({ length: BURST + 200 }, () => flood.call('lab.status')));
  const refused = results.filter((f) => f.kind === 'result' && !f.ok);
  expect(refused.length).toBeGreaterThan(100);
  expect(refused[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^too many commands/) });
  expect(await calm.call('lab.status')).toMatchObject({ ok: true });
  // A binary or non-JSON frame gets an error result, and the socket stays open.
  const fresh = await client(w);
  const errors: ServerFrame[] = [];
  fresh.ws.on('message', (m) => errors.push(JSON.parse(String(m)) as ServerFrame));
  fresh.ws.send(Buffer.from([1, 2, 3]));
  fresh.ws.send('not json');
  fresh.ws.send(JSON.stringify({ kind: 'call', id: 'x', method: 'lab.status' }));
  await expect.poll(() => errors.length).toBe(3);
  expect(errors.map((e) => (e.kind === 'result' && !e.ok ? e.error : ''))).toEqual([
    'frames must be JSON text, not binary',
    'frame is not JSON',
    'expected {kind:"call", id, method, params} with an integer id',
  ]);
  expect(await fresh.call('lab.status')).toMatchObject({ ok: true });
});
