// The topic tree, built from the PUBLISH packets seen: per topic, how many messages were published and
// delivered, the last payload, and the retained one (which a new subscriber would get first).
import { PAYLOAD_PREVIEW, type PacketSummary, type WirePacket } from '../../shared/api.js';
import { findField } from '../lib/fields.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';

/** A payload as the summary has it: its first characters, marked when there is more. */
function previewOf(p: PacketSummary): string | undefined {
  return p.payloadText !== undefined && p.payloadCut ? `${p.payloadText}…` : p.payloadText;
}

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
  last?: { text: string | undefined; time: number; qos: number };
  retained?: { text: string | undefined; time: number };
}

function node(name: string, path: string): TopicNode {
  return { name, path, children: new Map(), published: 0, delivered: 0, total: 0 };
}

export class TopicsStore {
  root = node('', '');
  version = $state(0);
  count = $state(0);
  /** Wills from CONNECT packets, by client id: the broker publishes them itself, so no PUBLISH to the broker shows them. */
  #wills = new Map<string, { topic: string; text: string | undefined }>();

  /** Fetches a whole packet, for a will message longer than the summary's preview. */
  fetchPacket: ((seq: number) => Promise<WirePacket | undefined>) | null = null;

  constructor(capture: CaptureStore) {
    capture.subscribe((b) => this.#onBatch(b));
  }

  #onBatch(b: CaptureBatch): void {
    if (b.reset) {
      this.root = node('', '');
      this.count = 0;
    }
    let changed = b.reset;
    for (const p of b.added) {
      if (p.type === 'PUBLISH') changed = this.#ingest(p) || changed;
      else if (p.type === 'CONNECT' && p.info.clientId) this.#learnWill(p);
    }
    if (changed) this.version++;
  }

  #learnWill(p: PacketSummary): void {
    const id = p.info.clientId!;
    if (p.will === undefined) {
      this.#wills.delete(id);
      return;
    }
    this.#wills.set(id, { topic: p.will.topic, text: p.will.text });
    // The summary carries the will message's first characters; a longer one is read from the packet itself.
    if ((p.will.text?.length ?? 0) >= PAYLOAD_PREVIEW && this.fetchPacket) {
      const topic = p.will.topic;
      void this.fetchPacket(p.seq).then((w) => {
        const msg = w && findField(w.decoded.fields, 'mqtt.willmsg');
        const cur = this.#wills.get(id);
        if (cur?.topic !== topic || typeof msg?.value !== 'string' || msg.display?.includes('binary')) return;
        cur.text = msg.value;
      });
    }
  }

  /** The broker published a client's will: a retained one becomes the topic's retained message. */
  willPublished(clientId: string, topic: string, retain: boolean, time: number): void {
    if (!retain) return;
    const w = this.#wills.get(clientId);
    let n = this.root;
    for (const name of topic.split('/')) {
      let c = n.children.get(name);
      if (!c) {
        c = node(name, n.path ? `${n.path}/${name}` : name);
        n.children.set(name, c);
        if (c.path === topic) this.count++;
      }
      n = c;
    }
    n.retained = { text: w?.topic === topic ? w.text : undefined, time };
    this.version++;
  }

  #ingest(p: PacketSummary): boolean {
    const i = p.info;
    const topic = i.topic;
    if (topic === undefined || topic === '') return false;
    const parts = topic.split('/');
    let n = this.root;
    n.total++;
    for (let k = 0; k < parts.length; k++) {
      const name = parts[k]!;
      let c = n.children.get(name);
      if (!c) {
        c = node(name, parts.slice(0, k + 1).join('/'));
        n.children.set(name, c);
        if (k === parts.length - 1) this.count++;
      }
      c.total++;
      n = c;
    }
    const text = previewOf(p);
    const toBroker = p.direction === 'toBroker';
    // The root sums every topic's arrows, so the panel's header agrees with the counts beside the topics.
    if (toBroker) {
      n.published++;
      this.root.published++;
    } else {
      n.delivered++;
      this.root.delivered++;
    }
    n.last = { text, time: p.time, qos: i.qos ?? 0 };
    if (i.retain) {
      // An empty retained PUBLISH deletes the retained message (MQTT-3.3.1-10).
      if (toBroker && (i.payloadLength ?? p.payloadText?.length ?? 0) === 0) delete n.retained;
      else if (toBroker || !n.retained) n.retained = { text, time: p.time };
    }
    return true;
  }
}
