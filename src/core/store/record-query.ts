// Which captured packets a view, a lesson expectation or the CLI asks for.
import type { Direction } from '../../shared/lab.js';
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

/** What a query reads of a record, by seq, without building its tree unless it must (CaptureStore). */
export interface QueryFacts {
  connIdOf(seq: number): number | undefined;
  typeOf(seq: number): string | undefined;
  directionOf(seq: number): Direction | undefined;
  timeOf(seq: number): number | undefined;
  publishTopicOf(seq: number): string | undefined;
  tree(seq: number): { info: { topic?: string; topics?: string[] } } | undefined;
}

/** The query compiled into one predicate over seqs, so the scan over 100k records does no per-record set-up. */
export function compileQuery(q: RecordQuery, facts: QueryFacts, connIdsOfClient: (clientId: string) => ReadonlySet<number>): (seq: number) => boolean {
  const tests: Array<(seq: number) => boolean> = [];
  if (q.connId !== undefined) {
    const id = q.connId;
    tests.push((s) => facts.connIdOf(s) === id);
  }
  if (q.clientId !== undefined) {
    const ids = connIdsOfClient(q.clientId);
    tests.push((s) => ids.has(facts.connIdOf(s)!));
  }
  if (q.type !== undefined) {
    const types = new Set<string>(Array.isArray(q.type) ? q.type : [q.type]);
    tests.push((s) => types.has(facts.typeOf(s)!));
  }
  if (q.direction !== undefined) {
    const d = q.direction;
    tests.push((s) => facts.directionOf(s) === d);
  }
  if (q.from !== undefined) {
    const from = q.from;
    tests.push((s) => facts.timeOf(s)! >= from);
  }
  if (q.to !== undefined) {
    const to = q.to;
    tests.push((s) => facts.timeOf(s)! <= to);
  }
  if (q.afterSeq !== undefined) {
    const after = q.afterSeq;
    tests.push((s) => s > after);
  }
  if (q.topic !== undefined) tests.push(topicTest(q.topic, facts));
  if (tests.length === 0) return () => true;
  return (s) => {
    for (const t of tests) if (!t(s)) return false;
    return true;
  };
}

/** Only PUBLISH, SUBSCRIBE and UNSUBSCRIBE name topics; a PUBLISH topic is read from the bytes when it can be. */
function topicTest(query: string, facts: QueryFacts): (seq: number) => boolean {
  const wildcard = hasWildcard(query);
  const matches = wildcard ? (topic: string) => topicMatches(query, topic) : (topic: string) => topic === query;
  return (s) => {
    const type = facts.typeOf(s);
    if (type !== 'PUBLISH' && type !== 'SUBSCRIBE' && type !== 'UNSUBSCRIBE') return false;
    if (type === 'PUBLISH') {
      const quick = facts.publishTopicOf(s);
      if (quick !== undefined) return matches(quick);
    }
    const info = facts.tree(s)?.info;
    if (info === undefined) return false;
    if (info.topic !== undefined && matches(info.topic)) return true;
    if (info.topics !== undefined) {
      for (const t of info.topics) if (t === query || (wildcard && topicMatches(query, t))) return true;
    }
    return false;
  };
}
