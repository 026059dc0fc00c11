// Conversions of core records to the JSON shapes of the API contract (bytes as hex).
import type { WireMessage, WirePacket } from '../../shared/api.js';
import type { PacketRecord, ReceivedMessage } from '../../shared/lab.js';
import { toHex } from '../dissect/utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

export function wirePacket(r: PacketRecord, clientId: string | undefined): WirePacket {
  const w: WirePacket = { seq: r.seq, time: r.time, connId: r.connId, direction: r.direction, bytes: toHex(r.bytes), decoded: r.decoded };
  if (clientId !== undefined) w.clientId = clientId;
  if (r.fault !== undefined) w.fault = r.fault;
  if (r.fullLength !== undefined) w.fullLength = r.fullLength;
  if (r.findings !== undefined) w.findings = r.findings;
  return w;
}

export function wireMessage(m: ReceivedMessage): WireMessage {
  const w: WireMessage = { time: m.time, topic: m.topic, payload: toHex(m.payload), qos: m.qos, retain: m.retain, dup: m.dup };
  try {
    w.text = fatal.decode(m.payload);
  } catch {
    // binary payload: hex only
  }
  return w;
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
