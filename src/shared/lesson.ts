// The parsed form of a lesson: what the validator produces from a Markdown file and what the engine and
// the renderer's lesson pane consume. Plain JSON, so it can cross the process boundary as it is.
import type { AclRule, ClientOptions, ConnectionEnd, Direction, FaultAction, MessageProperties, QoS, SubscribeRequest } from './lab.js';
import type { PacketTypeName } from './packet.js';
import type { Exercise } from './exercise.js';

/** 1-based line and column in the lesson file. */
export interface SourcePos {
  line: number;
  col: number;
}

/** One mistake in a lesson file, located precisely enough for `file:line:col: message`. */
export interface Problem extends SourcePos {
  file: string;
  message: string;
  /** A warning does not stop the lesson from loading or running; without it, the problem is an error. */
  severity?: 'warning';
}

export type ViewName = 'sequence' | 'packets' | 'detail' | 'clients' | 'faults' | 'topics' | 'lesson';

export interface Lesson {
  file: string;
  /** The file name without `.md`, e.g. `07-qos`. */
  id: string;
  title: string;
  order?: number;
  objectives: string[];
  /** Broker capabilities the lesson needs; today only `mqtt5`. */
  requires: string[];
  /** Users and ACL the embedded broker enforces while the lesson runs (front matter `broker:`). */
  broker?: BrokerSetup;
  /** Front matter `broker: mosquitto`: the lab runs this lesson on the system mosquitto (MQTT 5). */
  runsOn?: 'mosquitto';
  /** The file in reading order: Markdown prose and the steps between it. */
  blocks: LessonBlock[];
  steps: Step[];
}

/**
 * What the broker enforces during a lesson: set with `broker.configure` when the lesson starts and reset
 * (`broker.configure {}`: anyone may do anything) when it closes.
 */
export interface BrokerSetup {
  /** User name → password. With users, a CONNECT without them or with wrong ones is refused. */
  users?: Record<string, string>;
  /** With an ACL, only what a rule allows is allowed (deny wins; no matching rule = denied). */
  acl?: AclRule[];
}

export type LessonBlock =
  | { kind: 'markdown'; line: number; text: string }
  | { kind: 'step'; index: number };

export interface Question {
  at: SourcePos;
  prompt: string;
  /** Empty for an open question: the student types the answer (see `open`). */
  choices: string[];
  /** 0-based index of the right choice (the file counts from 1); absent for an open prediction. */
  answer?: number;
  /** An open question's answer: a value given in the lesson, or read from the student's own capture. */
  open?: OpenAnswer;
  /** Shown after any answer. */
  explain?: string;
  /** Shown after choosing that choice, one per choice. */
  choiceExplain?: string[];
}

/**
 * The answer to an open question. `value` is fixed in the lesson; `read` takes it from the packets of the
 * step (the first that matches), so it is whatever this run produced: a packet identifier, a length, a byte.
 * A number is compared as a number (`0x32` and `50` are the same answer), anything else as text.
 */
export type OpenAnswer =
  | { value: string | number }
  | { read: { field: string; packet: PacketMatch } };

/** The field name `read:` uses for a packet's whole length in bytes (fixed header included). */
export const PACKET_LENGTH_FIELD = 'length';

/** What a student chooses before a step runs: a value the step's actions and expectations use as `{{name}}`. */
export interface Choice {
  at: SourcePos;
  name: string;
  prompt: string;
  /** What the value must be: it is checked before the step runs with it. */
  kind: ChoiceKind;
  /** Offered as buttons; without them the student types the value. */
  options?: string[];
  /** What a headless run (`lesson run`, the test suite) chooses. */
  example: string;
  /** The step as written, read again with the student's value in place of `{{name}}`. */
  source: { text: string; line: number; indent: number };
  /** The clients and fault rules declared before this step, which the step may use. */
  scope: { clients: Array<[string, { version: 3 | 4 | 5; at: SourcePos }]>; faultIds: Array<[string, boolean]> };
}

export type ChoiceKind = 'qos' | 'filter' | 'topic' | 'client-id' | 'text';

export interface Step {
  /** 0-based position in the lesson. */
  index: number;
  at: SourcePos;
  title?: string;
  text?: string;
  /** Asked before the actions run: predict, then run. */
  predict?: Question;
  /** Chosen by the student before the actions run; the actions and expectations below use the lesson's example. */
  choose?: Choice;
  actions: Action[];
  expectations: Expectation[];
  explain?: string;
  question?: Question;
  highlight: string[];
  view?: ViewName;
  /** A task for every student's own client, checked from the broker's side (the class view). */
  exercise?: Exercise;
}

// ---- Actions ----------------------------------------------------------------------------------------------

export type ClientRef = string;

export interface FaultSpec {
  id?: string;
  match: {
    direction?: Direction;
    type?: PacketTypeName;
    /** A lesson client id; the engine turns it into that client's MQTT client identifier. */
    client?: ClientRef;
    topic?: string;
    qos?: QoS;
    nth?: number;
  };
  action: FaultAction;
  ms?: number;
  times?: number;
  field?: string;
}

export type ActionBody =
  | { kind: 'client'; id: ClientRef; options: ClientOptions }
  /** With `refused`, the action succeeds only when the broker refuses the CONNECT (a CONNACK return code ≠ 0). */
  | { kind: 'connect' | 'reconnect'; client: ClientRef; refused?: boolean }
  | { kind: 'disconnect' | 'kill' | 'sever'; client: ClientRef }
  /** `topic` is '' when an MQTT 5 PUBLISH goes by its Topic Alias alone. */
  | { kind: 'publish'; client: ClientRef; topic: string; payload: string; qos: QoS; retain: boolean; properties?: MessageProperties }
  | { kind: 'subscribe'; client: ClientRef; subscriptions: SubscribeRequest[] }
  | { kind: 'unsubscribe'; client: ClientRef; filters: string[] }
  | { kind: 'fault'; rule: FaultSpec }
  /** Without an id: every rule. */
  | { kind: 'clear-faults'; id?: string }
  | { kind: 'step-mode'; on: boolean }
  | { kind: 'release-next'; count: number }
  | { kind: 'release-all' }
  | { kind: 'wait'; ms: number }
  /** HTTP beside MQTT: a named HTTP client POSTs one reading to the lab's web server. */
  | { kind: 'http-post'; client: ClientRef; body: string }
  /** A named HTTP client polls the web server every `every` ms for `for` ms. */
  | { kind: 'http-poll'; client: ClientRef; every: number; for: number };

export type Action = ActionBody & { at: SourcePos };

export type ActionKind = Action['kind'];

// ---- Expectations -----------------------------------------------------------------------------------------

/** What a packet must look like; every given criterion must hold. */
export interface PacketMatch {
  type?: PacketTypeName;
  /** Sent by this lesson client (direction toBroker). */
  from?: ClientRef;
  /** Sent to this lesson client (direction toClient). */
  to?: ClientRef;
  direction?: Direction;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  /** A topic name, or a filter matched against the packet's topic(s). */
  topic?: string;
  /** Field filter name → value, each matched anywhere in the field tree. */
  fields: Array<{ filter: string; value: string | number | boolean }>;
  fault?: FaultAction | 'step';
}

export interface MessageMatch {
  client: ClientRef;
  topic?: string;
  payload?: string;
  qos?: number;
  retain?: boolean;
}

export type ExpectationBody =
  /** Without count: at least one; with count: exactly that many by the end of the step. */
  | { kind: 'packet'; match: PacketMatch; within: number; count?: number }
  | { kind: 'no-packet'; match: PacketMatch; within: number }
  | { kind: 'received'; match: MessageMatch; within: number; count?: number }
  | { kind: 'not-received'; match: MessageMatch; within: number }
  | { kind: 'connection'; client: ClientRef; state?: 'connected' | 'closed'; ended?: ConnectionEnd; within: number }
  | { kind: 'order'; matches: PacketMatch[]; within: number }
  /** The step's question must be answered (by a person; headless runs accept any answer). */
  | { kind: 'quiz' }
  /** A TLS record or WebSocket frame on the client's latest connection, as an observer of the wire sees it. */
  | { kind: 'tls-record' | 'ws-frame'; client: ClientRef; match: LayerMatch; within: number };

/** What a TLS record or WebSocket frame must look like; every given criterion must hold. */
export interface LayerMatch {
  direction?: Direction;
  /** TLS: the record's content type, as Wireshark names it (Handshake, Application Data, Alert, Change Cipher Spec). */
  content?: string;
  /** TLS: a handshake message readable in the clear (Client Hello, Server Hello). */
  handshake?: string;
  /** WebSocket: the frame's opcode name (Binary, Text, Ping, Pong, Connection Close, Continuation). */
  opcode?: string;
  /** WebSocket: whether the payload is masked (every client frame must be, RFC 6455 §5.1). */
  masked?: boolean;
  /** The unit carried bytes of an MQTT packet of this type. */
  carries?: PacketTypeName;
}

export type Expectation = ExpectationBody & { at: SourcePos };

export type ExpectationKind = Expectation['kind'];
