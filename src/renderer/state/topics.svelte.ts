// The topic tree, built from the PUBLISH packets seen: per topic, how many messages were published and
// delivered, the last payload, and the retained one (which a new subscriber would get first).
import type { WirePacket } from '../../shared/api.js';
import { findField } from '../lib/fields.js';
import { payloadText } from '../lib/payload.js';
import type { CaptureBatch, CaptureStore } from './capture.svelte.js';

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
      if (p.decoded.type === 'PUBLISH') changed = this.#ingest(p) || changed;
      else if (p.decoded.type === 'CONNECT' && p.decoded.info.clientId) this.#learnWill(p);
    }
    if (changed) this.version++;
  }

  #learnWill(p: WirePacket): void {
    const topic = findField(p.decoded.fields, 'mqtt.willtopic')?.value;
    const msg = findField(p.decoded.fields, 'mqtt.willmsg');
    if (typeof topic !== 'string') this.#wills.delete(p.decoded.info.clientId!);
    else this.#wills.set(p.decoded.info.clientId!, { topic, text: typeof msg?.value === 'string' && !msg.display?.includes('binary') ? msg.value : undefined });
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

  #ingest(p: WirePacket): boolean {
    const i = p.decoded.info;
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
    const text = payloadText(p);
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
      if (toBroker && (i.payloadLength ?? text?.length ?? 0) === 0) delete n.retained;
      else if (toBroker || !n.retained) n.retained = { text, time: p.time };
    }
    return true;
  }
}
