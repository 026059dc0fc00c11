// Conversions of core records to the JSON shapes of the API contract (bytes as hex).
import { PAYLOAD_PREVIEW, type PacketSummary, type WireMessage, type WirePacket } from '../../shared/api.js';
import type { PacketRecord, ReceivedMessage } from '../../shared/lab.js';
import type { DecodedPacket, FieldNode, MqttVersion } from '../../shared/packet.js';
import { recordIssues, recordSummary, worstSeverity, type WithFindings } from '../../shared/record-issues.js';
import { isTextPayload } from '../dissect/payload.js';
import { plainPacket, type PlainPacket } from '../dissect/plain-packet.js';
import { findField } from '../dissect/tree.js';
import { decodeUtf8, toHex } from '../dissect/utf8.js';
import type { CaptureStore } from '../store/index.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

export function wirePacket(r: PacketRecord, clientId: string | undefined): WirePacket {
  const w: WirePacket = { seq: r.seq, time: r.time, connId: r.connId, direction: r.direction, bytes: toHex(r.bytes), decoded: r.decoded };
  if (clientId !== undefined) w.clientId = clientId;
  if (r.fault !== undefined) w.fault = r.fault;
  if (r.fullLength !== undefined) w.fullLength = r.fullLength;
  if (r.findings !== undefined) w.findings = r.findings;
  return w;
}

/**
 * The one summary of a captured packet, read from the store by seq: the live stream, the list pages and the
 * queries all take it from here, so a packet reads the same however it is reached. A plain packet (its tree
 * would be exactly `dissect(bytes, { version })`) is summarised from its bytes in place; any other from the
 * store's tree, which the store caches (a tree the tap or a rule built is the one read). Undefined once the
 * store no longer holds the seq. `preview: false` leaves out a plain PUBLISH's payload preview (a reader that
 * never shows it, the live log, then does not scan every payload).
 */
export function storedSummary(store: CaptureStore, seq: number, preview = true): PacketSummary | undefined {
  const bytes = store.bytesOf(seq);
  if (bytes === undefined) return undefined;
  const connId = store.connIdOf(seq)!;
  const clientId = store.clientIdOf(connId);
  const r = { seq, time: store.timeOf(seq)!, connId, direction: store.directionOf(seq)!, bytes } as PacketRecord;
  const fault = store.faultOf(seq);
  if (fault !== undefined) r.fault = fault;
  const findings = store.findingsOf(seq);
  if (findings !== undefined) r.findings = findings;
  const version = store.plainVersionOf(seq);
  const plain = version === undefined ? undefined : plainSummaryOf(r, clientId, version, preview);
  if (plain !== undefined) return plain;
  const cut = version === undefined ? store.cutPlainOf(seq) : undefined;
  if (cut !== undefined) return summaryFromPlain(r, clientId, cut, preview, true);
  r.decoded = store.tree(seq)!;
  if (store.isCut(seq)) r.fullLength = store.lengthOf(seq);
  return summaryFromTree(r, clientId);
}

/** What a live log line shows of a packet (cli/packet-line.ts). */
export type LineFacts = Pick<PacketSummary, 'time' | 'clientId' | 'connId' | 'direction' | 'summary' | 'fault'>;

/**
 * storedSummary's fields for a line of the live log, without the rest of a summary: for a plain packet with
 * no finding, the line is its bytes' summary and the store's facts. Making and then dropping the whole
 * summary object was a third of the live log's summary cost (perf, QoS 2). Any other packet takes
 * storedSummary. test/lab/summary-stored.test.ts checks both agree.
 */
export function storedLine(store: CaptureStore, seq: number): LineFacts | undefined {
  const version = store.plainVersionOf(seq);
  if (version === undefined || store.findingsOf(seq) !== undefined) return storedSummary(store, seq, false);
  const plain = plainPacket(store.bytesOf(seq)!, version);
  if (plain === null) return storedSummary(store, seq, false);
  const connId = store.connIdOf(seq)!;
  const line: LineFacts = { time: store.timeOf(seq)!, connId, direction: store.directionOf(seq)!, summary: plain.summary };
  const clientId = store.clientIdOf(connId);
  if (clientId !== undefined) line.clientId = clientId;
  const fault = store.faultOf(seq);
  if (fault !== undefined) line.fault = fault;
  return line;
}

/** What a live log line is made of when it can be made from the bytes alone (line-summary.ts). */
export interface LineSource {
  time: number;
  connId: number;
  direction: PacketRecord['direction'];
  clientId: string | undefined;
  version: MqttVersion;
  /** The store's own copy, uncut: read it before the store can change (the next append may reuse it). */
  bytes: Uint8Array;
}

/**
 * storedLine's facts for a record whose line needs nothing but its bytes and version (plainLineSummary): kept
 * as the dissector would read it, with no finding and no fault. Undefined for any other record (a fault, a
 * finding, a tree the tap built, a cut one), and once the store no longer holds it: storedLine makes those.
 */
export function storedLineSource(store: CaptureStore, seq: number): LineSource | undefined {
  const version = store.plainVersionOf(seq);
  if (version === undefined || store.findingsOf(seq) !== undefined || store.faultOf(seq) !== undefined) return undefined;
  const connId = store.connIdOf(seq)!;
  return { time: store.timeOf(seq)!, connId, direction: store.directionOf(seq)!, clientId: store.clientIdOf(connId), version, bytes: store.bytesOf(seq)! };
}

/**
 * What the live stream and the list pages carry for a record: its dissector facts without the tree or the
 * bytes. `plainVersion`, when the caller knows the record's tree would be exactly `dissect(bytes, { version
 * })` (nobody built or changed it): a packet the dissector has nothing to remark on is then summarised from
 * its bytes (plain-packet.ts) without a tree; any other reads the record's tree (the store caches the few
 * recent ones) and keeps none of it. Both give the same summary (test/lab/summary-plain.test.ts).
 */
export function summaryOf(r: PacketRecord, clientId: string | undefined, plainVersion?: MqttVersion): PacketSummary {
  return (plainVersion === undefined ? undefined : plainSummaryOf(r, clientId, plainVersion)) ?? summaryFromTree(r, clientId);
}

/** The summary of a plain packet (see summaryOf) without a tree, or undefined when only its tree can tell. */
export function plainSummaryOf(r: PacketRecord, clientId: string | undefined, version: MqttVersion, preview = true): PacketSummary | undefined {
  const plain = r.fullLength !== undefined ? null : plainPacket(r.bytes, version);
  return plain === null ? undefined : summaryFromPlain(r, clientId, plain, preview);
}

const NO_ISSUES: DecodedPacket['issues'] = [];

/** The one issue the dissector raises on a record the store cut: a note that only its first bytes are kept. */
const CUT_ISSUES = [{ severity: 'note' }] as DecodedPacket['issues'];

/**
 * `cut`: a plain PUBLISH the store kept only the start of (CaptureStore.cutPlainOf); `r.bytes` are the bytes
 * kept and `p` the whole packet's facts. Its tree would add only the store's note, and show the kept part of
 * the payload as cut.
 */
function summaryFromPlain(r: PacketRecord, clientId: string | undefined, p: PlainPacket, preview: boolean, cut = false): PacketSummary {
  // The record's issues are its findings and, when cut, the dissector's note (record-issues.ts combines them);
  // only their count and severities are read here.
  const issues: WithFindings = { decoded: { summary: p.summary, issues: cut ? CUT_ISSUES : NO_ISSUES } as unknown as DecodedPacket, findings: r.findings };
  const s: PacketSummary = {
    seq: r.seq, time: r.time, connId: r.connId, direction: r.direction,
    type: p.type, typeCode: p.typeCode, version: p.version, length: p.length, summary: recordSummary(issues), info: p.info,
  };
  if (clientId !== undefined) s.clientId = clientId;
  if (preview && p.payloadStart >= 0) {
    if (cut) cutPreview(s, r.bytes, p.payloadStart);
    else plainPreview(s, r.bytes, p.payloadStart);
  }
  if (r.fault !== undefined) s.fault = r.fault;
  const count = (r.findings?.length ?? 0) + (cut ? 1 : 0);
  if (count > 0) {
    s.issues = count;
    s.severity = worstSeverity(issues)!;
  }
  return s;
}

/**
 * What preview() makes of a payload the store cut: the tree's payload node holds the kept bytes only, and the
 * preview always says it is cut. Kept bytes are at most a few kB, so the node's value is all of them decoded.
 */
function cutPreview(s: PacketSummary, bytes: Uint8Array, start: number): void {
  const end = bytes.length;
  if (start < end && isTextPayload(bytes, start, end)) {
    const text = decodeUtf8(bytes, start, Math.min(end, start + 256));
    s.payloadText = text.length <= PAYLOAD_PREVIEW ? text : previewCut(text);
  }
  s.payloadCut = true;
}

/**
 * What preview() makes of a whole payload node, from the bytes: the tree's text value is the whole payload
 * decoded, but 64 UTF-16 units never need more than 192 bytes of valid UTF-8, so only the first 256 are
 * decoded (a character cut there lands past the 84th unit).
 */
function plainPreview(s: PacketSummary, bytes: Uint8Array, start: number): void {
  const end = bytes.length;
  if (start === end) {
    s.payloadText = '';
    return;
  }
  if (!isTextPayload(bytes, start, end)) {
    s.payloadCut = true;
    return;
  }
  const text = decodeUtf8(bytes, start, Math.min(end, start + 256));
  if (end - start <= 256 && text.length <= PAYLOAD_PREVIEW) {
    s.payloadText = text;
    return;
  }
  s.payloadText = previewCut(text);
  s.payloadCut = true;
}

/** The first PAYLOAD_PREVIEW units of a longer text, never half of a surrogate pair. */
function previewCut(text: string): string {
  let cutAt = PAYLOAD_PREVIEW;
  const last = text.charCodeAt(cutAt - 1);
  if (last >= 0xd800 && last <= 0xdbff) cutAt--;
  return text.slice(0, cutAt);
}

function summaryFromTree(r: PacketRecord, clientId: string | undefined): PacketSummary {
  const d = r.decoded;
  const s: PacketSummary = {
    seq: r.seq, time: r.time, connId: r.connId, direction: r.direction,
    type: d.type, typeCode: d.typeCode, version: d.version, length: r.fullLength ?? d.length, summary: recordSummary(r), info: d.info,
  };
  if (clientId !== undefined) s.clientId = clientId;
  if (d.typeCode === 3) preview(s, r, findField(d.fields, 'mqtt.msg'), (text, cut) => {
    if (text !== undefined) s.payloadText = text;
    if (cut) s.payloadCut = true;
  });
  if (d.typeCode === 1) will(s, r, d);
  if (r.fault !== undefined) s.fault = r.fault;
  // Connection-level findings the tap keeps beside the tree count like the tree's own (record-issues.ts).
  const count = recordIssues(r).length;
  if (count > 0) {
    s.issues = count;
    s.severity = worstSeverity(r)!;
  }
  return s;
}

/** A payload node's text, cut to PAYLOAD_PREVIEW characters; undefined when binary (then always `cut`). */
function preview(s: PacketSummary, r: PacketRecord, n: FieldNode | undefined, out: (text: string | undefined, cut: boolean) => void): void {
  if (n === undefined) return;
  const kept = r.fullLength !== undefined;
  const end = Math.min(n.offset + n.length, r.bytes.length);
  if (n.length === 0) return out(kept ? undefined : '', kept);
  if (typeof n.value !== 'string' || !isTextPayload(r.bytes, n.offset, end)) return out(undefined, true);
  const text = n.value;
  if (text.length <= PAYLOAD_PREVIEW) return out(text, kept || n.offset + n.length > end);
  out(previewCut(text), true);
}

function will(s: PacketSummary, r: PacketRecord, d: DecodedPacket): void {
  const topic = findField(d.fields, 'mqtt.willtopic');
  if (typeof topic?.value !== 'string') return;
  const w: { topic: string; text?: string } = { topic: topic.value };
  preview(s, r, findField(d.fields, 'mqtt.willmsg'), (text) => {
    if (text !== undefined) w.text = text;
  });
  s.will = w;
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
