// Numbers TCP conversations the way Wireshark's tcp.stream does: in order of their first packet, with a new
// number when a fresh SYN reuses the 4-tuple of an earlier connection.
import { TCP_ACK, TCP_SYN, type TcpSegment } from './tcp.js';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface Conversation<T> {
  /** tcp.stream: 0-based, in order of first appearance. */
  index: number;
  /** The endpoint that sent the conversation's first captured packet. */
  a: Endpoint;
  b: Endpoint;
  /** Sequence number of the first SYN seen from `a`, to tell a retransmitted SYN from a new connection. */
  synSeq: number | undefined;
  /** Whatever the caller keeps per conversation. */
  state: T;
}

export interface Lookup<T> {
  conversation: Conversation<T>;
  /** The packet travels from `a` to `b`. */
  fromA: boolean;
  created: boolean;
  /** The earlier connection on the same 4-tuple that this packet's SYN ended. */
  replaced?: Conversation<T>;
}

export class ConversationTable<T> {
  readonly #byTuple = new Map<string, Conversation<T>>();
  readonly #create: (index: number, a: Endpoint, b: Endpoint) => T;
  #count = 0;

  constructor(create: (index: number, a: Endpoint, b: Endpoint) => T) {
    this.#create = create;
  }

  get size(): number {
    return this.#count;
  }

  lookup(src: string, dst: string, seg: TcpSegment): Lookup<T> {
    const key = tupleKey(src, seg.srcPort, dst, seg.dstPort);
    const existing = this.#byTuple.get(key);
    const opening = (seg.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (existing) {
      const fromA = existing.a.ip === src && existing.a.port === seg.srcPort;
      // Only a SYN that is not a retransmission of the one we saw starts a new connection.
      const reused = opening && existing.synSeq !== seg.seq;
      if (!reused) {
        if (opening && fromA) existing.synSeq = seg.seq;
        return { conversation: existing, fromA, created: false };
      }
    }
    const a = { ip: src, port: seg.srcPort };
    const b = { ip: dst, port: seg.dstPort };
    const index = this.#count++;
    const conversation: Conversation<T> = { index, a, b, synSeq: opening ? seg.seq : undefined, state: this.#create(index, a, b) };
    this.#byTuple.set(key, conversation);
    return existing
      ? { conversation, fromA: true, created: true, replaced: existing }
      : { conversation, fromA: true, created: true };
  }

  /** Conversations still in the table, in stream order (a reused 4-tuple keeps only the newest). */
  current(): Conversation<T>[] {
    return [...this.#byTuple.values()].sort((x, y) => x.index - y.index);
  }
}

function tupleKey(src: string, srcPort: number, dst: string, dstPort: number): string {
  const one = `${src}|${srcPort}`;
  const two = `${dst}|${dstPort}`;
  return one < two ? `${one}|${two}` : `${two}|${one}`;
}
