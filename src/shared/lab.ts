// Data types of the live lab that cross the process boundary.
import type { DecodedPacket, MqttVersion } from './packet.js';

export type Direction = 'toBroker' | 'toClient';

export type FaultAction = 'drop' | 'delay' | 'hold' | 'corrupt' | 'sever';

export interface FaultRecord {
  action: FaultAction | 'step';
  ruleId?: string;
  /** Delay applied, or time held before release, in ms. */
  ms?: number;
  /** For corrupt: the filter name of the field changed. */
  field?: string;
  released?: boolean;
}

export interface PacketRecord {
  seq: number;
  /** Epoch milliseconds (fractional) when the tap read the last byte of the packet. */
  time: number;
  connId: number;
  direction: Direction;
  /** Raw bytes, hex in JSON transports. */
  bytes: Uint8Array;
  decoded: DecodedPacket;
  fault?: FaultRecord;
}

export type ConnectionState = 'open' | 'connected' | 'closed';

export type ConnectionEnd =
  | 'disconnect' | 'client-closed' | 'broker-closed' | 'severed' | 'keepalive-timeout' | 'protocol-error';

export interface Connection {
  connId: number;
  clientId?: string;
  remote: string;
  version?: MqttVersion;
  state: ConnectionState;
  since: number;
  ended?: ConnectionEnd;
  endedAt?: number;
}

export interface FaultMatch {
  direction?: Direction;
  type?: string;
  clientId?: string;
  topic?: string;
  qos?: number;
  /** Only the nth matching packet (1-based). */
  nth?: number;
}

export interface FaultRule {
  id: string;
  match: FaultMatch;
  action: FaultAction;
  ms?: number;
  /** How many times the rule fires; undefined = always. */
  times?: number;
  /** For corrupt: the filter name of the field to change (e.g. `mqtt.msgid`). */
  field?: string;
}
