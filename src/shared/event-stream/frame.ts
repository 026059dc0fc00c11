// The shape of one stream frame: a tick's worth of Lab events, in order, with the packet summaries packed as
// rows against per-frame tables, so a PUBACK costs a couple of dozen bytes instead of a JSON object.
//
// Frame (JSON text):
//   { kind: 'stream', s: string[], h: Head[], k: string[][], e: Entry[] }
//   s  strings the rows point at by index (topics, payload previews, summary templates)
//   h  row heads: what a burst shares between packets of one connection, direction and type
//   k  row shapes: the keys a row carries after its fixed slots, each tagged with how its value is coded
//   e  events in order:
//        packet         [seqDelta, time, head, length, template, shape, ...values]
//                       (template: index into s; -1 - index when that string is the summary itself, not a template)
//        packet-update  ['u', seqDelta, time, head, length, template, shape, ...values]
//        any other      [eventName, data]
// Seq deltas and time deltas run from the previous packet row of the frame (the first from 0). A time delta is
// an integer count of TIME_UNIT, or a decimal string holding the whole time when no such integer is exact.

import type { Direction } from '../lab.js';
import type { MqttVersion, PacketTypeName } from '../packet.js';

export interface StreamFrame {
  kind: 'stream';
  s: string[];
  h: Head[];
  k: string[][];
  e: Entry[];
}

/** connId, clientId (null when absent), direction, type, typeCode, version. */
export type Head = [number, string | null, Direction, PacketTypeName, number, MqttVersion];

export type Entry = unknown[];

/** Packet times are epoch ms with 2^-12 ms resolution until 2039; their deltas are whole counts of it. */
export const TIME_UNIT = 1 / 4096;

/** Tag of a shape key: how its value is written in a row. */
export const TAG_NUMBER = 'n';
export const TAG_BOOLEAN = 'b';
export const TAG_STRING = 's';
export const TAG_JSON = 'j';

/** Prefix of a shape key that lives in `info` rather than on the summary itself. */
export const INFO_PREFIX = 'i.';

/** Marker for the first entry of a packet-update row. */
export const UPDATE = 'u';

/** Summary templates stand these control characters in for values of the row (see summary-template.ts). */
export const MARK_TOPIC = '\u0001';
export const MARK_PACKET_ID = '\u0002';
export const MARK_CLIENT_ID = '\u0003';
