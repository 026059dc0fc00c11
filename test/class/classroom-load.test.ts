// Many students at once: 50 and 200 real paho clients (one Python process) connected through the tap, each
// publishing a reading once a second. The broker must keep serving everyone (every message delivered to
// the lecturer's subscriber), and the core must find, group and tick off each student by client id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { missing } from '../peers/have.js';
import { runPaho } from '../peers/paho.js';

const why = missing('paho');
const SECONDS = 5;

interface ClassroomRun {
  published: Record<string, number>;
  received: Record<string, number>;
  connectSeconds: number;
  publishSeconds: number;
}

describe.skipIf(why !== undefined)(`a classroom on one broker${why ? ` (skipped: ${why})` : ''}`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab({ port: 0 });
  });
  afterAll(() => lab?.stop());

  it.each([50, 200])('serves %i students publishing once a second, and finds each of them', async (n) => {
    await lab.api.call('class.clear', {});
    const prefix = `s${n}-`;
    const began = Date.now();
    const r = await runPaho('classroom', { port: lab.tapAddress.port, args: { clients: n, seconds: SECONDS, prefix }, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout.trim().split('\n').pop()!) as ClassroomRun;
    const ids = Object.keys(run.published);
    expect(ids).toHaveLength(n);
    // Everyone was served: each student's every reading reached the lecturer through the broker.
    for (const id of ids) expect([id, run.received[id]]).toEqual([id, SECONDS]);
    console.log(`${n} students: connected in ${run.connectSeconds} s; ${n * SECONDS} readings published and delivered in ${run.publishSeconds} s; whole run ${((Date.now() - began) / 1000).toFixed(1)} s`);

    // The core finds each student by client id, and folds them into one group.
    const all = await lab.api.call('connections.find', { prefix });
    expect(new Set(all.map((c) => c.clientId)).size).toBe(n);
    const one = await lab.api.call('connections.find', { search: `${prefix}017` });
    expect(one.map((c) => c.clientId)).toEqual([`${prefix}017`]);
    // CONNECT, SUBSCRIBE-free: CONNECT + SECONDS × (PUBLISH, PUBACK) + CONNACK + DISCONNECT at least.
    expect(one[0]!.packets).toBeGreaterThanOrEqual(3 + 2 * SECONDS);
    const group = (await lab.api.call('connections.groups', {})).find((g) => g.group === prefix);
    expect(group).toMatchObject({ group: prefix, connections: n });
    // And ticks every one of them off for lesson 14's class exercise, from their own packets.
    const table = await lab.api.call('class.table', { prefix });
    expect(table.rows).toHaveLength(n);
    expect(table.rows.filter((row) => row.done['14-the-lab/reading'] !== undefined)).toHaveLength(n);
  }, 120_000);
});
