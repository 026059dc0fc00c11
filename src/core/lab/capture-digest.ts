// The topic tree, the chart's messages, the wills and the fault rules' hits of the whole capture, computed in
// the core (capture.digest): a page opening on a million packets used to read every summary through, page by
// page, for these (minutes). The digest is kept and brought up to date from where it stopped, reading a
// PUBLISH's topic, flags and payload straight from the store's bytes; a packet the lean reader cannot read
// (malformed, cut by the byte budget) is read through its summary, as the page read it.
//
// It follows the page's own rules (renderer/state/topics.svelte.ts): counts per topic, the newest message
// either way, the retained message (an empty retained PUBLISH deletes it, MQTT-3.3.1-10; a broker's copy
// counts only while none is known), and a history of what publishers sent. Counts cover every packet since
// the capture began, those the bounded store has since let go included.
import { PAYLOAD_PREVIEW, type CaptureDigest, type DigestMessage, type DigestTopic } from '../../shared/api.js';
import type { CaptureStore } from '../store/capture-store.js';
import { connectWill, publishPayloadAt } from '../store/lean-fields.js';
import { publishTopic } from '../store/record-facts.js';
import { isTextPayload } from '../dissect/payload.js';
import { decodeUtf8 } from '../dissect/utf8.js';
import { summaryOf } from './wire.js';

/** Messages kept per topic (the most a page may ask for). */
export const KEPT_MESSAGES = 1000;
/** Messages one digest answers at most, over all topics: a class with many topics gets fewer each. */
const MAX_ANSWERED = 100_000;
/** Packets of each type and version named for the filter box to learn field names from. */
const SAMPLES_PER_KIND = 2;
/** Payloads up to this many bytes keep their whole text (telemetry JSON); longer ones a preview. */
const WHOLE_TEXT = 1024;

/**
 * A topic as the scan keeps it: counts, and the seqs of the packets the answer names, whose payload texts are
 * read only when asked (decoding a million payloads nobody shows was most of the scan's time).
 */
interface TopicState {
  topic: string;
  published: number;
  delivered: number;
  last?: { seq: number; time: number };
  retained?: number;
  retainedAt?: number;
  /** Publishers' messages, oldest first; trimmed to KEPT_MESSAGES when it reaches twice that. */
  messages: number[];
}

interface Publish { seq: number; time: number; toBroker: boolean; topic: string; text: string | undefined; cut: boolean; size: number; qos: number; retain: boolean; dup: boolean }

function textOf(p: Publish): { text?: string; cut: boolean } {
  return p.text === undefined ? { cut: p.cut } : { text: p.text, cut: p.cut };
}

function message(p: Publish): DigestMessage {
  const m: DigestMessage = { seq: p.seq, time: p.time, cut: p.cut, size: p.size, qos: p.qos, retain: p.retain, dup: p.dup };
  if (p.text !== undefined) m.text = p.text;
  return m;
}

/** A text payload's first PAYLOAD_PREVIEW characters, as a summary shows it: never half of a surrogate pair. */
function preview(bytes: Uint8Array, at: number, end: number): string {
  const head = decodeUtf8(bytes, at, Math.min(end, at + 4 * PAYLOAD_PREVIEW));
  if (head.length <= PAYLOAD_PREVIEW) return head;
  let cutAt = PAYLOAD_PREVIEW;
  const lastCode = head.charCodeAt(cutAt - 1);
  if (lastCode >= 0xd800 && lastCode <= 0xdbff) cutAt--;
  return head.slice(0, cutAt);
}

export class CaptureDigestCache {
  private topics = new Map<string, TopicState>();
  private wills = new Map<string, CaptureDigest['wills'][number]>();
  private conns = new Set<number>();
  /** Seqs of the first packets of each type and version, by type code * 8 + version. */
  private samples = new Map<number, number[]>();
  private scanned = 0;
  private generation = -1;

  constructor(private readonly store: CaptureStore) {}

  /** Reads records not yet read, until `deadline` (performance.now()); true when up to date. */
  update(deadline = Infinity): boolean {
    const store = this.store;
    if (store.generation !== this.generation) {
      this.topics = new Map();
      this.wills = new Map();
      this.conns = new Set();
      this.samples = new Map();
      this.scanned = 0;
      this.generation = store.generation;
    }
    const first = store.firstSeq;
    const last = store.lastSeq;
    if (first === undefined || last === undefined) return true;
    let s = Math.max(this.scanned + 1, first);
    while (s <= last) {
      const end = Math.min(last, s + 4095);
      for (; s <= end; s++) {
        const code = store.typeCodeOf(s)!;
        this.conns.add(store.connIdOf(s)!);
        const kind = (code + 1) * 8 + store.versionOf(s)!;
        const seen = this.samples.get(kind);
        if (seen === undefined) this.samples.set(kind, [s]);
        else if (seen.length < SAMPLES_PER_KIND) seen.push(s);
        if (code === 3) this.publish(s);
        else if (code === 1) this.connect(s);
      }
      this.scanned = end;
      if (performance.now() > deadline) break;
    }
    return s > last;
  }

  /** Brings the digest up to date in slices of `sliceMs`, yielding between them (the tap shares this thread). */
  async prepare(sliceMs = 20): Promise<void> {
    while (!this.update(performance.now() + sliceMs)) await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** The digest as it stands (call update or prepare first): the newest `messages` per topic. */
  result(messages = 100, times: readonly number[] = []): CaptureDigest {
    const per = Math.min(messages, KEPT_MESSAGES, Math.floor(MAX_ANSWERED / Math.max(1, this.topics.size)));
    const topics: DigestTopic[] = [];
    // A packet the bounded store has let go since it was counted can no longer be read: it is left out, as a
    // page reading the store through would not have seen it either.
    const readable = (seq: number): Publish | null => (this.store.has(seq) ? this.read(seq, true) : null);
    for (const t of this.topics.values()) {
      const kept = per === 0 ? [] : t.messages.slice(-per).map(readable).filter((p) => p !== null);
      const d: DigestTopic = { topic: t.topic, published: t.published, delivered: t.delivered, messages: kept.map(message) };
      const last = t.last === undefined ? null : readable(t.last.seq);
      if (last !== null) d.last = { ...textOf(last), time: last.time, qos: last.qos };
      const retained = t.retained === undefined ? null : readable(t.retained);
      if (retained !== null) d.retained = { ...textOf(retained), time: retained.time };
      if (t.retainedAt !== undefined) d.retainedAt = t.retainedAt;
      topics.push(d);
    }
    const ruleHits: Record<string, number> = {};
    for (const [seq, f] of this.store.faults()) if (seq <= this.scanned && f.ruleId !== undefined) ruleHits[f.ruleId] = (ruleHits[f.ruleId] ?? 0) + 1;
    const upTo = this.store.size === 0 ? null : Math.min(this.scanned, this.store.lastSeq!);
    const connections = [...this.conns].map((connId) => {
      const clientId = this.store.clientIdOf(connId);
      return clientId === undefined ? { connId } : { connId, clientId };
    });
    const samples = [...this.samples.values()].flat().filter((s) => this.store.has(s));
    return { upTo, topics, wills: [...this.wills.values()], ruleHits, connections, samples, seqsAt: times.map((t) => this.seqAt(t, upTo)) };
  }

  /** The newest seq at or before `time`, by binary search (records are appended in time order, near enough). */
  private seqAt(time: number, upTo: number | null): number | null {
    const first = this.store.firstSeq;
    if (first === undefined || upTo === null) return null;
    let lo = first;
    let hi = upTo;
    if (this.store.timeOf(lo)! > time) return null;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.store.timeOf(mid)! <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private publish(seq: number): void {
    const p = this.read(seq, false);
    // An MQTT 5 PUBLISH by Topic Alias alone names no topic to file it under.
    if (p === null || p.topic === '') return;
    let t = this.topics.get(p.topic);
    if (t === undefined) this.topics.set(p.topic, (t = { topic: p.topic, published: 0, delivered: 0, messages: [] }));
    if (p.toBroker) {
      t.published++;
      t.messages.push(seq);
      if (t.messages.length >= 2 * KEPT_MESSAGES) t.messages = t.messages.slice(-KEPT_MESSAGES);
    } else {
      t.delivered++;
    }
    if (t.last === undefined || p.time >= t.last.time) t.last = { seq, time: p.time };
    if (p.retain && (p.toBroker ? p.time >= (t.retainedAt ?? -Infinity) : t.retained === undefined)) {
      if (p.toBroker && p.size === 0) delete t.retained;
      else t.retained = seq;
      if (p.toBroker) t.retainedAt = p.time;
    }
  }

  /** A PUBLISH's facts from its bytes, or from its summary when the bytes are irregular; its text only `withText`. */
  private read(seq: number, withText: boolean): Publish | null {
    const store = this.store;
    const bytes = store.bytesOf(seq)!;
    const version = store.versionOf(seq)!;
    const at = publishPayloadAt(bytes, version);
    const time = store.timeOf(seq)!;
    const toBroker = store.directionOf(seq) === 'toBroker';
    if (at < 0) {
      const s = summaryOf(store.get(seq)!, undefined);
      const i = s.info;
      if (i.topic === undefined) return null;
      return { seq, time, toBroker, topic: i.topic, text: s.payloadText, cut: s.payloadCut === true, size: i.payloadLength ?? 0, qos: i.qos ?? 0, retain: i.retain === true, dup: i.dup === true };
    }
    const topic = publishTopic(bytes, version) ?? '';
    const b0 = bytes[0]!;
    const size = bytes.length - at;
    const p: Publish = { seq, time, toBroker, topic, text: '', cut: false, size, qos: (b0 >> 1) & 3, retain: (b0 & 1) !== 0, dup: (b0 & 8) !== 0 };
    if (size === 0 || !withText) return p;
    if (!isTextPayload(bytes, at, bytes.length)) {
      p.text = undefined;
      p.cut = true;
      return p;
    }
    if (size <= WHOLE_TEXT) {
      p.text = decodeUtf8(bytes, at, bytes.length);
      return p;
    }
    p.text = preview(bytes, at, bytes.length);
    p.cut = p.text.length < size;
    return p;
  }

  /** A CONNECT sets its client's will, or forgets the one an earlier CONNECT set. */
  private connect(seq: number): void {
    const bytes = this.store.bytesOf(seq)!;
    const lean = connectWill(bytes, this.store.versionOf(seq)!);
    if (lean !== null) {
      if (lean.clientId === '') return;
      if (lean.will === undefined) {
        this.wills.delete(lean.clientId);
        return;
      }
      const { topic, at, end } = lean.will;
      const w: CaptureDigest['wills'][number] = { clientId: lean.clientId, seq, topic, cut: false };
      if (at === end) w.text = '';
      else if (isTextPayload(bytes, at, end)) w.text = preview(bytes, at, end);
      w.cut = (w.text?.length ?? 0) >= PAYLOAD_PREVIEW;
      this.wills.set(lean.clientId, w);
      return;
    }
    const s = summaryOf(this.store.get(seq)!, undefined);
    const clientId = s.info.clientId;
    if (!clientId) return;
    if (s.will === undefined) {
      this.wills.delete(clientId);
      return;
    }
    const w: CaptureDigest['wills'][number] = { clientId, seq, topic: s.will.topic, cut: (s.will.text?.length ?? 0) >= PAYLOAD_PREVIEW };
    if (s.will.text !== undefined) w.text = s.will.text;
    this.wills.set(clientId, w);
  }
}
