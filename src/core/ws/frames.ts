// WebSocket frames (RFC 6455 §5.2): cutting a byte stream into frames, unmasking client payloads, building
// the server's unmasked frames, and describing a frame's header with Wireshark's `websocket.*` names.
import type { FieldNode } from '../../shared/packet.js';

export const OPCODES: Record<number, string> = { 0: 'Continuation', 1: 'Text', 2: 'Binary', 8: 'Connection Close', 9: 'Ping', 10: 'Pong' };

export interface WsFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Header bytes: 2, plus 2 or 8 of extended length, plus 4 of masking key. */
  headerLength: number;
  payloadLength: number;
  maskingKey?: Uint8Array;
  /** The whole frame as it went on the wire (payload still masked). */
  bytes: Uint8Array;
  /** The payload, unmasked. */
  payload: Uint8Array;
}

export type FrameEvent = { kind: 'frame'; frame: WsFrame } | { kind: 'too-big'; length: number };

export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxPayload: number) {}

  push(chunk: Uint8Array): FrameEvent[] {
    this.buf = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    const out: FrameEvent[] = [];
    let at = 0;
    for (;;) {
      const b = this.buf;
      if (b.length - at < 2) break;
      const masked = (b[at + 1]! & 0x80) !== 0;
      let len = b[at + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (b.length - at < 4) break;
        len = (b[at + 2]! << 8) | b[at + 3]!;
        head = 4;
      } else if (len === 127) {
        if (b.length - at < 10) break;
        const v = new DataView(b.buffer, b.byteOffset + at + 2, 8).getBigUint64(0);
        if (v > BigInt(this.maxPayload)) {
          out.push({ kind: 'too-big', length: Number(v) });
          this.buf = new Uint8Array(0);
          return out;
        }
        len = Number(v);
        head = 10;
      }
      if (len > this.maxPayload) {
        out.push({ kind: 'too-big', length: len });
        this.buf = new Uint8Array(0);
        return out;
      }
      if (masked) head += 4;
      if (b.length - at < head + len) break;
      // Copies (Uint8Array's slice, not Buffer's view): unmasking must leave the wire bytes as they were.
      const bytes = copy(b, at, at + head + len);
      const payload = copy(bytes, head, bytes.length);
      const frame: WsFrame = { fin: (bytes[0]! & 0x80) !== 0, rsv: (bytes[0]! >> 4) & 7, opcode: bytes[0]! & 0x0f, masked, headerLength: head, payloadLength: len, bytes, payload };
      if (masked) {
        const key = bytes.subarray(head - 4, head);
        frame.maskingKey = key;
        for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
      }
      out.push({ kind: 'frame', frame });
      at += head + len;
    }
    this.buf = this.buf.subarray(at);
    return out;
  }
}

/** A server frame: never masked (RFC 6455 §5.1). */
export function buildFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(head + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out[2] = n >> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(n));
  }
  out.set(payload, head);
  return out;
}


export function frameFields(f: WsFrame, payloadName: string): FieldNode[] {
  const op = OPCODES[f.opcode] ?? `Reserved (${f.opcode})`;
  const lenBytes = f.headerLength - (f.masked ? 4 : 0);
  const children: FieldNode[] = [
    { name: 'Fin', filter: 'websocket.fin', offset: 0, length: 1, mask: 0x80, value: f.fin },
    { name: 'Reserved', filter: 'websocket.rsv', offset: 0, length: 1, mask: 0x70, value: f.rsv },
    { name: 'Opcode', filter: 'websocket.opcode', offset: 0, length: 1, mask: 0x0f, value: f.opcode, display: `${op} (${f.opcode})` },
    { name: 'Mask', filter: 'websocket.mask', offset: 1, length: 1, mask: 0x80, value: f.masked },
    { name: 'Payload length', filter: 'websocket.payload_length', offset: 1, length: 1, mask: 0x7f, value: lenBytes === 2 ? f.payloadLength : lenBytes === 4 ? 126 : 127 },
  ];
  if (lenBytes === 4) children.push({ name: 'Extended Payload length (16 bits)', filter: 'websocket.payload_length_ext_16', offset: 2, length: 2, value: f.payloadLength });
  if (lenBytes === 10) children.push({ name: 'Extended Payload length (64 bits)', filter: 'websocket.payload_length_ext_64', offset: 2, length: 8, value: f.payloadLength });
  if (f.maskingKey !== undefined) children.push({ name: 'Masking-Key', filter: 'websocket.masking_key', offset: lenBytes, length: 4, value: Buffer.from(f.maskingKey).toString('hex') });
  children.push({ name: f.masked ? 'Masked payload' : 'Payload', filter: f.masked ? 'websocket.masked_payload' : 'websocket.payload', offset: f.headerLength, length: f.payloadLength, display: payloadName });
  return [{ name: 'WebSocket frame', filter: 'websocket', offset: 0, length: f.bytes.length, display: `${op}${f.fin ? '' : ' (more fragments follow)'}`, children }];
}

function copy(b: Uint8Array, from: number, to: number): Uint8Array {
  return Uint8Array.prototype.slice.call(b, from, to);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}
