// Which captured packets a view, a lesson expectation or the CLI asks for.
import type { Direction, PacketRecord } from '../../shared/lab.js';
import { hasWildcard, topicMatches } from '../../shared/topic-filter.js';

export interface RecordQuery {
  connId?: number;
  /** Matches every connection the client id was seen on (the store learns them through setClientId). */
  clientId?: string;
  /** Packet type name, e.g. 'PUBLISH', or several. */
  type?: string | string[];
  /**
   * A topic name, or a filter with + / #, matched against the PUBLISH topic (`info.topic`); a SUBSCRIBE or
   * UNSUBSCRIBE matches when one of its filters (`info.topics`) equals it or, for a wildcard query, matches it.
   */
  topic?: string;
  /** Inclusive time range, epoch ms. */
  from?: number;
  to?: number;
  direction?: Direction;
  /** Only records with seq > afterSeq (for paging forward and for "what is new since"). */
  afterSeq?: number;
  /** At most this many records. */
  limit?: number;
  /** With limit: the last matches instead of the first. */
  fromEnd?: boolean;
}

/** The query compiled into one predicate, so the scan over 100k records does no per-record set-up. */
export function compileQuery(q: RecordQuery, connIdsOfClient: (clientId: string) => ReadonlySet<number>): (r: PacketRecord) => boolean {
  const tests: Array<(r: PacketRecord) => boolean> = [];
  if (q.connId !== undefined) {
    const id = q.connId;
    tests.push((r) => r.connId === id);
  }
  if (q.clientId !== undefined) {
    const ids = connIdsOfClient(q.clientId);
    tests.push((r) => ids.has(r.connId));
  }
  if (q.type !== undefined) {
    const types = new Set(Array.isArray(q.type) ? q.type : [q.type]);
    tests.push((r) => types.has(r.decoded.type));
  }
  if (q.direction !== undefined) {
    const d = q.direction;
    tests.push((r) => r.direction === d);
  }
  if (q.from !== undefined) {
    const from = q.from;
    tests.push((r) => r.time >= from);
  }
  if (q.to !== undefined) {
    const to = q.to;
    tests.push((r) => r.time <= to);
  }
  if (q.afterSeq !== undefined) {
    const after = q.afterSeq;
    tests.push((r) => r.seq > after);
  }
  if (q.topic !== undefined) tests.push(topicTest(q.topic));
  if (tests.length === 0) return () => true;
  return (r) => {
    for (const t of tests) if (!t(r)) return false;
    return true;
  };
}

function topicTest(query: string): (r: PacketRecord) => boolean {
  const wildcard = hasWildcard(query);
  const matches = wildcard ? (topic: string) => topicMatches(query, topic) : (topic: string) => topic === query;
  return (r) => {
    const info = r.decoded.info;
    if (info.topic !== undefined && matches(info.topic)) return true;
    if (info.topics !== undefined) {
      for (const t of info.topics) if (t === query || (wildcard && topicMatches(query, t))) return true;
    }
    return false;
  };
}
