// Many students on one broker: connections found by client id, and grouped by the prefix their client
// ids share (`student-01` … `student-200` → `student-`), so a view can fold 200 lanes into a few groups.
import type { Connection, ConnectionState } from './lab.js';

export interface ConnectionQuery {
  /** Case-insensitive substring of the client id (or of `conn #N` for a connection without one). */
  search?: string;
  /** Client ids starting with this, exactly. */
  prefix?: string;
  /** Connections in this group (groupOf). */
  group?: string;
  state?: ConnectionState;
  /** Only connections without a packet for at least this many ms (idle lanes to fold away). */
  idleFor?: number;
  /** Only connections with a packet in the last this many ms. */
  activeWithin?: number;
  limit?: number;
}

/** A connection with what a crowded view needs to sort, fold and filter its lanes. */
export interface ConnectionActivity extends Connection {
  group: string;
  packets: number;
  lastPacketAt?: number;
}

export interface ConnectionGroup {
  group: string;
  connections: number;
  connected: number;
  /** Connections with a packet in the last `activeWithin` ms (default 10 s). */
  active: number;
  packets: number;
  lastPacketAt?: number;
}

/**
 * The group of a client id: its text before a trailing number (`student-17` → `student-`, `rpi3` → `rpi`),
 * else before its first separator (`ada/laptop` → `ada/`), else the whole id. No id: `(no client id)`.
 */
export function groupOf(clientId: string | undefined): string {
  if (clientId === undefined || clientId === '') return '(no client id)';
  const numbered = /^(.*?[^\d])\d+$/.exec(clientId);
  if (numbered) return numbered[1]!;
  const sep = /^(.+?[-_./:])./.exec(clientId);
  return sep ? sep[1]! : clientId;
}

export function connectionLabel(c: Connection): string {
  return c.clientId === undefined || c.clientId === '' ? `conn #${c.connId}` : c.clientId;
}
