// The clients list's model: one entry per client however often it reconnected, grouped like the lanes, and
// the filter its "Only its packets" button writes.
import { describe, expect, it } from 'vitest';
import { ago, roster } from '../../src/renderer/lib/class-roster.js';
import { clientFilter } from '../../src/renderer/lib/client-filter.js';
import { evaluate } from '../../src/shared/filter/evaluate.js';
import { parseFilter } from '../../src/shared/filter/parse.js';
import type { ConnectionActivity } from '../../src/shared/client-groups.js';

function conn(connId: number, clientId: string | undefined, state: 'connected' | 'closed', packets: number, last?: number): ConnectionActivity {
  const c: ConnectionActivity = { connId, remote: '127.0.0.1:1', version: 4, state, since: 1000 + connId, group: '', packets } as ConnectionActivity;
  if (clientId !== undefined) c.clientId = clientId;
  if (last !== undefined) c.lastPacketAt = last;
  return c;
}

describe('the clients list of a class', () => {
  it('lists a student who reconnected once, connected, with both connections\' packets', () => {
    const groups = roster([
      conn(1, 'student-2', 'closed', 5, 2000),
      conn(2, 'student-10', 'connected', 3, 2500),
      conn(3, 'student-2', 'connected', 4, 3000),
      conn(4, 'lecturer', 'connected', 9, 2900),
      conn(5, undefined, 'connected', 1),
    ], []);
    expect(groups.map((g) => [g.group, g.clients.map((c) => c.lane)])).toEqual([
      ['student-', ['student-2', 'student-10']],
      ['conn #', ['conn #5']],
      ['lecturer', ['lecturer']],
    ]);
    expect(groups[0]!.clients[0]).toEqual({ lane: 'student-2', connected: true, packets: 9, lastSeen: 3000, connections: 2 });
    expect(groups[0]).toMatchObject({ connected: 2, packets: 12, lastSeen: 3000 });
    // Without a packet, a client was last heard from when it connected.
    expect(groups[1]!.clients[0]!.lastSeen).toBe(1005);
  });

  it('groups by the lecturer\'s prefixes too', () => {
    const groups = roster([conn(1, 'table1-ada', 'connected', 1), conn(2, 'table1-bob', 'connected', 1), conn(3, 'table2-cy', 'connected', 1)], ['table1-', 'table2-']);
    expect(groups.map((g) => g.group)).toEqual(['table1-', 'table2-']);
  });

  it('says how long ago in words a lecturer reads at a glance', () => {
    expect([ago(10_000, 10_200), ago(0, 4_000), ago(0, 185_000), ago(0, 7_300_000)]).toEqual(['now', '4 s ago', '3 min ago', '2 h ago']);
  });

  it('writes a filter that picks exactly that client, quotes and all', () => {
    expect(clientFilter('student-017')).toBe('lab.client == "student-017"');
    expect(clientFilter('conn #12')).toBe('lab.conn == 12');
    const odd = 'a "quoted" \\ id';
    const expr = parseFilter(clientFilter(odd))!;
    const subject = (clientId: string) => ({ seq: 1, connId: 1, clientId, direction: 'toBroker', decoded: { type: 'PINGREQ', typeCode: 12, version: 4, length: 2, fields: [], issues: [], summary: '', info: {} } }) as unknown as Parameters<typeof evaluate>[1];
    expect(evaluate(expr, subject(odd))).toBe(true);
    expect(evaluate(expr, subject('a'))).toBe(false);
  });
});
