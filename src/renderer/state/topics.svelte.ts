// The topic tree, built from the PUBLISH packets seen: per topic, how many messages were published and
// delivered, the last payload, the retained one (which a new subscriber would get first), and the history
// of what publishers sent there, for the topic's value history and its diff against the message before.
import type { CaptureDigest, WirePacket } from '../../shared/api.js';
import { findField } from '../lib/fields.js';
import { payloadText } from '../lib/payload.js';
import { publishOf, willOf, type PublishView } from '../lib/publish-view.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';

/** One message published on a topic: by a client (its PUBLISH to the broker), or by the broker as a will. */
export type TopicMessage = Pick<PublishView, 'time' | 'text' | 'cut' | 'size' | 'qos' | 'retain' | 'dup'> & {
  /** The PUBLISH packet; absent for a will, which the broker publishes without a packet through the tap. */
  seq?: number;
  /** The client whose Last Will this was. */
  willOf?: string;
};

export interface TopicNode {
  name: string;
  path: string;
  children: Map<string, TopicNode>;
  /** PUBLISH packets from clients to the broker on exactly this topic. */
  published: number;
  /** PUBLISH packets from the broker to subscribers. */
  delivered: number;
  /** Messages on this topic and below, for collapsed branches. */
  total: number;
  /** A message was seen on exactly this topic (a level such as `home` may be only a branch). */
  isTopic: boolean;
  last?: { text: string | undefined; time: number; qos: number };
  retained?: { text: string | undefined; time: number };
  /** When the retained message last changed (set or deleted): older packets read later change nothing. */
  retainedAt?: number;
  /** The latest messages published here, oldest first (at most HISTORY). */
  history: TopicMessage[];
}

/** Messages kept per topic: enough to scroll back through a lecture's telemetry without holding it all. */
export const HISTORY = 100;
/** Whole packets fetched at once for a topic's history. */
const MAX_COMPLETING = 16;

/** A payload as the tree shows it: the preview, marked when the payload goes on. */
function shownText(m: { text?: string; cut: boolean }): string | undefined {
  return m.cut && m.text !== undefined ? `${m.text}…` : m.text;
}

function node(name: string, path: string): TopicNode {
  return { name, path, children: new Map(), published: 0, delivered: 0, total: 0, isTopic: false, history: [] };
}

export class TopicsStore {
  root = node('', '');
  version = $state(0);
  /** Topics with at least one message: the rows of the tree that carry counts, not branches. */
  count = $state(0);
  /** The topic whose history is open. */
  selected = $state<string | null>(null);
  /** Wills from CONNECT packets, by client id: the broker publishes them itself, so no PUBLISH to the broker shows them. */
  #wills = new Map<string, { topic: string; text: string | undefined }>();
  /** Fetches a whole packet (set by the LabStore): for a will message or a payload longer than the summary's preview. */
  fetchPacket: ((seq: number) => Promise<WirePacket | undefined>) | null = null;
  /** Whole payload texts of history entries whose summary had only their start, by seq. */
  #whole = new Map<number, string | undefined>();
  #completing = 0;
  /**
   * Each topic's nodes from the root down, by topic name: a flood on a few topics reaches them without
   * splitting the name and walking the tree for every PUBLISH (a new array per packet, 7 % of the page's time
   * was garbage collection at 40k packets/s). Cleared with the tree.
   */
  #paths = new Map<string, TopicNode[]>();
  /** The last preview marked as cut, and its marked text: a flood repeats one payload, made into one string. */
  #lastCut: string | undefined;
  #lastShown: string | undefined;

  constructor(capture: CaptureStore) {
    capture.subscribe((b) => this.#onBatch(b));
  }

  /** The node of exactly this topic, if any message was seen on it. */
  find(path: string): TopicNode | undefined {
    void this.version;
    let n: TopicNode | undefined = this.root;
    for (const name of path.split('/')) n = n?.children.get(name);
    return n?.isTopic ? n : undefined;
  }

  /**
   * Takes the whole capture's topics from the core's digest (capture.digest) instead of reading every packet
   * through; live packets after `digest.upTo` follow as batches (a reset batch carries it).
   */
  #loadDigest(d: CaptureDigest): void {
    this.root = node('', '');
    this.#paths.clear();
    this.count = 0;
    this.#whole.clear();
    for (const t of d.topics) {
      const n = this.#reach(t.topic, t.published + t.delivered);
      n.published = t.published;
      n.delivered = t.delivered;
      this.root.published += t.published;
      this.root.delivered += t.delivered;
      if (t.last) n.last = { text: shownText(t.last), time: t.last.time, qos: t.last.qos };
      if (t.retained) n.retained = { text: shownText(t.retained), time: t.retained.time };
      if (t.retainedAt !== undefined) n.retainedAt = t.retainedAt;
      n.history = t.messages.slice(-HISTORY).map((m) => ({ seq: m.seq, time: m.time, text: m.text, cut: m.cut, size: m.size, qos: m.qos, retain: m.retain, dup: m.dup }));
    }
    this.#wills.clear();
    for (const w of d.wills) {
      const entry = { topic: w.topic, text: w.text };
      this.#wills.set(w.clientId, entry);
      if (w.cut) this.#completeWill(w.clientId, w.seq, entry);
    }
    this.version++;
  }

  /** A will message the summary had only the start of: read whole from the CONNECT itself. */
  #completeWill(clientId: string, seq: number, entry: { topic: string; text: string | undefined }): void {
    if (!this.fetchPacket) return;
    void this.fetchPacket(seq).then((w) => {
      const msg = w && findField(w.decoded.fields, 'mqtt.willmsg');
      if (this.#wills.get(clientId) === entry && typeof msg?.value === 'string' && !msg.display?.includes('binary')) entry.text = msg.value;
    }, () => {
      // Gone from the store, or the lab is away: the will keeps its preview.
    });
  }

  #onBatch(b: CaptureBatch): void {
    if (b.reset && b.digest !== undefined) {
      // The digest stands for every packet up to its newest, the first page's among them; packets held
      // back by a pause may follow in the same batch.
      this.#loadDigest(b.digest);
      const upTo = b.digest.upTo ?? -Infinity;
      b = { ...b, reset: false, added: b.added.filter((p) => p.seq > upTo) };
    }
    if (b.reset) {
      this.root = node('', '');
      this.#paths.clear();
      this.count = 0;
      this.#whole.clear();
    }
    let changed = b.reset;
    for (const p of b.added) {
      const pub = publishOf(p);
      if (pub) {
        this.#ingest(pub);
        changed = true;
        continue;
      }
      const will = willOf(p);
      if (!will) continue;
      if (will.topic === undefined) {
        this.#wills.delete(will.clientId);
        continue;
      }
      const entry = { topic: will.topic, text: will.text };
      this.#wills.set(will.clientId, entry);
      // The summary carries the will message's first characters; a longer one is read from the CONNECT itself.
      if (will.cut) this.#completeWill(will.clientId, will.seq, entry);
    }
    if (changed) this.version++;
  }

  /** The node for a topic, made (with its branches) when new; the root's and branches' totals grow by `add`. */
  #reach(topic: string, add: number): TopicNode {
    const known = this.#paths.get(topic);
    if (known !== undefined) {
      for (let k = 0; k < known.length; k++) known[k]!.total += add;
      return known[known.length - 1]!;
    }
    let n = this.root;
    n.total += add;
    const chain = [n];
    for (const name of topic.split('/')) {
      let c = n.children.get(name);
      if (!c) {
        c = node(name, n === this.root ? name : `${n.path}/${name}`);
        n.children.set(name, c);
      }
      c.total += add;
      n = c;
      chain.push(n);
    }
    if (!n.isTopic) {
      n.isTopic = true;
      this.count++;
    }
    this.#paths.set(topic, chain);
    return n;
  }

  /**
   * Reads whole the history entries of a topic that the summaries gave only the start of (the history shows
   * and compares whole payloads); at most the HISTORY entries kept, each once.
   */
  completeHistory(path: string): void {
    const n = this.find(path);
    if (!n || !this.fetchPacket) return;
    // Newest first, and a bounded number at a time: a flood of long payloads must not become a flood of fetches.
    for (let i = n.history.length - 1; i >= 0 && this.#completing < MAX_COMPLETING; i--) {
      const m = n.history[i]!;
      const seq = m.seq;
      if (!m.cut || seq === undefined || this.#whole.has(seq)) continue;
      this.#whole.set(seq, undefined);
      this.#completing++;
      void this.fetchPacket(seq).then((w) => {
        const text = w && payloadText(w);
        if (text === undefined || this.#whole.get(seq) !== undefined || !n.history.includes(m)) return;
        this.#whole.set(seq, text);
        m.text = text;
        m.cut = false;
      }).catch(() => {
        // Gone from the store, or the lab is away: the entry keeps its preview.
      }).finally(() => {
        this.#completing--;
        // The next ones (if any) are asked for on this change.
        this.version++;
      });
    }
  }

  #remember(n: TopicNode, m: TopicMessage): void {
    n.history.push(m);
    if (n.history.length > HISTORY) n.history.splice(0, n.history.length - HISTORY);
  }

  /** The broker published a client's will: it joins the topic's history, and a retained one becomes its retained message. */
  willPublished(clientId: string, topic: string, retain: boolean, time: number): void {
    const w = this.#wills.get(clientId);
    const text = w?.topic === topic ? w.text : undefined;
    const n = this.#reach(topic, 0);
    this.#remember(n, { time, text, cut: false, size: text === undefined ? 0 : new TextEncoder().encode(text).length, qos: 0, retain, dup: false, willOf: clientId });
    if (retain) n.retained = { text, time };
    this.version++;
  }

  #marked(text: string): string {
    if (text !== this.#lastCut) {
      this.#lastCut = text;
      this.#lastShown = `${text}…`;
    }
    return this.#lastShown!;
  }

  #ingest(p: PublishView): void {
    const n = this.#reach(p.topic, 1);
    // The root sums every topic's arrows, so the panel's header agrees with the counts beside the topics.
    if (p.toBroker) {
      n.published++;
      this.root.published++;
      // The broker's copies to subscribers repeat what the publisher sent: the history holds each message once.
      this.#remember(n, { seq: p.seq, time: p.time, text: p.text, cut: p.cut, size: p.size, qos: p.qos, retain: p.retain, dup: p.dup });
    } else {
      n.delivered++;
      this.root.delivered++;
    }
    // The tree shows the summary's preview, marked when the payload goes on.
    const shown = p.cut && p.text !== undefined ? this.#marked(p.text) : p.text;
    // The capture is read through while live packets arrive: an older packet never replaces a newer one.
    if (!n.last) n.last = { text: shown, time: p.time, qos: p.qos };
    else if (p.time >= n.last.time) {
      // In place: the tree reads it again on the version bump, and a flood makes no object per packet.
      n.last.text = shown;
      n.last.time = p.time;
      n.last.qos = p.qos;
    }
    if (p.retain && (p.toBroker ? p.time >= (n.retainedAt ?? -Infinity) : !n.retained)) {
      // An empty retained PUBLISH deletes the retained message (MQTT-3.3.1-10).
      if (p.toBroker && p.size === 0) delete n.retained;
      else n.retained = { text: shown, time: p.time };
      if (p.toBroker) n.retainedAt = p.time;
    }
  }
}
