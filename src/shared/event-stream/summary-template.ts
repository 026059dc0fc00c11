// A summary line is mostly the same words with a packet's own topic, packet id or client id in them:
// "PUBACK (m4711)". Standing those values in for markers turns a burst's thousands of lines into a handful of
// templates. Exact by construction: a line that already holds a marker gets no template (it is sent whole), and
// the values put back hold no marker, so each marker comes back as exactly the text it stood for.
import type { PacketInfo } from '../packet.js';
import { MARK_CLIENT_ID, MARK_PACKET_ID, MARK_TOPIC } from './frame.js';

const MARKS = /[\u0001-\u0003]/;

interface Slot {
  mark: string;
  text: (info: PacketInfo) => string | undefined;
}

// The forms the dissector's summaries write these values in (src/core/dissect/summary.ts); any other form
// simply stays in the template.
const SLOTS: Slot[] = [
  { mark: MARK_TOPIC, text: (i) => (i.topic ? `'${i.topic}'` : undefined) },
  { mark: MARK_PACKET_ID, text: (i) => (i.packetId === undefined ? undefined : `m${i.packetId}`) },
  { mark: MARK_CLIENT_ID, text: (i) => (i.clientId ? `'${i.clientId}'` : undefined) },
];

/** The template of a summary line, or null when the line must travel whole. */
export function toTemplate(summary: string, info: PacketInfo): string | null {
  if (MARKS.test(summary)) return null;
  let t = summary;
  for (const slot of SLOTS) {
    const v = slot.text(info);
    // replaceAll is split/join without the array (the encoder's largest own cost under a burst); the mark
    // holds no `$`, so nothing in it reads as a replacement pattern.
    if (v !== undefined) t = t.replaceAll(v, slot.mark);
  }
  return t;
}

export function fromTemplate(template: string, info: PacketInfo): string {
  let s = template;
  for (const slot of SLOTS) {
    const v = slot.text(info);
    if (v !== undefined) s = s.split(slot.mark).join(v);
  }
  return s;
}
