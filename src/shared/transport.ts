// The outer layers of a connection that did not come as plain TCP: TLS records and WebSocket frames, as
// they went on the wire, each linked to the MQTT packets whose bytes it carried.
import type { Direction } from './lab.js';
import type { FieldNode } from './packet.js';

export type LayerName = 'tls' | 'ws';

/** One TLS record or one WebSocket frame. */
export interface LayerUnit {
  /** Increasing across the lab, in the order the units were seen. */
  id: number;
  connId: number;
  direction: Direction;
  /** Epoch ms when the unit's last byte was seen. */
  time: number;
  layer: LayerName;
  /** Offset of the unit's first byte in the stream that carries it (TCP for TLS and ws, the TLS plaintext for wss). */
  offset: number;
  /** Bytes on that stream, header included. */
  length: number;
  /** One line as an observer on the carrying stream reads it, e.g. `TLS 1.2 record: Application Data, 57 bytes (encrypted)`. */
  summary: string;
  /** Header fields (Wireshark's `tls.*` / `websocket.*` names); offsets are relative to the unit's first byte. */
  fields: FieldNode[];
  /** Hex of the unit's first bytes (its header and up to 32 bytes after). */
  head: string;
  /** What the lab's own session keys show inside an encrypted record (nothing an observer on the wire can read). */
  inner?: string;
  /** Why an encrypted record could not be opened. */
  sealed?: string;
  /** Sequence numbers of the MQTT packets with bytes in this unit. */
  packets: number[];
}
