// What the fake lab's parts share: the event sink, the clock and the connection table. The simulation is
// deliberately small: enough protocol for the views to show true-to-MQTT stories (QoS flows, lost acks,
// persistent sessions, wills), not a broker.
import type { EventName, LabEvents } from '../../../shared/api.js';
import type { Connection, ConnectionEnd, Direction } from '../../../shared/lab.js';
import type { MqttVersion } from '../../../shared/packet.js';
import type { FakePacket } from './encode.js';

export { topicMatches } from '../../../shared/topic-filter.js';

export interface FakeConn {
  info: Connection;
  version: MqttVersion;
  /** Set from CONNECT; cleared by DISCONNECT so a graceful end publishes nothing. */
  will?: { topic: string; payload: string; qos: number; retain: boolean };
  /** Where packets sent to the client side go. */
  toClient: (p: FakePacket) => void;
  /** Packet ids the broker has sent on this connection, by id, awaiting their ack. */
  nextBrokerId: number;
}

export interface World {
  now(): number;
  emit<E extends EventName>(event: E, data: LabEvents[E]): void;
  /** Sends a packet through the tap, which may drop, delay, hold or sever it. */
  transmit(conn: FakeConn, direction: Direction, p: FakePacket): void;
  /** Closes a connection from either side; `end` decides whether the will is published. */
  endConn(conn: FakeConn, end: ConnectionEnd): void;
}
