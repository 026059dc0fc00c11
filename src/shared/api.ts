// The one API contract between a Lab and whatever drives it remotely: the renderer over Electron IPC or
// over the browser mode's WebSocket. Commands are request/response by name; events flow from the Lab.
// Everything here is JSON: bytes travel as lowercase hex strings.
import type {
  AclRule, BrokerEvent, BrokerInfo, ClientOptions, ClientSummary, ConnackResult, Connection, Direction, FaultRecord,
  FaultRule, PublishRequest, PublishResult, RecordFinding, SubscribeGrant, SubscribeRequest,
} from './lab.js';
import type { Lesson, Problem } from './lesson.js';
import type { StepResult } from './lesson-results.js';
import type { StreamFrame } from './event-stream/frame.js';
import type { DecodedPacket, PacketInfo, PacketTypeName, Severity } from './packet.js';
import type { ProgressSummary, ProgressView } from './progress.js';
import type { ClassQuery, ClassTable } from './exercise.js';
import type { ConnectionActivity, ConnectionGroup, ConnectionQuery } from './client-groups.js';
import type { LayerUnit } from './transport.js';

/** A PacketRecord as it crosses the process boundary. */
export interface WirePacket {
  seq: number;
  time: number;
  connId: number;
  clientId?: string;
  direction: Direction;
  /** Hex of the bytes as they went on the wire (after any corruption); only the first ones when `fullLength` is set. */
  bytes: string;
  /** The packet's true length when the capture keeps only its first bytes. */
  fullLength?: number;
  decoded: DecodedPacket;
  fault?: FaultRecord;
  /** The tap's connection-level findings (PacketRecord.findings). */
  findings?: RecordFinding[];
}

/**
 * What the live stream and list pages carry per packet: enough for the list, the sequence diagram, the topics
 * view and the chart, without the field tree or the bytes (those come from `packets.get`/`packets.getMany` when
 * a view opens the packet). A PUBACK must stay near 100 bytes on the wire, a 64-byte PUBLISH under 200.
 */
export interface PacketSummary {
  seq: number;
  time: number;
  connId: number;
  clientId?: string;
  direction: Direction;
  type: PacketTypeName;
  /** High nibble of the first byte (0-15); -1 when not MQTT at all. */
  typeCode: number;
  version: DecodedPacket['version'];
  /** The packet's true length in bytes (fixed header + remaining length). */
  length: number;
  /** The dissector's one-liner (mosquitto -v style), `[malformed: …]` included. */
  summary: string;
  info: PacketInfo;
  /** PUBLISH: the payload as text when it is valid UTF-8, cut to its first PAYLOAD_PREVIEW characters. */
  payloadText?: string;
  /** PUBLISH: the preview above is not the whole payload (cut, or binary and absent). */
  payloadCut?: boolean;
  /** CONNECT with a Last Will: its topic and message (text preview, cut like payloadText). */
  will?: { topic: string; text?: string };
  fault?: FaultRecord;
  /** Issues in the tree (and connection-level findings): how many, and the worst one's severity. */
  issues?: number;
  severity?: Severity;
}

/** Characters of a PUBLISH payload (or will message) a summary carries; views fetch the packet for more. */
export const PAYLOAD_PREVIEW = 64;

/** A message a publisher sent to the broker, as the topic history and the chart read it. */
export interface DigestMessage {
  seq: number;
  time: number;
  /** The payload as text (whole when short, else its first PAYLOAD_PREVIEW characters); absent when binary. */
  text?: string;
  /** `text` is not the whole payload (or the payload is binary). */
  cut: boolean;
  /** The payload's length in bytes. */
  size: number;
  qos: number;
  retain: boolean;
  dup: boolean;
}

/** One topic of the capture: what the Topics panel shows of it. */
export interface DigestTopic {
  topic: string;
  /** PUBLISH packets from clients to the broker, and from the broker to subscribers. */
  published: number;
  delivered: number;
  /** The newest message seen on the topic, either way. */
  last?: { text?: string; cut: boolean; time: number; qos: number };
  /** The retained message a new subscriber would get, and when publishers last set or deleted it. */
  retained?: { text?: string; cut: boolean; time: number };
  retainedAt?: number;
  /** The newest messages publishers sent here, oldest first. */
  messages: DigestMessage[];
}

/**
 * What a page opening on a big capture needs beyond the rows it shows, in one call (capture.digest): the
 * topic tree with its histories, the chart's messages, the wills, and the packets each fault rule acted on.
 */
export interface CaptureDigest {
  /** The newest seq the digest covers (null: an empty capture); newer packets come as live events. */
  upTo: number | null;
  topics: DigestTopic[];
  /** The Last Will each client's newest CONNECT set (clients whose CONNECT had none are left out). */
  wills: Array<{ clientId: string; seq: number; topic: string; text?: string; cut: boolean }>;
  /** Packets each fault rule acted on, by rule id. */
  ruleHits: Record<string, number>;
  /** Every connection with packets in the capture, with its client id when known (the client menu's lanes). */
  connections: Array<{ connId: number; clientId?: string }>;
  /** A couple of packets of each type and version (the filter box learns field names from their trees). */
  samples: number[];
  /** For each time asked for: the newest packet at or before it (null: none), to place timeline notes. */
  seqsAt: Array<number | null>;
}

export interface WireMessage {
  time: number;
  topic: string;
  /** Hex of the payload. */
  payload: string;
  /** The payload as text when it is valid UTF-8. */
  text?: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

export interface PacketQuery {
  connId?: number;
  clientId?: string;
  type?: string;
  topic?: string;
  direction?: Direction;
  from?: number;
  to?: number;
  afterSeq?: number;
  limit?: number;
  /** A Wireshark-style display filter (src/shared/filter), evaluated in the core over the whole store. */
  filter?: string;
}

/** How far a save is: records of the capture read (phase 'reading'), then packets written to the file. */
export interface SaveProgress {
  phase: 'reading' | 'writing' | 'done';
  done: number;
  total: number;
}

/** One pull of a save in progress: the next part of the file (base64, may be empty), and how far it is. */
export interface SavePart {
  chunk: string;
  done: boolean;
  progress: SaveProgress;
}

/** One page of a (filtered) view of the capture, by position: what a windowed list needs to scroll a million rows. */
export interface PacketWindow {
  /** Packets in the view (all of the store, or those matching the filter). */
  total: number;
  /** Position of rows[0] in the view. */
  offset: number;
  rows: PacketSummary[];
}

export interface LabStatus {
  /** Where students' own code connects (the tap). */
  tap: { host: string; port: number };
  broker: BrokerInfo;
  stepMode: boolean;
  waiting: number[];
  packets: { count: number; firstSeq: number | null; lastSeq: number | null; capacity: number };
  /** The tap's TLS and WebSocket ports, when open, and the CA file a client needs to trust the TLS ones. */
  tls?: { host: string; port: number };
  ws?: { host: string; port: number };
  wss?: { host: string; port: number };
  caFile?: string;
}

/** A lesson as the lesson list shows it; `lessons.get` gives the whole lesson. */
export interface LessonSummary {
  id: string;
  title: string;
  order?: number;
  objectives: string[];
  steps: number;
  file: string;
  requires: string[];
  /** Shipped with the app, or from the lecturer's own lessons folder. */
  origin: 'built-in' | 'yours';
}

export interface LessonList {
  lessons: LessonSummary[];
  /** Mistakes in lesson files, each with file and line; the other lessons still load. */
  problems: Problem[];
}

type C<P, R> = { params: P; result: R };

export interface LabCommands {
  'lab.status': C<Record<string, never>, LabStatus>;
  /** Summaries in seq order (afterSeq pages forward); `filter` narrows in the core. */
  'packets.query': C<PacketQuery, PacketSummary[]>;
  /** Rows offset..offset+limit of the capture, or of those packets matching `filter`, with the view's size. */
  'packets.window': C<{ filter?: string; offset: number; limit: number }, PacketWindow>;
  /** Position of a packet in the (filtered) view, or -1 when it is not in it: to scroll to a selected packet. */
  'packets.indexOf': C<{ seq: number; filter?: string }, number>;
  /** One packet whole: bytes and field tree. */
  'packets.get': C<{ seq: number }, WirePacket | null>;
  /** Several packets whole, in the order asked; seqs no longer in the store are left out. */
  'packets.getMany': C<{ seqs: number[] }, WirePacket[]>;
  'packets.clear': C<Record<string, never>, null>;
  /**
   * Topics, histories (the newest `messages` per topic, at most 1000), wills and rule hits of the whole capture,
   * computed in the core; `times` (at most 2000) are placed as seqsAt.
   */
  'capture.digest': C<{ messages?: number; times?: number[] }, CaptureDigest>;
  /**
   * The capture as pcapng, base64. `brokerPort` names the broker's port in the file (default the tap's): a
   * recording made on a free port can be shared as 1883, which Wireshark and the viewer read as MQTT.
   */
  'capture.save': C<{ brokerPort?: number }, { pcapng: string }>;
  /**
   * Starts saving the capture as it is now (records up to the last seq), without holding the lab: the file is
   * pulled part by part with capture.saveRead, each read giving the progress; packets that arrive meanwhile are
   * captured as usual and are not in the file. A save not read for a minute is cancelled.
   */
  'capture.saveStart': C<{ brokerPort?: number }, { saveId: string; progress: SaveProgress }>;
  /** The next part of the file (about 1 MB of base64, or less when a part took long to make); fails if the save failed. */
  'capture.saveRead': C<{ saveId: string }, SavePart>;
  /** Stops a save; its parts already read are all there is (the page throws them away). */
  'capture.saveCancel': C<{ saveId: string }, null>;
  'capture.open': C<{ pcapng: string; ports?: number[] }, { packets: number }>;
  'clients.list': C<Record<string, never>, ClientSummary[]>;
  'clients.create': C<{ id: string; options?: ClientOptions }, ClientSummary>;
  'clients.connect': C<{ id: string }, ConnackResult>;
  'clients.publish': C<{ id: string } & PublishRequest, PublishResult>;
  'clients.subscribe': C<{ id: string; subscriptions: SubscribeRequest[] }, SubscribeGrant[]>;
  'clients.unsubscribe': C<{ id: string; filters: string[] }, null>;
  'clients.disconnect': C<{ id: string }, null>;
  'clients.kill': C<{ id: string }, null>;
  'clients.reconnect': C<{ id: string }, ConnackResult>;
  'clients.remove': C<{ id: string }, null>;
  'clients.messages': C<{ id: string }, WireMessage[]>;
  'faults.list': C<Record<string, never>, Array<FaultRule & { fired: number }>>;
  'faults.add': C<Omit<FaultRule, 'id'> & { id?: string }, FaultRule>;
  'faults.remove': C<{ id: string }, null>;
  'faults.clear': C<Record<string, never>, null>;
  /** `pings`: keepalive PINGREQ/PINGRESP wait too (by default they pass untouched). */
  'step.set': C<{ on: boolean; pings?: boolean }, null>;
  'step.next': C<Record<string, never>, WirePacket | null>;
  'step.release': C<{ seq: number }, boolean>;
  'step.releaseAll': C<Record<string, never>, number>;
  'connections.list': C<Record<string, never>, Connection[]>;
  'connections.sever': C<{ connId: number }, boolean>;
  /** Connections found by client id (substring or prefix), group, state or idleness, with their activity. */
  'connections.find': C<ConnectionQuery, ConnectionActivity[]>;
  /** Connections grouped by client-id prefix (groupOf), largest first: for folding 200 lanes into a few. */
  'connections.groups': C<{ activeWithin?: number }, ConnectionGroup[]>;
  /** The TLS records and WebSocket frames of a connection, each with the MQTT packets it carried. */
  'transport.units': C<{ connId: number }, LayerUnit[]>;
  /** The records and frames that carried one packet, outermost layer first (empty for plain TCP). */
  'transport.forPacket': C<{ seq: number }, LayerUnit[]>;
  /** Users and ACL of the embedded broker, changed while it runs (empty = anyone may do anything). */
  'broker.configure': C<{ users?: Record<string, string>; acl?: AclRule[] }, null>;
  /** HTTP beside MQTT (the readings server behind the HTTP tap): a named sensor POSTs one reading. */
  'http.post': C<{ client: string; body: string }, { seq: number }>;
  /** A named receiver polls every `everyMs` for `forMs`; answers what it got. */
  'http.poll': C<{ client: string; everyMs: number; forMs: number }, { polls: number; emptyPolls: number; timeouts: number; readings: unknown[] }>;
  /** The HTTP tap drops the next response that carries readings. */
  'http.dropNextReadings': C<Record<string, never>, null>;
  /** Stops the HTTP side and forgets its readings. */
  'http.reset': C<Record<string, never>, null>;
  'lessons.list': C<Record<string, never>, LessonList>;
  'lessons.reload': C<Record<string, never>, LessonList>;
  'lessons.get': C<{ id: string }, Lesson>;
  /**
   * Resets the lab's lesson state and makes this lesson the running one. graded: a wrong first answer
   * fails its step. Without `resume` a new attempt begins (saved results go); with it the saved steps run
   * again first (`replayed` of them), with their saved answers and choices.
   */
  'lessons.start': C<{ id: string; graded?: boolean; resume?: boolean }, { steps: number; replayed: number }>;
  /** Runs the running lesson's next step; null when it is over. */
  'lessons.next': C<Record<string, never>, StepResult | null>;
  /** A choice's index, or the text typed for an open question; `expected` is the right answer once it may be shown. */
  'lessons.answer': C<{ step: number; choice?: number; text?: string }, { correct: boolean | null; explain?: string; expected?: string }>;
  /** The student's value for a step with `choose:`, before it runs; refused when it does not fit. */
  'lessons.choose': C<{ step: number; value: string }, { value: string }>;
  /** Runs the step that ran last again, when it failed; its new result replaces the old (and is sent as 'lesson-step'). */
  'lessons.rerun': C<{ step: number }, StepResult>;
  /**
   * Ends the running lesson and resets what it changed (its clients disconnect and go); returns what could not
   * be reset, in words. With `id`, only when that lesson is the running one.
   */
  'lessons.close': C<{ id?: string }, string[]>;
  /** A lesson's saved progress (predictions, answers, step results, completion), to restore it. */
  'progress.get': C<{ id: string }, ProgressView>;
  /** "Start over": forgets the lesson's saved progress. */
  'progress.clear': C<{ id: string }, null>;
  /** Saves a prediction made before the step runs, whether or not the lesson has started. */
  'progress.predict': C<{ id: string; step: number; choice: number }, { correct: boolean | null }>;
  /** Per lesson id with saved progress: steps run and passed, completion. */
  'progress.summaries': C<Record<string, never>, Record<string, ProgressSummary>>;
  /** The student's name as they entered it (it goes on their lab reports). */
  'student.get': C<Record<string, never>, { name: string | null }>;
  'student.set': C<{ name: string }, { name: string }>;
  /** The lab report of a lesson's saved progress: one self-contained HTML file. */
  'report.build': C<{ id: string }, { html: string; fileName: string }>;
  /** The class view: which client ids completed which lesson exercises (search/prefix filter the rows). */
  'class.table': C<ClassQuery, ClassTable>;
  /** The same as CSV for a spreadsheet. */
  'class.csv': C<ClassQuery, { csv: string; fileName: string }>;
  /** Forgets every client id and completion (a new class). */
  'class.clear': C<Record<string, never>, null>;
}

export type CommandName = keyof LabCommands;
export type ParamsOf<K extends CommandName> = LabCommands[K]['params'];
export type ResultOf<K extends CommandName> = LabCommands[K]['result'];

export interface LabEvents {
  packet: PacketSummary;
  /** A packet already sent changed (a finding added, a held packet released); its tree may have changed too. */
  'packet-update': PacketSummary;
  connection: Connection;
  client: ClientSummary;
  message: { id: string; message: WireMessage };
  broker: BrokerEvent;
  rules: Array<FaultRule & { fired: number }>;
  step: { on: boolean; waiting: number[] };
  cleared: null;
  lessons: LessonList;
  'lesson-step': StepResult;
  /** A lesson's progress was saved (or cleared); `problems` are files that could not be read or written. */
  progress: { lessonId: string; summary: ProgressSummary | null; problems: string[] };
  /** The class table changed (at most twice a second). */
  class: ClassTable;
  /**
   * Sent by a transport, never by the Lab: these packets' events were not sent. Either the receiver fell behind
   * (the page says so and catches up with packets.query({ afterSeq: fromSeq - 1 })), or, with `flood`, they
   * came faster than any page can draw one by one (the page jumps to the newest; they stay in the capture).
   */
  missed: { fromSeq: number; toSeq: number; flood?: true };
}

export type EventName = keyof LabEvents;

/** Every event name, for transports that forward them all (IPC bridge, WebSocket server). */
export const EVENT_NAMES: readonly EventName[] = [
  'packet', 'packet-update', 'connection', 'client', 'message', 'broker', 'rules', 'step', 'cleared', 'lessons', 'lesson-step', 'progress', 'class', 'missed',
];

/** Frames on the wire (WebSocket text frames, or IPC messages). */
export type ClientFrame =
  | { kind: 'call'; id: number; method: CommandName; params: unknown }
  /** Flow control: the receiver can take `n` more event frames (see src/shared/event-stream). */
  | { kind: 'credit'; n: number };
export type ServerFrame =
  | { kind: 'result'; id: number; ok: true; result: unknown }
  | { kind: 'result'; id: number; ok: false; error: string }
  /** A tick's events in order, packet summaries packed as rows (src/shared/event-stream/frame.ts). */
  | StreamFrame;

/** What the renderer (and any remote driver) programs against, whatever the transport. */
export interface LabApi {
  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>>;
  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void;
}
