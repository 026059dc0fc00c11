// The one place the topic tree and the chart read a packet: what a PUBLISH says (topic, payload text, flags)
// and what a CONNECT says of its will. When the live stream carries summaries instead of whole packets
// (issue 10), only this module changes.
import type { WirePacket } from '../../shared/api.js';
import { findField } from './fields.js';
import { payloadText } from './payload.js';

export interface PublishView {
  seq: number;
  time: number;
  toBroker: boolean;
  topic: string;
  /** The payload as text; undefined when it is binary. */
  text: string | undefined;
  /** `text` is only the start of the payload. */
  cut: boolean;
  /** The payload's length in bytes. */
  size: number;
  qos: number;
  retain: boolean;
  dup: boolean;
}

/** A PUBLISH with a topic (an MQTT 5 alias-only PUBLISH has none to file it under), or null. */
export function publishOf(p: WirePacket): PublishView | null {
  if (p.decoded.type !== 'PUBLISH') return null;
  const i = p.decoded.info;
  if (i.topic === undefined || i.topic === '') return null;
  const text = payloadText(p);
  return {
    seq: p.seq,
    time: p.time,
    toBroker: p.direction === 'toBroker',
    topic: i.topic,
    text,
    cut: false,
    size: i.payloadLength ?? (text === undefined ? 0 : new TextEncoder().encode(text).length),
    qos: i.qos ?? 0,
    retain: i.retain === true,
    dup: i.dup === true,
  };
}

export interface WillView {
  clientId: string;
  /** Absent when the CONNECT has no will (a reconnect without one forgets the earlier will). */
  topic?: string;
  text: string | undefined;
}

/** What a CONNECT says about its client's Last Will, or null for any other packet. */
export function willOf(p: WirePacket): WillView | null {
  if (p.decoded.type !== 'CONNECT' || !p.decoded.info.clientId) return null;
  const topic = findField(p.decoded.fields, 'mqtt.willtopic')?.value;
  const msg = findField(p.decoded.fields, 'mqtt.willmsg');
  if (typeof topic !== 'string') return { clientId: p.decoded.info.clientId, text: undefined };
  const text = typeof msg?.value === 'string' && !msg.display?.includes('binary') ? msg.value : undefined;
  return { clientId: p.decoded.info.clientId, topic, text };
}
