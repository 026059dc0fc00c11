// The one place the topic tree and its history read a packet: what a PUBLISH says (topic, payload text,
// flags) and what a CONNECT says of its will, from the summaries the live stream carries (issue 10). A
// payload is there only as its first characters (PAYLOAD_PREVIEW); `cut` says so, and the whole packet can
// be fetched when the whole text matters.
import { PAYLOAD_PREVIEW, type PacketSummary } from '../../shared/api.js';

export interface PublishView {
  seq: number;
  time: number;
  toBroker: boolean;
  topic: string;
  /** The payload as text; undefined when it is binary. */
  text: string | undefined;
  /** `text` is only the start of the payload (or absent for a binary one). */
  cut: boolean;
  /** The payload's length in bytes. */
  size: number;
  qos: number;
  retain: boolean;
  dup: boolean;
}

/** A PUBLISH with a topic (an MQTT 5 alias-only PUBLISH has none to file it under), or null. */
export function publishOf(p: PacketSummary): PublishView | null {
  if (p.type !== 'PUBLISH') return null;
  const i = p.info;
  if (i.topic === undefined || i.topic === '') return null;
  return {
    seq: p.seq,
    time: p.time,
    toBroker: p.direction === 'toBroker',
    topic: i.topic,
    text: p.payloadText,
    cut: p.payloadCut === true,
    size: i.payloadLength ?? (p.payloadText === undefined ? 0 : new TextEncoder().encode(p.payloadText).length),
    qos: i.qos ?? 0,
    retain: i.retain === true,
    dup: i.dup === true,
  };
}

export interface WillView {
  seq: number;
  clientId: string;
  /** Absent when the CONNECT has no will (a reconnect without one forgets the earlier will). */
  topic?: string;
  text: string | undefined;
  /** The will message may be longer than the text here: the CONNECT itself has it whole. */
  cut: boolean;
}

/** What a CONNECT says about its client's Last Will, or null for any other packet. */
export function willOf(p: PacketSummary): WillView | null {
  if (p.type !== 'CONNECT' || !p.info.clientId) return null;
  if (p.will === undefined) return { seq: p.seq, clientId: p.info.clientId, text: undefined, cut: false };
  return { seq: p.seq, clientId: p.info.clientId, topic: p.will.topic, text: p.will.text, cut: (p.will.text?.length ?? 0) >= PAYLOAD_PREVIEW };
}
