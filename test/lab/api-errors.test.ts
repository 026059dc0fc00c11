// The API is reached from a WebSocket or IPC, so anything can arrive as params. Each mistake must come
// back as a rejection with a sentence naming the problem, and leave the lab working.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandName, LabApi } from '../../src/shared/api.js';
import type { Lab } from '../../src/core/lab/index.js';
import { cleanup, startLab } from './support/lab-rig.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

afterEach(cleanup);

let lab: Lab;
beforeEach(async () => {
  lab = await startLab();
  await lab.api.call('clients.create', { id: 'sensor' });
  await lab.api.call('clients.connect', { id: 'sensor' });
});

/** Calls with whatever params a remote peer might send, bypassing the compile-time contract. */
const untyped = (api: LabApi, method: string, params: unknown): Promise<unknown> =>
  api.call(method as CommandName, params as never);

describe('LabApi rejects bad commands with clear messages', () => {
  it.each([
    ['an unknown command', 'lab.explode', {}, /^unknown command 'lab\.explode'$/],
    ['an unknown client', 'clients.publish', { id: 'ghost', topic: 'a', payload: 'x' }, /^no client named 'ghost'$/],
    ['a publish without topic', 'clients.publish', { id: 'sensor', payload: 'x' }, /^topic is required$/],
    ['a publish with an empty topic', 'clients.publish', { id: 'sensor', topic: '', payload: 'x' }, /^topic is required$/],
    ['a publish without params', 'clients.publish', undefined, /^id is required$/],
    ['a payload that is neither text nor bytes', 'clients.publish', { id: 'sensor', topic: 'a', payload: 42 }, /^payload must be text or bytes$/],
    ['a command without its id', 'clients.connect', {}, /^id is required$/],
    ['client options that are not an object', 'clients.create', { id: 'x', options: 'fast' }, /^options must be an object$/],
    ['a subscription without its filter', 'clients.subscribe', { id: 'sensor', subscriptions: [{ qos: 1 }] }, /^subscriptions\[0\]\.filter is required$/],
    ['an unsubscribe without filters', 'clients.unsubscribe', { id: 'sensor' }, /^filters must list at least one filter$/],
    ['a fault rule without params', 'faults.add', undefined, /^fault rule: action must be one of/],
    ['no params at all', 'clients.messages', undefined, /^id is required$/],
    ['a subscribe without filters', 'clients.subscribe', { id: 'sensor', subscriptions: [] }, /at least one filter/],
    ['a QoS that does not exist', 'clients.publish', { id: 'sensor', topic: 'a', payload: 'x', qos: 3 }, /qos must be 0, 1 or 2/],
    ['a duplicate client', 'clients.create', { id: 'sensor' }, /already exists/],
    ['a fault rule with an unknown action', 'faults.add', { match: {}, action: 'explode' }, /action must be one of drop, delay, hold, corrupt, sever/],
    ['a fault rule for an unknown packet type', 'faults.add', { match: { type: 'PUBLISHH' }, action: 'drop' }, /unknown packet type 'PUBLISHH'/],
    ['removing a rule that is not there', 'faults.remove', { id: 'r99' }, /no fault rule 'r99'/],
    ['a sever without connId', 'connections.sever', { connId: 'one' }, /connId must be a number/],
    ['a capture that is not one', 'capture.open', { pcapng: Buffer.from('hello world, not a capture').toString('base64') }, /^not a capture file/],
  ])('%s', async (_what, method, params, message) => {
    await expect(untyped(lab.api, method, params)).rejects.toThrow(message);
  });

  it('keeps working after the mistakes', async () => {
    await untyped(lab.api, 'clients.publish', { id: 'ghost', topic: 'a' }).catch(() => undefined);
    await untyped(lab.api, 'nope', {}).catch(() => undefined);
    await expect(lab.api.call('clients.publish', { id: 'sensor', topic: 'a/b', payload: 'ok', qos: 1 })).resolves.toHaveProperty('messageId');
    expect(await lab.api.call('packets.query', { type: 'PUBLISH' })).toHaveLength(1);
  });
});
