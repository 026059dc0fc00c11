// Closing a lesson takes its clients away (issue 17 item 2): each one that was connected says DISCONNECT on
// the wire and its connection ends, none is left in the client list, and starting another lesson does the
// same for the one before it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';

let lab: Lab | null = null;
afterEach(async () => {
  await lab?.stop();
  lab = null;
});

interface Seen { connId: number; direction: string; type: string }

async function runFirstStep(l: Lab, id: string): Promise<Map<number, string>> {
  await l.api.call('lessons.start', { id });
  const r = await l.api.call('lessons.next', {});
  expect(r?.passed, JSON.stringify(r)).toBe(true);
  const conns = await l.api.call('connections.list', {});
  return new Map(conns.filter((c) => c.state !== 'closed').map((c) => [c.connId, c.clientId ?? '']));
}

describe("a lesson's clients leave when it closes", () => {
  it('disconnects every client the lesson connected, and lists none afterwards', async () => {
    lab = await createLab({ port: 0 });
    const seen: Seen[] = [];
    lab.api.on('packet', (p) => seen.push({ connId: p.connId, direction: p.direction, type: p.type }));
    const open = await runFirstStep(lab, '02-publish-subscribe');
    expect([...open.values()].sort()).toEqual(['bp-cuff-1', 'daughter', 'hospital', 'nurse']);
    expect((await lab.api.call('clients.list', {})).map((c) => c.id).sort()).toEqual(['daughter', 'hospital', 'monitor', 'nurse']);

    expect(await lab.api.call('lessons.close', {})).toEqual([]);
    expect(await lab.api.call('clients.list', {})).toEqual([]);
    // A graceful goodbye, so no will fires: DISCONNECT from each client, then its connection is gone.
    for (const connId of open.keys()) {
      expect(seen.some((p) => p.connId === connId && p.direction === 'toBroker' && p.type === 'DISCONNECT'), `DISCONNECT on conn ${connId}`).toBe(true);
    }
    // The tap closes a connection once both its sides have: the broker's side may follow the client's
    // close by a moment (the embedded broker runs in a thread of its own).
    const l = lab;
    await vi.waitFor(async () => {
      const after = await l.api.call('connections.list', {});
      expect(after.filter((c) => open.has(c.connId) && c.state !== 'closed')).toEqual([]);
    }, { timeout: 2000, interval: 10 });
  });

  it('takes the previous lesson’s clients away when another lesson starts', async () => {
    lab = await createLab({ port: 0 });
    await runFirstStep(lab, '02-publish-subscribe');
    await lab.api.call('lessons.start', { id: '01-indirect-messaging' });
    expect(await lab.api.call('clients.list', {})).toEqual([]);
    await lab.api.call('lessons.close', {});
  });
});
