// Per connection: packets seen and when the last one was, so a crowded class can be searched, grouped
// and its idle lanes folded (connections.find, connections.groups).
import type { ConnectionActivity, ConnectionGroup, ConnectionQuery } from '../../shared/client-groups.js';
import { connectionLabel, groupOf } from '../../shared/client-groups.js';
import type { Connection, PacketRecord } from '../../shared/lab.js';

export class ConnectionActivityIndex {
  private readonly seen = new Map<number, { packets: number; last: number }>();

  observe(r: PacketRecord): void {
    const s = this.seen.get(r.connId);
    if (s === undefined) this.seen.set(r.connId, { packets: 1, last: r.time });
    else {
      s.packets++;
      s.last = r.time;
    }
  }

  clear(): void {
    this.seen.clear();
  }

  with(c: Connection): ConnectionActivity {
    const s = this.seen.get(c.connId);
    const a: ConnectionActivity = { ...c, group: groupOf(c.clientId), packets: s?.packets ?? 0 };
    if (s !== undefined) a.lastPacketAt = s.last;
    return a;
  }

  find(conns: Connection[], q: ConnectionQuery = {}, now = Date.now()): ConnectionActivity[] {
    const needle = q.search?.toLowerCase();
    const out: ConnectionActivity[] = [];
    for (const c of conns) {
      const a = this.with(c);
      if (needle !== undefined && !connectionLabel(c).toLowerCase().includes(needle)) continue;
      if (q.prefix !== undefined && !(c.clientId ?? '').startsWith(q.prefix)) continue;
      if (q.group !== undefined && a.group !== q.group) continue;
      if (q.state !== undefined && c.state !== q.state) continue;
      const idle = now - (a.lastPacketAt ?? c.since);
      if (q.idleFor !== undefined && idle < q.idleFor) continue;
      if (q.activeWithin !== undefined && idle > q.activeWithin) continue;
      out.push(a);
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  groups(conns: Connection[], activeWithin = 10_000, now = Date.now()): ConnectionGroup[] {
    const by = new Map<string, ConnectionGroup>();
    for (const c of conns) {
      const a = this.with(c);
      const g = by.get(a.group) ?? { group: a.group, connections: 0, connected: 0, active: 0, packets: 0 };
      g.connections++;
      if (c.state !== 'closed') g.connected++;
      if (a.lastPacketAt !== undefined && now - a.lastPacketAt <= activeWithin) g.active++;
      g.packets += a.packets;
      if (a.lastPacketAt !== undefined) g.lastPacketAt = Math.max(g.lastPacketAt ?? 0, a.lastPacketAt);
      by.set(a.group, g);
    }
    return [...by.values()].sort((x, y) => y.connections - x.connections || x.group.localeCompare(y.group));
  }
}
