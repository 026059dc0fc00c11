// Open questions: the answer a student types, checked against the lesson's value or against a field of a
// packet from the student's own capture (so every run has its own right answer: the packet identifier the
// broker chose, the remaining length of this PUBLISH).
import type { WirePacket } from '../../shared/api.js';
import { PACKET_LENGTH_FIELD, type OpenAnswer } from '../../shared/lesson.js';
import { findField } from '../dissect/tree.js';
import { describePacket, packetMatches, type Identities } from './match-packet.js';

/** The right answer of this run, and the packet it was read from. */
export interface AnswerKey {
  value: string | number;
  seq?: number;
}

/** The right answer, or why there is none (no packet of the step matches, or it lacks the field). */
export function answerKey(open: OpenAnswer, packets: readonly WirePacket[], ids: Identities): AnswerKey | string {
  if ('value' in open) return { value: open.value };
  const { field, packet } = open.read;
  const p = packets.find((x) => packetMatches(packet, x, ids));
  if (p === undefined) return `the capture of this step has no ${describePacket(packet)} to read the answer from`;
  if (field === PACKET_LENGTH_FIELD) return { value: p.decoded.length, seq: p.seq };
  const node = findField(p.decoded.fields, field);
  if (node?.value === undefined) return `${p.decoded.type} #${p.seq} has no ${field}`;
  const v = node.value;
  return { value: typeof v === 'boolean' ? (v ? 1 : 0) : v, seq: p.seq };
}

/** A typed number: decimal, or hexadecimal with 0x (a byte as the hex view shows it). */
function typedNumber(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  return undefined;
}

export function isRightAnswer(key: AnswerKey, typed: string): boolean {
  if (typeof key.value === 'number') return typedNumber(typed) === key.value;
  const n = typedNumber(key.value);
  // A number the lesson wrote as text ("0x32") is still a number.
  if (n !== undefined) return typedNumber(typed) === n;
  return typed.trim() === key.value;
}

/** The right answer in words, e.g. "50 (0x32), read from PUBLISH #12". */
export function answerText(key: AnswerKey, packets: readonly WirePacket[]): string {
  const v = typeof key.value === 'number' && key.value > 9 ? `${key.value} (0x${key.value.toString(16)})` : String(key.value);
  const p = key.seq === undefined ? undefined : packets.find((x) => x.seq === key.seq);
  return p === undefined ? v : `${v}, read from ${p.decoded.type} #${p.seq}`;
}
