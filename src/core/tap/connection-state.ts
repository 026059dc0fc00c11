// What the tap concludes about a connection from its packets and from how it closed: a pure reducer over
// the packets' facts (packet-facts.ts), kept apart from the sockets and queues (tap-connection.ts) and from
// the fault stage, so that each rule is tested on its own, without a network or a clock.
import type { ConnectionEnd, Direction } from '../../shared/lab.js';
import type { MqttVersion } from '../../shared/packet.js';
import type { PacketFacts } from './packet-facts.js';
import type { ConnectFacts } from './session-ledger.js';

/** A rule about a connection that no single packet shows. */
export interface ConnectionFinding {
  message: string;
  specRef: string;
}

export interface OrderState {
  /** CONNECTs seen from the client: only the first names the connection. */
  readonly connects: number;
  readonly sawFirst: boolean;
}

export const OPENED: OrderState = { connects: 0, sawFirst: false };

const TYPE_NAMES = ['Reserved type 0', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE',
  'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];

/**
 * The next packet from the client, by its first byte: the first packet must be a CONNECT (MQTT-3.1.0-1)
 * and there is only one (MQTT-3.1.0-2).
 */
export function clientPacket(s: OrderState, firstByte: number): { state: OrderState; finding: ConnectionFinding | null } {
  const isConnect = firstByte >> 4 === 1;
  const finding = isConnect && s.connects > 0
    ? { message: 'A second CONNECT on the same connection is a protocol violation: the broker must close it', specRef: 'MQTT-3.1.0-2' }
    : !isConnect && s.connects === 0 && !s.sawFirst
      ? { message: `${TYPE_NAMES[firstByte >> 4]!} before CONNECT: the first packet from a client must be CONNECT`, specRef: 'MQTT-3.1.0-1' }
      : null;
  return { state: { connects: s.connects + (isConnect ? 1 : 0), sawFirst: true }, finding };
}

/** Only the first CONNECT teaches the connection its version and client id. */
export function connectCounts(s: OrderState): boolean {
  return s.connects === 1;
}

export interface Closing {
  /** The side whose socket closed first: 'toBroker' = the client's. */
  closedBy: Direction;
  /** A malformed packet or an order finding was seen on the connection. */
  sawError: boolean;
  /** The last packet the closing side received was itself malformed. */
  lastReceivedBroken: boolean;
  /** The CONNECT's keepalive, seconds (0 = none). */
  keepaliveS: number;
  /** Milliseconds since bytes from the client last reached the broker. */
  silentMs: number;
}

/** Tolerance for timers: a broker closes a little before or after 1.5 × keepalive by its own clock. */
const KEEPALIVE_SLACK_MS = 250;

/** How a connection ended that no DISCONNECT and no fault of the tap explains. */
export function howItEnded(c: Closing): ConnectionEnd {
  if (c.sawError || c.lastReceivedBroken) return 'protocol-error';
  if (c.closedBy === 'toBroker') return 'client-closed';
  // A broker that hangs up after 1.5 × keepalive of client silence is enforcing keepalive (MQTT-3.1.2-24).
  if (c.keepaliveS > 0 && c.silentMs >= c.keepaliveS * 1500 - KEEPALIVE_SLACK_MS) return 'keepalive-timeout';
  return 'broker-closed';
}

/** Everything the tap knows about one connection, apart from its sockets and queues. */
export interface ConnState {
  readonly order: OrderState;
  /** Learnt from the first CONNECT; until then packets are read as MQTT 3.1.1. */
  readonly version: MqttVersion | undefined;
  readonly clientId: string | undefined;
  readonly keepaliveS: number;
  /** What the first CONNECT asked for, to judge its CONNACK by (absent when it was cut before its client id). */
  readonly connect: ConnectFacts | undefined;
  readonly connected: boolean;
  /** A malformed packet or a finding was seen on the connection. */
  readonly sawError: boolean;
  /** The first explanation of the end that the tap itself knows (a DISCONNECT, a sever, its own limit). */
  readonly ending: ConnectionEnd | undefined;
  readonly endNote: string | undefined;
}

export const FRESH: ConnState = {
  order: OPENED, version: undefined, clientId: undefined, keepaliveS: 0, connect: undefined, connected: false,
  sawError: false, ending: undefined, endNote: undefined,
};

export interface Seen {
  state: ConnState;
  /** A connection rule this packet broke: it goes on the packet's record. */
  finding: ConnectionFinding | null;
  /** The first CONNECT: the connection now has a version and client id to announce. */
  identified: boolean;
  /** A CONNACK that accepted the connection. */
  accepted: boolean;
  /** A CONNACK answering this CONNECT, for the session ledger to judge. */
  judge: ConnectFacts | undefined;
}

/**
 * One packet, from the client (`toBroker`) or the broker, by its facts; null when it changes nothing (most
 * packets: this runs for every packet on the relay path, so that case allocates nothing).
 */
export function packetSeen(s: ConnState, dir: Direction, f: PacketFacts): Seen | null {
  const t = f.typeCode;
  if (dir === 'toClient' ? t !== 2 : s.order.sawFirst && t !== 1 && t !== 14) return null;
  const out: Seen = { state: s, finding: null, identified: false, accepted: false, judge: undefined };
  if (dir === 'toBroker') {
    const { state: order, finding } = clientPacket(s.order, f.typeCode << 4);
    let next: ConnState = { ...s, order, sawError: s.sawError || finding !== null };
    out.finding = finding;
    // A second CONNECT is flagged, not learnt: the connection stays the one the first opened.
    if (f.typeCode === 1 && connectCounts(order)) {
      const id = f.info.clientId;
      next = { ...next, version: f.version, clientId: id ?? next.clientId, keepaliveS: f.info.keepalive ?? 0,
        connect: id === undefined ? undefined : { clientId: id, version: f.version, clean: f.info.cleanStart === true } };
      out.identified = true;
    } else if (f.typeCode === 14) {
      next = ended(next, 'disconnect');
    }
    out.state = next;
  } else if (f.typeCode === 2) {
    out.judge = s.connect;
    if (f.info.reasonCode === 0) {
      out.accepted = true;
      out.state = { ...s, connected: true };
    }
  }
  return out;
}

/** A malformed packet or an error finding: the connection's end will read as a protocol error. */
export function errorSeen(s: ConnState): ConnState {
  return s.sawError ? s : { ...s, sawError: true };
}

/** The first explanation of the end wins: a sever after a DISCONNECT is still a DISCONNECT. */
export function ended(s: ConnState, end: ConnectionEnd, note?: string): ConnState {
  if (s.ending !== undefined) return s;
  return note === undefined ? { ...s, ending: end } : { ...s, ending: end, endNote: note };
}

/** How the connection ended, once both sides are closed. */
export function finalEnd(s: ConnState, closing: Omit<Closing, 'sawError' | 'keepaliveS'> | undefined): ConnectionEnd {
  if (s.ending !== undefined) return s.ending;
  if (closing === undefined) return 'client-closed';
  return howItEnded({ ...closing, sawError: s.sawError, keepaliveS: s.keepaliveS });
}
