// Grouping and finding connections by client id, with idleness, without a network: the index is fed
// records and connections directly.
import { describe, expect, it } from 'vitest';
import { groupOf } from '../../src/shared/client-groups.js';
import { ConnectionActivityIndex } from '../../src/core/lab/connection-activity.js';
import type { Connection, PacketRecord } from '../../src/shared/lab.js';
import { dissect } from '../../src/core/dissect/index.js';

describe('groupOf', () => {
  it.each([
    ['student-017', 'student-'], ['rpi3', 'rpi'], ['ada/laptop', 'ada/'], ['ada', 'ada'], ['2024', '2024'], [undefined, '(no client id)'], ['', '(no client id)'],
  ])('%s → %s', (id, group) => expect(groupOf(id)).toBe(group));
});

describe('ConnectionActivityIndex', () => {
  const conn = (connId: number, clientId: string | undefined, state: Connection['state'] = 'connected'): Connection => ({
    connId, remote: '127.0.0.1:1', state, since: 1000, ...(clientId === undefined ? {} : { clientId }),
  });
  const ping = (connId: number, time: number): PacketRecord => ({ seq: 0, connId, time, direction: 'toBroker', bytes: new Uint8Array([0xc0, 0]), decoded: dissect(new Uint8Array([0xc0, 0])) });

  it('finds by search, prefix, group, state and idleness, and sums groups', () => {
    const idx = new ConnectionActivityIndex();
    const conns = [conn(1, 'student-1'), conn(2, 'student-2'), conn(3, 'Teacher'), conn(4, undefined, 'closed')];
    idx.observe(ping(1, 5000));
    idx.observe(ping(1, 9000));
    idx.observe(ping(2, 2000));
    const ids = (q: Parameters<ConnectionActivityIndex['find']>[1]): Array<string | number> => idx.find(conns, q, 10_000).map((c) => c.clientId ?? c.connId);
    expect(ids({ search: 'TEACH' })).toEqual(['Teacher']);
    expect(ids({ search: 'conn #4' })).toEqual([4]);
    expect(ids({ prefix: 'student' })).toEqual(['student-1', 'student-2']);
    expect(ids({ group: 'student-' })).toEqual(['student-1', 'student-2']);
    expect(ids({ state: 'closed' })).toEqual([4]);
    // Idle for 5 s or more: student-2 (last packet at 2 s), Teacher and conn 4 (none since they opened at 1 s).
    expect(ids({ idleFor: 5000 })).toEqual(['student-2', 'Teacher', 4]);
    expect(ids({ activeWithin: 2000 })).toEqual(['student-1']);
    expect(ids({ limit: 1 })).toEqual(['student-1']);
    expect(idx.find(conns, { prefix: 'student-1' }, 10_000)[0]).toMatchObject({ packets: 2, lastPacketAt: 9000, group: 'student-' });
    expect(idx.groups(conns, 2000, 10_000)).toEqual([
      { group: 'student-', connections: 2, connected: 2, active: 1, packets: 3, lastPacketAt: 9000 },
      { group: '(no client id)', connections: 1, connected: 0, active: 0, packets: 0 },
      { group: 'Teacher', connections: 1, connected: 1, active: 0, packets: 0 },
    ]);
  });
});
