// The browser-mode server without a browser: the token guards page and API, another site's page is
// refused, calls are answered, and a burst of packets arrives as batched event frames, in order.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PacketSummary } from '../../src/shared/api.js';
import { EventReceiver } from '../../src/shared/event-stream/index.js';
import { emptyReceived, readFrame } from '../stream/stream-check.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { startWebServer, type WebServer } from '../../src/server/web-server.js';

let lab: Lab | null = null;
let web: WebServer | null = null;
let root = '';
afterEach(async () => {
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

function open(url: string, origin?: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
  });
}

describe('browser-mode server', () => {
  it('serves the page only with the token, and sets a cookie for its assets', async () => {
    const w = await start();
    expect((await fetch(w.url)).status).toBe(200);
    const first = await fetch(w.url);
    expect(first.headers.get('set-cookie')).toMatch(/mqttlab_token=.*HttpOnly; SameSite=Strict/);
    expect(first.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`http://127.0.0.1:${w.port}/`)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${w.port}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${w.port}/../../etc/passwd?token=${w.token}`)).status).toBe(404);
  });

  it('refuses the API without the token or from another site, and answers calls and batches events', async () => {
    const w = await start();
    const api = `ws://127.0.0.1:${w.port}/api?token=${w.token}`;
    expect(await open(`ws://127.0.0.1:${w.port}/api`)).toBe(403);
    expect(await open(api, 'http://evil.example')).toBe(403);
    const ws = await open(api, `http://127.0.0.1:${w.port}`) as WebSocket;
    const results: Array<{ kind: 'result'; id: number; ok: boolean; error?: string }> = [];
    const got = emptyReceived();
    const texts: string[] = [];
    // A page's end of the stream: frames decoded, credit sent back once they are processed.
    const receiver = new EventReceiver({ dispatch: () => undefined, grant: (n) => ws.send(JSON.stringify({ kind: 'credit', n })) });
    ws.on('message', (m) => {
      const text = String(m);
      const f = JSON.parse(text) as { kind: string };
      if (f.kind === 'result') return results.push(f as never);
      texts.push(text);
      readFrame(got, text);
      receiver.receive(text);
    });
    const call = (id: number, method: string, params: unknown): void => ws.send(JSON.stringify({ kind: 'call', id, method, params }));
    call(1, 'clients.create', { id: 'sensor' });
    call(2, 'clients.connect', { id: 'sensor' });
    await expect.poll(() => results.some((f) => f.id === 2 && f.ok)).toBe(true);
    for (let i = 0; i < 50; i++) call(10 + i, 'clients.publish', { id: 'sensor', topic: 'burst', payload: String(i), qos: 0 });
    call(99, 'no.such', {});
    await expect.poll(() => results.length, { timeout: 5000 }).toBe(53);
    expect(results.find((f) => f.id === 99)).toEqual({ kind: 'result', id: 99, ok: false, error: "unknown command 'no.such'" });
    const packets = (): PacketSummary[] => got.packets;
    await expect.poll(() => packets().filter((p) => p.type === 'PUBLISH').length, { timeout: 5000 }).toBe(50);
    const seqs = packets().map((p) => p.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Batched: far fewer frames than events.
    expect(got.frames).toBeLessThan(got.events.length / 2);
    // A credit that is not a positive count is refused, and the stream goes on.
    ws.send(JSON.stringify({ kind: 'credit', n: -1 }));
    await expect.poll(() => results.some((f) => f.id === -1 && /credit/.test(f.error ?? ''))).toBe(true);
    ws.close();
  });
});
