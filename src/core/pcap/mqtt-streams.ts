// From captured frames to MQTT packet bytes: link layer, IP, TCP, reassembly per direction, then the
// framer. Decoding the packets is the dissector's job; this only finds where each one starts and ends.
import type { Direction } from '../../shared/lab.js';
import { Framer } from '../frame/framer.js';
import type { CaptureRecord } from './capture-record.js';
import { IPPROTO_TCP, parseIp } from './ip.js';
import { linkPayload } from './link-layers.js';
import { parseTcp, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from './tcp.js';
import { ConversationTable, type Conversation, type Endpoint } from './tcp-conversations.js';
import { TcpReassembler, type FrameRef, type ReassemblyEvent } from './tcp-reassembly.js';

export const DEFAULT_MQTT_PORTS: readonly number[] = [1883];

export interface MqttStreamRecord {
  /** The frame holding the packet's last byte (Wireshark reports a reassembled PDU there). */
  frame: number;
  /** Epoch ms of that frame. */
  time: number;
  /** tcp.stream of the connection. */
  stream: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  direction: Direction;
  /** One whole MQTT packet, or the bytes that could not be framed when `broken` is set. */
  bytes: Uint8Array;
  broken?: string;
}

/** Something in the capture that was skipped or lost, which the user may want to know about. */
export interface CaptureNote {
  frame: number;
  message: string;
}

export interface MqttStreamOptions {
  /** TCP ports on which a broker listens. Default [1883]. */
  ports?: Iterable<number>;
  maxPacketSize?: number;
  maxBufferedBytes?: number;
  onNote?: (note: CaptureNote) => void;
  /**
   * Also take a conversation on any other port for MQTT when its first bytes are a CONNECT; the side that
   * sent it is the client. Off by default: the CLI decodes the ports it is told, as tshark does.
   */
  detectConnect?: boolean;
  /** Each direction of an MQTT conversation that ended on the wire (FIN or RST), when it did. */
  onEnd?: (end: StreamEnd) => void;
  /**
   * Opens TLS: a conversation on an MQTT port that starts with a ClientHello is decrypted with the
   * capture's own keys and its application bytes are framed as MQTT. Without it TLS bytes are framed as
   * they are (and flagged by the dissector). Injected, so this module stays free of Node's crypto.
   */
  tls?: TlsUnwrap;
}

export interface TlsUnwrap {
  /** A decrypting session for one conversation; it hands over each direction's application bytes in order. */
  session(onPlain: (bytes: Uint8Array) => void): { push(dir: Direction, bytes: Uint8Array, time: number): void };
}

export interface StreamEnd {
  stream: number;
  frame: number;
  time: number;
  /** Who closed: 'toBroker' = the client's side sent the FIN or RST. */
  direction: Direction;
  cause: 'fin' | 'rst';
}

interface DirectionState {
  reassembler: TcpReassembler;
  framer: Framer;
  from: Endpoint;
  to: Endpoint;
  direction: Direction;
  /** Set once bytes were lost: later bytes cannot be framed, only reported. */
  lostBefore: string | null;
  last: FrameRef;
}

interface ConversationState {
  /** [a→b, b→a], null for conversations that are not MQTT; dropped once both directions have ended. */
  directions: [DirectionState, DirectionState] | null;
  /** Off the MQTT ports: MQTT only if the first bytes either side sends are a CONNECT. */
  undecided: boolean;
  unwrap?: TlsUnwrap;
  /** undefined until the first bytes show whether the conversation is TLS; null when it is not. */
  tls?: { push(dir: Direction, bytes: Uint8Array, time: number): void } | null;
  tlsPlain?: Uint8Array[];
}

/**
 * Yields every MQTT packet of the capture in the order of the frames holding their last bytes. Packets still
 * incomplete when the capture ends, and bytes stranded behind a gap, come last, as `broken` records.
 */
export function* mqttStreams(frames: Iterable<CaptureRecord>, opts: MqttStreamOptions = {}): Generator<MqttStreamRecord> {
  const ports = new Set(opts.ports ?? DEFAULT_MQTT_PORTS);
  const note = opts.onNote ?? (() => {});
  const ended = opts.onEnd ?? (() => {});
  const notedLinkTypes = new Set<number>();

  const newDirection = (from: Endpoint, to: Endpoint): DirectionState => ({
    reassembler: new TcpReassembler({ maxBufferedBytes: opts.maxBufferedBytes }),
    framer: new Framer({ maxPacketSize: opts.maxPacketSize }),
    from,
    to,
    // A broker talking to a broker (a bridge) has MQTT ports at both ends; the destination decides.
    direction: ports.has(to.port) ? 'toBroker' : 'toClient',
    lostBefore: null,
    last: { frame: 0, time: 0 },
  });
  const table = new ConversationTable<ConversationState>((_index, a, b) => {
    const mqtt = ports.has(a.port) || ports.has(b.port);
    if (mqtt) return { directions: [newDirection(a, b), newDirection(b, a)], undecided: false, ...(opts.tls ? { unwrap: opts.tls } : {}) };
    return { directions: opts.detectConnect ? [newDirection(a, b), newDirection(b, a)] : null, undecided: opts.detectConnect === true };
  });

  const out: MqttStreamRecord[] = [];
  for (const rec of frames) {
    const seg = segmentOf(rec, note, notedLinkTypes);
    if (!seg) continue;
    const { conversation, fromA, replaced } = table.lookup(seg.src, seg.dst, seg.tcp);
    if (replaced) {
      finishConversation(replaced, out, note, 'a new connection reused its ports', 'a new connection reused the ports before they arrived');
    }
    const dirs = conversation.state.directions;
    if (!dirs) continue;
    const at: FrameRef = { frame: rec.frame, time: rec.time };
    const [mine, theirs] = fromA ? [dirs[0], dirs[1]] : [dirs[1], dirs[0]];
    const tcp = seg.tcp;
    if (tcp.flags & TCP_ACK) {
      handle(conversation, theirs, theirs.reassembler.acknowledged(tcp.ack, at), out, note, ended);
    }
    const flags = { syn: (tcp.flags & TCP_SYN) !== 0, fin: (tcp.flags & TCP_FIN) !== 0, rst: (tcp.flags & TCP_RST) !== 0 };
    mine.last = at;
    handle(conversation, mine, mine.reassembler.segment(tcp.seq, flags, tcp.payload, at), out, note, ended);
    if (seg.missing > 0) {
      note({ frame: rec.frame, message: `${seg.missing} bytes of TCP payload were not captured (snap length)` });
    }
    if (mine.reassembler.ended && theirs.reassembler.ended) conversation.state.directions = null;
    for (const r of out) yield r;
    out.length = 0;
  }

  for (const conversation of table.current()) finishConversation(conversation, out, note, 'capture ended', 'the capture ended without them');
  // Stable sort: records of one direction keep their order.
  out.sort((x, y) => x.frame - y.frame);
  yield* out;
}

function segmentOf(
  rec: CaptureRecord,
  note: (n: CaptureNote) => void,
  notedLinkTypes: Set<number>,
): { src: string; dst: string; tcp: TcpSegment; missing: number } | null {
  const link = linkPayload(rec.linkType, rec.data);
  if (!link.ok) {
    if (link.note === null) return null;
    if (link.unsupported) {
      if (notedLinkTypes.has(rec.linkType)) return null;
      notedLinkTypes.add(rec.linkType);
    }
    note({ frame: rec.frame, message: link.note });
    return null;
  }
  const ip = parseIp(link.ipVersion, link.packet);
  if (!ip.ok) {
    note({ frame: rec.frame, message: ip.note });
    return null;
  }
  if (ip.packet.protocol !== IPPROTO_TCP) return null;
  const tcp = parseTcp(ip.packet.payload);
  if (!tcp.ok) {
    note({ frame: rec.frame, message: tcp.note });
    return null;
  }
  return { src: ip.packet.src, dst: ip.packet.dst, tcp: tcp.segment, missing: ip.packet.missing };
}

function handle(
  conversation: Conversation<ConversationState>,
  dir: DirectionState,
  events: ReassemblyEvent[],
  out: MqttStreamRecord[],
  note: (n: CaptureNote) => void,
  ended: (e: StreamEnd) => void = () => {},
): void {
  for (const ev of events) {
    // A conversation found not to be MQTT is dropped mid-frame; what its reassembler still says is ignored.
    if (conversation.state.directions === null) return;
    switch (ev.kind) {
      case 'data':
        if (conversation.state.undecided && !decide(conversation, dir, ev.bytes)) return;
        if (dir.lostBefore !== null) {
          out.push(record(conversation, dir, ev.at, ev.bytes, dir.lostBefore));
          dir.lostBefore = 'stream already broken';
        } else {
          for (const bytes of unwrapTls(conversation, dir, ev.bytes, ev.at)) {
            for (const f of dir.framer.push(bytes)) {
              out.push(record(conversation, dir, ev.at, f.bytes, f.kind === 'broken' ? f.reason : undefined));
            }
          }
        }
        break;
      case 'gap': {
        const lost = `${ev.missing} ${ev.missing === 1 ? 'byte' : 'bytes'} of TCP data not captured (${ev.why})`;
        note({ frame: ev.at.frame, message: `tcp.stream ${conversation.index} ${dir.from.ip}:${dir.from.port} → ${dir.to.ip}:${dir.to.port}: ${lost}` });
        for (const f of dir.framer.end(`${lost}; the gap came`)) {
          out.push(record(conversation, dir, ev.at, f.bytes, f.kind === 'broken' ? f.reason : undefined));
        }
        if (dir.lostBefore === null) {
          dir.lostBefore = `follows ${lost}; packet boundaries after the gap are unknown`;
        }
        break;
      }
      case 'end':
        ended({ stream: conversation.index, frame: ev.at.frame, time: ev.at.time, direction: dir.direction, cause: ev.cause });
        for (const f of dir.framer.end(ev.cause === 'fin' ? 'connection closed' : 'connection reset')) {
          out.push(record(conversation, dir, ev.at, f.bytes, f.kind === 'broken' ? f.reason : undefined));
        }
        break;
    }
  }
}

/**
 * The first bytes of a conversation off the MQTT ports: a CONNECT (type 1, flags 0, then after the remaining
 * length a protocol name 'MQTT' or 'MQIsdp') makes it MQTT with its sender as the client; anything else
 * makes it not MQTT, and it is ignored from then on.
 */
function decide(conversation: Conversation<ConversationState>, dir: DirectionState, bytes: Uint8Array): boolean {
  const state = conversation.state;
  state.undecided = false;
  if (!looksLikeConnect(bytes) || state.directions === null) {
    state.directions = null;
    return false;
  }
  for (const d of state.directions) d.direction = d === dir ? 'toBroker' : 'toClient';
  return true;
}

function looksLikeConnect(b: Uint8Array): boolean {
  if (b[0] !== 0x10) return false;
  let i = 1;
  while (i < 5 && i < b.length && (b[i]! & 0x80) !== 0) i++;
  i++;
  const name = (len: number, text: string): boolean =>
    b[i] === 0 && b[i + 1] === len && String.fromCharCode(...b.subarray(i + 2, i + 2 + len)) === text;
  return name(4, 'MQTT') || name(6, 'MQIsdp');
}

/**
 * Nothing more will arrive on this conversation: flush what waits behind gaps (`gapWhy` explains them) and
 * report packets left unfinished (`cause` says why they are).
 */
function finishConversation(
  conversation: Conversation<ConversationState>,
  out: MqttStreamRecord[],
  note: (n: CaptureNote) => void,
  cause: string,
  gapWhy: string,
): void {
  const dirs = conversation.state.directions;
  if (!dirs) return;
  for (const dir of dirs) {
    handle(conversation, dir, dir.reassembler.finish(gapWhy), out, note);
    for (const f of dir.framer.end(cause)) {
      out.push(record(conversation, dir, dir.last, f.bytes, f.kind === 'broken' ? f.reason : undefined));
    }
  }
  conversation.state.directions = null;
}

/**
 * The MQTT bytes in a chunk of a conversation's stream: the chunk itself on plain TCP; the application data
 * its TLS records decrypt to when the conversation opened with a ClientHello (a handshake record holding a
 * Client Hello) and a TLS opener was given.
 */
function unwrapTls(conversation: Conversation<ConversationState>, dir: DirectionState, bytes: Uint8Array, at: FrameRef): Uint8Array[] {
  const state = conversation.state;
  if (state.unwrap === undefined) return [bytes];
  if (state.tls === undefined) {
    const hello = bytes.length >= 6 && bytes[0] === 22 && bytes[1] === 3 && bytes[5] === 1;
    if (hello) {
      const plain: Uint8Array[] = [];
      state.tlsPlain = plain;
      state.tls = state.unwrap.session((p) => plain.push(p));
    } else {
      state.tls = null;
    }
  }
  if (state.tls === null) return [bytes];
  state.tls.push(dir.direction, bytes, at.time);
  return state.tlsPlain!.splice(0);
}

function record(
  conversation: Conversation<ConversationState>,
  dir: DirectionState,
  at: FrameRef,
  bytes: Uint8Array,
  broken: string | undefined,
): MqttStreamRecord {
  const r: MqttStreamRecord = {
    frame: at.frame,
    time: at.time,
    stream: conversation.index,
    src: dir.from.ip,
    dst: dir.to.ip,
    srcPort: dir.from.port,
    dstPort: dir.to.port,
    direction: dir.direction,
    bytes,
  };
  if (broken !== undefined) r.broken = broken;
  return r;
}
