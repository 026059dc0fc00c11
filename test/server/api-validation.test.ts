// Every command's parameters are checked against the contract where they enter, on both transports (the
// browser mode's WebSocket and Electron IPC): a bad call gets an error naming the field, and changes nothing,
// so the next packet through the lab is handled as before. Command names are own keys only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../src/shared/api.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { bridgeLabToIpc, CALL_CHANNEL } from '../../src/main/ipc-bridge.js';
import { startWebServer, type WebServer } from '../../src/server/web-server.js';

type Call = (method: unknown, params?: unknown) => Promise<unknown>;

let lab: Lab | null = null;
let web: WebServer | null = null;
let ws: WebSocket | null = null;
let root = '';
afterEach(async () => {
  ws?.terminate();
  await web?.close();
  await lab?.stop();
  ws = web = lab = null;
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

async function overWebSocket(l: Lab): Promise<Call> {
  root = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>MQTT Lab</title>');
  web = await startWebServer({ api: l.api, root });
  const sock = new WebSocket(`ws://127.0.0.1:${web.port}/api?token=${web.token}`);
  ws = sock;
  await new Promise((resolve, reject) => {
    sock.once('open', resolve);
    sock.once('error', reject);
  });
  const waiting = new Map<number, (f: ServerFrame) => void>();
  sock.on('message', (m) => {
    const f = JSON.parse(String(m)) as ServerFrame;
    if (f.kind === 'result') waiting.get(f.id)?.(f);
  });
  let next = 1;
  return (method, params) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, (f) => (f.kind === 'result' && f.ok ? resolve(f.result) : reject(new Error(f.kind === 'result' && !f.ok ? f.error : '?'))));
    sock.send(JSON.stringify({ kind: 'call', id, method, params }));
  });
}

function overIpc(l: Lab): Call {
  let handler: ((event: unknown, ...args: unknown[]) => unknown) | undefined;
  bridgeLabToIpc({ handle: (ch, h) => ch === CALL_CHANNEL && (handler = h), removeHandler: () => undefined, on: () => undefined, removeListener: () => undefined }, l.api, () => null);
  return (method, params) => Promise.resolve().then(() => handler!({}, method, params));
}

const bad: Array<[string, string, unknown, RegExp]> = [
  ['faults.add with match.topic 5', 'faults.add', { match: { topic: 5 }, action: 'drop' }, /^faults\.add: match\.topic: .*expected string/i],
  ['faults.add with an unknown action', 'faults.add', { match: {}, action: 'explode' }, /^faults\.add: action: /],
  ['broker.configure with acl "x"', 'broker.configure', { acl: 'x' }, /^broker\.configure: acl: .*expected array/i],
  ['broker.configure with acl [null]', 'broker.configure', { acl: [null] }, /^broker\.configure: acl\.0: .*expected object/i],
  ['broker.configure with a numeric ACL topic', 'broker.configure', { acl: [{ topic: 7, access: 'both', allow: true }] }, /^broker\.configure: acl\.0\.topic: /],
  ['broker.configure with users null', 'broker.configure', { users: null }, /^broker\.configure: users: /],
  ['clients.publish with qos 3', 'clients.publish', { id: 'c', topic: 't', payload: 'x', qos: 3 }, /^clients\.publish: qos: /],
  ['clients.publish with an empty topic and no alias', 'clients.publish', { id: 'c', topic: '', payload: 'x' }, /^clients\.publish: topic: must not be empty \(unless a topicAlias stands for it\)/],
  ['clients.subscribe with a filter that is a number', 'clients.subscribe', { id: 'c', subscriptions: [{ filter: 1 }] }, /^clients\.subscribe: subscriptions\.0\.filter: /],
  ['step.set with on "yes"', 'step.set', { on: 'yes' }, /^step\.set: on: /],
  ['params that are not an object', 'lab.status', 'hello', /^lab\.status: params: /],
];

for (const [transport, connect] of [['WebSocket', overWebSocket], ['IPC', overIpc]] as const) {
  describe(`${transport}: calls are checked at the boundary`, () => {
    it.each(bad)('%s: a clear error, nothing changed, the lab serves on', async (_name, method, params, message) => {
      lab = await createLab({ port: 0 });
      const call = await connect(lab);
      await expect(call(method, params)).rejects.toThrow(message);
      expect(await call('faults.list', {})).toEqual([]);
      expect(await call('lab.status', {})).toMatchObject({ stepMode: false });
      // The next packets are handled as before (the bad values never reached the tap or the broker).
      await call('clients.create', { id: 'c' });
      await call('clients.connect', { id: 'c' });
      await call('clients.subscribe', { id: 'c', subscriptions: [{ filter: 'after/#' }] });
      await call('clients.publish', { id: 'c', topic: 'after/x', payload: 'ok', qos: 1 });
      await expect.poll(async () => (await call('clients.messages', { id: 'c' }) as unknown[]).length).toBe(1);
    });

    it('inherited names are not commands', async () => {
      lab = await createLab({ port: 0 });
      const call = await connect(lab);
      for (const name of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
        await expect(call(name, {})).rejects.toThrow(`unknown command '${name}'`);
      }
      await expect(call(42, {})).rejects.toThrow(/a call needs a command name|expected \{kind:"call", id, method, params\}/);
    });
  });
}

it('the Lab itself looks up commands as own keys', async () => {
  lab = await createLab({ port: 0 });
  await expect(lab.api.call('constructor' as never, {} as never)).rejects.toThrow("unknown command 'constructor'");
  await expect(lab.api.call('toString' as never, {} as never)).rejects.toThrow("unknown command 'toString'");
});
