// Data types of the live lab that cross the process boundary.
import type { DecodedPacket, FieldIssue, MqttVersion } from './packet.js';

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
  /** Why the rule could not act on this packet (it passed untouched), e.g. a corrupt rule naming an absent field. */
  note?: string;
}

export interface PacketRecord {
  seq: number;
  /** Epoch milliseconds (fractional) when the tap read the last byte of the packet. */
  time: number;
  connId: number;
  direction: Direction;
  /** Raw bytes, hex in JSON transports. Only the first bytes when `fullLength` is set. */
  bytes: Uint8Array;
  /** The packet's true length when the capture store kept only its first bytes (a large payload past its byte budget). */
  fullLength?: number;
  decoded: DecodedPacket;
  fault?: FaultRecord;
  /**
   * What the tap concluded about this packet from the rest of its connection, which the packet's own bytes
   * cannot show (a PUBLISH before CONNECT, a second CONNECT, a stream cut mid-packet, a CONNACK that forgot a
   * kept session). Kept apart from `decoded`, which is the dissector's verdict on the bytes alone; absent when
   * there is none. `recordIssues` (shared/record-issues.ts) gives both together.
   */
  findings?: RecordFinding[];
}

/** A connection-level finding, placed on the field it concerns (the fixed header when it concerns the whole packet). */
export type RecordFinding = FieldIssue & { filter: string; offset: number };

export type ConnectionState = 'open' | 'connected' | 'closed';

/** `tap-limit`: the tap cut the connection to stay within its bounds (a client that does not read, a packet
 *  announced larger than the maximum packet size); `Connection.endNote` says which and by how much. */
export type ConnectionEnd =
  | 'disconnect' | 'client-closed' | 'broker-closed' | 'severed' | 'keepalive-timeout' | 'protocol-error' | 'tap-limit';

/** How a client reached the tap: plain TCP, TLS, MQTT over WebSocket, or WebSocket over TLS. */
export type Transport = 'tcp' | 'tls' | 'ws' | 'wss';

export interface Connection {
  connId: number;
  clientId?: string;
  remote: string;
  /** Absent for plain TCP. */
  transport?: Transport;
  version?: MqttVersion;
  state: ConnectionState;
  since: number;
  ended?: ConnectionEnd;
  /** Why, in words, when the tap itself ended the connection. */
  endNote?: string;
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

// ---- Broker host -------------------------------------------------------------------------------------------

export type BrokerKind = 'aedes' | 'mosquitto' | 'upstream';

/** Where the real broker listens (behind the tap) and what it speaks. */
export interface BrokerInfo {
  host: string;
  port: number;
  kind: BrokerKind;
  /** Whether the broker accepts MQTT 5 CONNECTs (aedes 1.x does not: CONNACK 1, then it closes). */
  mqtt5: boolean;
}

export type AclAccess = 'publish' | 'subscribe' | 'both';

/**
 * One access rule. With an ACL configured, an action on a topic is allowed only when an applicable rule allows
 * it and no applicable rule denies it (deny wins; no matching rule = denied), as mosquitto's acl_file does.
 * A rule applies to a client when its `user` (if set) is the CONNECT user name and its `clientId` (if set) is
 * the client identifier; a rule with neither applies to every client, anonymous ones included.
 */
export interface AclRule {
  user?: string;
  clientId?: string;
  /** A topic filter; `+` and `#` are wildcards as in SUBSCRIBE. */
  topic: string;
  access: AclAccess;
  allow: boolean;
}

/** Facts only the broker knows: the tap sees bytes, not why a connection ended or that a will was sent. */
export type BrokerEvent =
  | { kind: 'client-connected'; time: number; clientId: string }
  | { kind: 'client-disconnected'; time: number; clientId: string }
  | { kind: 'keepalive-timeout'; time: number; clientId: string }
  | { kind: 'will-published'; time: number; clientId: string; topic: string; qos: number; retain: boolean }
  | { kind: 'publish-denied'; time: number; clientId: string; topic: string; will: boolean }
  | { kind: 'subscribe-denied'; time: number; clientId: string; filter: string }
  | { kind: 'client-error'; time: number; clientId?: string; message: string }
  /** A line of an external broker's own log (mosquitto), for the curious. */
  | { kind: 'log'; time: number; line: string };

// ---- Embedded clients ----------------------------------------------------------------------------------------

export type ClientState = 'created' | 'connecting' | 'connected' | 'disconnected' | 'killed' | 'error';

export type QoS = 0 | 1 | 2;

/** MQTT 5 user properties: a name may repeat, so a value may be a list. */
export type UserProperties = Record<string, string | string[]>;

/** MQTT 5 properties of a PUBLISH (and of a will message, which is published on the client's behalf). */
export interface MessageProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: string | Uint8Array;
  userProperties?: UserProperties;
  /** Only on PUBLISH, not on a will. */
  topicAlias?: number;
  /** Only on received messages. */
  subscriptionIdentifier?: number | number[];
}

export interface WillProperties extends MessageProperties {
  willDelayInterval?: number;
}

/** MQTT 5 CONNECT properties (session expiry has its own option). */
export interface ConnectProperties {
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestResponseInformation?: boolean;
  requestProblemInformation?: boolean;
  userProperties?: UserProperties;
  authenticationMethod?: string;
  authenticationData?: string | Uint8Array;
}

export interface ClientWill {
  topic: string;
  payload: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
  properties?: WillProperties;
}

/** Everything a CONNECT can say. Defaults: clientId = the lab id, MQTT 3.1.1, clean, keepalive 60 s. */
export interface ClientOptions {
  clientId?: string;
  /** 3 = MQTT 3.1 (protocol name MQIsdp), 4 = 3.1.1, 5 = 5.0. */
  protocolVersion?: MqttVersion;
  /** Clean session (3.1/3.1.1) or clean start (5). */
  clean?: boolean;
  /** Seconds; 0 turns keepalive off. */
  keepalive?: number;
  username?: string;
  password?: string | Uint8Array;
  will?: ClientWill;
  /** MQTT 5 only: seconds the broker keeps the session after the connection ends. */
  sessionExpiryInterval?: number;
  properties?: ConnectProperties;
  /** How long connect() waits for CONNACK. Default 5000 ms. */
  connectTimeoutMs?: number;
  /**
   * How the client reaches the tap: plain TCP (default), TLS trusting the lab's CA, MQTT over WebSocket, or
   * WebSocket over TLS. The lab opens the port on first use when it was not started with one.
   */
  transport?: Transport;
}

export interface PublishRequest {
  topic: string;
  payload: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
  properties?: MessageProperties;
}

export interface SubscribeRequest {
  filter: string;
  qos?: QoS;
  /** MQTT 5 subscription options: no local, retain as published, retain handling (0-2). */
  nl?: boolean;
  rap?: boolean;
  rh?: 0 | 1 | 2;
}

export interface SubscribeGrant {
  filter: string;
  /** Granted QoS 0-2, or the failure code the broker returned (0x80 in 3.1.1, 0x80-0xA2 in 5). */
  code: number;
}

export interface ConnackResult {
  sessionPresent: boolean;
  /** 0 = accepted. */
  reasonCode: number;
  properties?: Record<string, unknown>;
}

export interface PublishResult {
  /** Packet identifier used (QoS 1 and 2). */
  messageId?: number;
  /** MQTT 5 PUBACK/PUBCOMP reason code, when the broker sent one. */
  reasonCode?: number;
}

export interface ReceivedMessage {
  /** Epoch milliseconds (fractional) when the client handed the message to us. */
  time: number;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  properties?: MessageProperties;
}

export interface ClientSummary {
  id: string;
  clientId: string;
  state: ClientState;
  protocolVersion: MqttVersion;
  clean: boolean;
  keepalive: number;
  username?: string;
  hasWill: boolean;
  sessionExpiryInterval?: number;
  /** From the last CONNACK. */
  sessionPresent?: boolean;
  /** Epoch ms of the last state change. */
  since: number;
  received: number;
  /** QoS 1/2 PUBLISH and PUBREL the client still holds for its session (resent on reconnect). */
  inflight: number;
  lastError?: string;
}
