// What the tap concludes about a connection from the order of its packets and from how it closed: pure
// functions of what was seen, kept apart from the sockets and queues (tap-connection.ts) so that each
// rule is tested on its own, without a network or a clock.
import type { ConnectionEnd, Direction } from '../../shared/lab.js';

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
