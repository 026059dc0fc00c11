// The clients list of a class: what the core's connections.find reports, one entry per client (a student
// who reconnected has several connections), grouped like the sequence diagram's lanes.
import type { ConnectionActivity } from '../../shared/client-groups.js';
import { connectionLabel } from '../../shared/client-groups.js';
import { laneGroup } from './sequence-lanes.js';

export interface RosterClient {
  /** The lane key: client id, or `conn #N` for a connection without one. */
  lane: string;
  connected: boolean;
  packets: number;
  /** When its latest packet passed the tap (else when it connected). */
  lastSeen: number;
  connections: number;
}

export interface RosterGroup {
  group: string;
  clients: RosterClient[];
  connected: number;
  packets: number;
  lastSeen: number;
}

export function roster(found: readonly ConnectionActivity[], prefixes: readonly string[]): RosterGroup[] {
  const byLane = new Map<string, RosterClient>();
  for (const c of found) {
    const lane = connectionLabel(c);
    const seen = c.lastPacketAt ?? c.since;
    const r = byLane.get(lane);
    if (r === undefined) {
      byLane.set(lane, { lane, connected: c.state !== 'closed', packets: c.packets, lastSeen: seen, connections: 1 });
    } else {
      r.connected ||= c.state !== 'closed';
      r.packets += c.packets;
      r.lastSeen = Math.max(r.lastSeen, seen);
      r.connections++;
    }
  }
  const groups = new Map<string, RosterGroup>();
  for (const r of byLane.values()) {
    const name = laneGroup(r.lane, prefixes);
    const g = groups.get(name) ?? { group: name, clients: [], connected: 0, packets: 0, lastSeen: 0 };
    g.clients.push(r);
    if (r.connected) g.connected++;
    g.packets += r.packets;
    g.lastSeen = Math.max(g.lastSeen, r.lastSeen);
    groups.set(name, g);
  }
  const byName = (a: RosterClient, b: RosterClient): number => a.lane.localeCompare(b.lane, undefined, { numeric: true });
  for (const g of groups.values()) g.clients.sort((a, b) => Number(b.connected) - Number(a.connected) || byName(a, b));
  return [...groups.values()].sort((a, b) => b.clients.length - a.clients.length || a.group.localeCompare(b.group));
}

/** "now", "4 s ago", "3 min ago", "2 h ago": how long since a client was last heard from. */
export function ago(t: number, now: number): string {
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 1) return 'now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
