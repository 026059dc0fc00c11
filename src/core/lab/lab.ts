// The Lab: broker host, tap, embedded clients and capture store composed behind the one API of
// src/shared/api.ts. The Electron main process, the browser-mode server, the CLI and the lesson engine
// all drive a Lab through `lab.api`; its parts are private. Outside `api` a Lab offers only start, stop,
// status, its addresses and clock, and in-process readers: packetAt for the lesson engine, onPacketSeq and
// summaryAt for the live log and the browser-mode server's stream, runReport for `lesson run`. Its
// collaborators get what they need at construction (lab-parts.ts and each one's own deps), and each part
// announces its own changes, which the Lab only forwards to the API's events.
import { systemClock, type Clock } from '../../shared/clock.js';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EventName, LabApi, LabEvents, LabStatus, PacketSummary, WirePacket } from '../../shared/api.js';
import type { BrokerInfo, PacketRecord } from '../../shared/lab.js';
import type { Lesson } from '../../shared/lesson.js';
import type { LessonResult, StepResult } from '../../shared/lesson-results.js';
import { createBroker, type BrokerHost } from '../broker/index.js';
import { ClassTracker } from '../class/index.js';
import { ClientManager } from '../clients/index.js';
import { CaptureStore, FilterViews } from '../store/index.js';
import { chunkWarmer } from '../store/warm-chunks.js';
import { giveHeapHeadroom } from './heap-headroom.js';
import { Tap } from '../tap/tap.js';
import { commandTable, type Handlers } from './commands.js';
import { ConnectionActivityIndex } from './connection-activity.js';
import { HttpSide } from './http-side.js';
import { LessonHost, type LessonSource } from './lesson-host.js';
import type { LabOptions } from './lab-options.js';
import type { SavedStep } from '../../shared/progress.js';
import { storedLine, storedLineSource, storedSummary, summaryOf, wireMessage, wirePacket, type LineFacts, type LineSource } from './wire.js';
import { toHex } from '../dissect/utf8.js';
import { snapshotStep } from '../progress/index.js';
import type { LabParts } from './lab-parts.js';
import { buildRunReport, type BuiltReport } from './lesson-report.js';
import { recordLive } from './live-pcap.js';
import { startTransports, type Transports } from './transports.js';

/** The course shipped with the app: lessons/ at the top of the checkout (and of the packaged app). */
export const BUILT_IN_LESSONS = fileURLToPath(new URL('../../../lessons', import.meta.url));

export class Lab {
  readonly api: LabApi;
  /** The lab's time (LabOptions.clock): the browser mode batches its events by it. */
  readonly clock: Clock;
  /** Where students connect: the tap's plain MQTT port. */
  readonly tapAddress: { host: string; port: number };
  readonly #store: CaptureStore;
  readonly #views: FilterViews;
  readonly #tap: Tap;
  readonly #clients: ClientManager;
  readonly #lessons: LessonHost;
  readonly #class: ClassTracker;
  readonly #activity = new ConnectionActivityIndex();
  readonly #http: HttpSide;
  readonly #transports: Transports;
  readonly #ownBroker: BrokerHost;
  readonly #ownBrokerInfo: BrokerInfo;
  readonly #events = new EventEmitter();
  /** Records whose 'packet' event waits for the end of the tap's current read (see #wire()). */
  #unsummarised: PacketRecord[] = [];
  /** Readers of the live packets by seq (onPacketSeq). */
  readonly #seqListeners = new Set<(seq: number) => void>();
  /** The record whose seq the seq readers are being given. */
  #announcing: PacketRecord | null = null;
  /** A broker started for one lesson (`broker: mosquitto`) in place of the lab's own, until it ends. */
  #lessonBroker: { host: BrokerHost; info: BrokerInfo; off: () => void } | null = null;
  #stopRecording: (() => void) | null = null;

  private constructor(
    ownBroker: BrokerHost,
    ownBrokerInfo: BrokerInfo,
    tap: Tap,
    store: CaptureStore,
    tapAddress: { host: string; port: number },
    lessonSources: LessonSource[],
    transports: Transports,
    opts: LabOptions,
  ) {
    this.#ownBroker = ownBroker;
    this.#ownBrokerInfo = ownBrokerInfo;
    this.#store = store;
    this.#views = new FilterViews(store);
    this.#tap = tap;
    this.#transports = transports;
    this.tapAddress = tapAddress;
    this.clock = tap.clock;
    this.#clients = new ClientManager({ host: '127.0.0.1', port: tapAddress.port }, { clock: this.clock, targetFor: (t) => transports.target(t) });
    this.#events.setMaxListeners(0);
    this.#http = new HttpSide({
      connId: () => tap.allocateConnId(),
      record: (r) => store.append(r),
      label: (connId, name) => store.setClientId(connId, name),
    });
    // The command table is filled in last: it reaches parts (the lesson host) that need this api first.
    const handlers: { current?: Handlers } = {};
    this.api = {
      call: async (method, params) => {
        // Own keys only: `constructor` or `toString` of a plain object are not commands.
        const table = handlers.current!;
        const h = typeof method === 'string' && Object.hasOwn(table, method) ? table[method] : undefined;
        if (h === undefined) throw new Error(`unknown command '${String(method)}'`);
        return h(params as never) as never;
      },
      on: (event, listener) => {
        this.#events.on(event, listener as (d: unknown) => void);
        return () => this.#events.off(event, listener as (d: unknown) => void);
      },
    };
    this.#lessons = new LessonHost({
      api: this.api,
      clock: this.clock,
      brokerInfo: () => this.brokerInfo,
      useLessonBroker: (kind) => this.#useLessonBroker(kind),
      packets: (seq) => this.packetAt(seq),
      snapshot: (r) => this.#snapshot(r),
      dataDir: opts.dataDir,
    }, lessonSources);
    this.#wire();
    // After #wire: the tracker reads client ids the Lab's own 'connection' handler gives the store.
    this.#class = new ClassTracker({ tap, clients: this.#clients, lessons: this.#lessons, clientIdOf: (connId) => store.clientIdOf(connId) });
    this.#class.on('class', (t) => this.#emit('class', t));
    handlers.current = commandTable(this.#parts());
    if (opts.pcap !== undefined) this.#stopRecording = recordLive(this.#parts(), opts.pcap);
  }

  static async start(opts: LabOptions = {}): Promise<Lab> {
    if (opts.reserveCapture === true) giveHeapHeadroom();
    const broker = createBroker({ kind: opts.broker ?? 'aedes', upstream: opts.upstream, users: opts.users, acl: opts.acl, brokerThread: opts.brokerThread });
    const info = await broker.start();
    // Chunks for the capture's bytes are touched on a worker thread, not on the relay's (warm-chunks.ts).
    const store = new CaptureStore(opts.capacity, { warmer: chunkWarmer() });
    if (opts.reserveCapture === true) store.reserve();
    const tap = new Tap({
      // An embedded broker takes the tap's connections in process, without loopback sockets.
      broker: { host: info.host, port: info.port, connect: broker.connect?.bind(broker) },
      port: opts.port ?? 1883,
      host: opts.lan ? '0.0.0.0' : '127.0.0.1',
      maxPacketSize: opts.maxPacketSize,
      record: (r) => store.append(r),
      clock: opts.clock ?? systemClock,
    });
    let address: { host: string; port: number };
    let transports: Transports;
    try {
      address = await tap.start();
      transports = await startTransports(tap, () => address, opts);
    } catch (e) {
      await tap.stop();
      await broker.stop();
      throw e;
    }
    const lab = new Lab(broker, info, tap, store, address, opts.lessonDirs ?? [{ dir: BUILT_IN_LESSONS, origin: 'built-in' }], transports, opts);
    await lab.#lessons.reload();
    lab.#lessons.watch();
    return lab;
  }

  /** The broker new connections reach: the lab's own, or the one a running lesson asked for. */
  get brokerInfo(): BrokerInfo {
    return this.#lessonBroker?.info ?? this.#ownBrokerInfo;
  }

  /** Call after starting a child process from this one (CaptureStore.renewReserve says why). */
  childStarted(): void {
    this.#store.renewReserve();
  }

  /** Stops clients, tap and broker; nothing is left listening or scheduled. */
  async stop(): Promise<void> {
    await this.#lessons.stop();
    this.#class.stop();
    await this.#http.stop();
    await this.#clients.closeAll();
    await this.#transports.stop();
    await this.#tap.stop();
    this.#stopRecording?.();
    await this.#useLessonBroker(null);
    await this.#ownBroker.stop();
    this.#events.removeAllListeners();
  }

  status(): LabStatus {
    return {
      tap: this.tapAddress,
      broker: this.brokerInfo,
      stepMode: this.#tap.stepMode,
      waiting: this.#tap.waiting().map((r) => r.seq),
      packets: { count: this.#store.size, firstSeq: this.#store.firstSeq ?? null, lastSeq: this.#store.lastSeq ?? null, capacity: this.#store.capacity },
      ...this.#transports.status(),
    };
  }

  /**
   * A packet the store holds, by seq, its tree and bytes read when used: the lesson engine, in process,
   * reads the trees it checks through this, from the store's cache of recent trees, without a copy.
   */
  packetAt(seq: number): Pick<WirePacket, 'decoded' | 'bytes'> | null {
    const store = this.#store;
    if (!store.has(seq)) return null;
    return {
      get decoded() {
        return store.tree(seq)!;
      },
      get bytes() {
        return toHex(store.bytesOf(seq) ?? new Uint8Array(0));
      },
    };
  }

  /** The lab report of a headless lesson run (`lesson run --report`), from the capture before the lab stops. */
  runReport(lesson: Lesson, result: LessonResult, student: string | null): BuiltReport {
    return buildRunReport({ snapshot: (r) => this.#snapshot(r), brokerInfo: this.brokerInfo }, lesson, result, student);
  }

  /** What commands and capture files work on: the parts, read live (the broker changes with lessons). */
  #parts(): LabParts {
    const lab = this;
    return {
      store: this.#store,
      views: this.#views,
      tap: this.#tap,
      clients: this.#clients,
      lessons: this.#lessons,
      get class() {
        return lab.#class;
      },
      activity: this.#activity,
      http: this.#http,
      transports: this.#transports,
      tapAddress: this.tapAddress,
      get broker() {
        return lab.#lessonBroker?.host ?? lab.#ownBroker;
      },
      get brokerInfo() {
        return lab.brokerInfo;
      },
      status: () => this.status(),
      packet: (r) => wirePacket(r, this.#store.clientIdOf(r.connId)),
      summaryAt: (seq) => this.summaryAt(seq),
    };
  }

  #snapshot(r: StepResult): SavedStep {
    return snapshotStep(r, this.#store, this.#tap.connections(), this.tapAddress.port);
  }

  /**
   * Puts the system mosquitto behind the tap for a lesson that runs on it, or (null) goes back to the lab's
   * own broker and stops the lesson's. Connections already open stay where they are.
   */
  async #useLessonBroker(kind: 'mosquitto' | null): Promise<void> {
    if (kind === null || this.#ownBroker.kind === kind) {
      const current = this.#lessonBroker;
      if (current === null) return;
      this.#lessonBroker = null;
      this.#tap.setBroker({ host: this.#ownBrokerInfo.host, port: this.#ownBrokerInfo.port, connect: this.#ownBroker.connect?.bind(this.#ownBroker) });
      current.off();
      await current.host.stop();
      this.#emit('broker', { kind: 'log', time: this.clock.now(), line: `the lesson's ${current.info.kind} stopped; back on ${this.#ownBrokerInfo.kind}` });
      return;
    }
    if (this.#lessonBroker?.info.kind === kind) return;
    await this.#useLessonBroker(null);
    const host = createBroker({ kind });
    const info = await host.start();
    // Starting mosquitto forked this process.
    this.childStarted();
    const off = host.onEvent((e) => this.#emit('broker', e));
    this.#lessonBroker = { host, info, off };
    this.#tap.setBroker(info);
    this.#emit('broker', { kind: 'log', time: this.clock.now(), line: `this lesson runs on ${kind} (MQTT 5), started behind the tap on ${info.host}:${info.port}` });
  }

  #emit<E extends EventName>(event: E, data: LabEvents[E]): void {
    // Packet events still pending go first, so every listener sees events in the order things happened.
    if (this.#unsummarised.length > 0) this.#emitPackets();
    this.#events.emit(event, data);
  }

  /**
   * The summary of a packet the store holds, by seq (undefined once it is gone): what the live stream, the
   * list pages and the web server's stream read, from one place (wire.ts storedSummary). `preview: false`
   * for a reader that never shows the payload (the live log).
   */
  summaryAt(seq: number, opts: { preview?: boolean } = {}): PacketSummary | undefined {
    const preview = opts.preview ?? true;
    const s = storedSummary(this.#store, seq, preview);
    if (s !== undefined) return s;
    // A seq reader asking about the packet it is being told of, which a tiny capacity already evicted.
    const r = this.#announcing;
    if (r?.seq !== seq) return undefined;
    const own = summaryOf(r, this.#store.clientIdOf(r.connId));
    if (!preview) {
      delete own.payloadText;
      delete own.payloadCut;
    }
    return own;
  }

  /** What the live log's line for a packet the store holds shows (wire.ts storedLine); undefined once it is gone. */
  lineAt(seq: number): LineFacts | undefined {
    return storedLine(this.#store, seq) ?? this.summaryAt(seq, { preview: false });
  }

  /**
   * A live log line's bytes and facts, for a line made off this thread (wire.ts storedLineSource); undefined
   * for a packet whose line lineAt must make here, or that is gone.
   */
  lineSource(seq: number): LineSource | undefined {
    return storedLineSource(this.#store, seq);
  }

  /**
   * Every live packet's seq, in order with the API's events, for a reader that takes the summaries later
   * through summaryAt (the browser-mode server's stream). With only such readers no summary is made at all
   * when a packet goes by. Returns the function that stops it.
   */
  onPacketSeq(listener: (seq: number) => void): () => void {
    this.#seqListeners.add(listener);
    return () => {
      this.#seqListeners.delete(listener);
    };
  }

  /** A live record's summary: the store's, or (evicted already by a tiny capacity) the record's own. */
  #summary(r: PacketRecord): PacketSummary {
    return this.summaryAt(r.seq) ?? summaryOf(r, this.#store.clientIdOf(r.connId));
  }

  /** Forwards every part's own change events to the API's event stream; the Lab announces nothing itself. */
  #wire(): void {
    const tap = this.#tap;
    tap.on('packet', (r) => {
      this.#activity.observe(r);
      this.#transports.log.packet(r);
      // A summary reads the packet's tree; with nobody listening it is left for whoever asks later. With
      // listeners it is built after the tap's current read: the tap forwards a read's packets in one write
      // when that read has been handled, so dissecting inside it would hold the relay back.
      if (this.#events.listenerCount('packet') > 0 || this.#seqListeners.size > 0) {
        if (this.#unsummarised.push(r) === 1) queueMicrotask(() => this.#emitPackets());
      }
      // A rule that acted counted a firing (and may have retired): views show the counts live.
      if (r.fault?.ruleId !== undefined) this.#emitRules();
    });
    tap.on('packet-update', (r) => {
      // The tap changed its own record (a fault released); the store keeps facts, not that object.
      this.#store.setFault(r.seq, r.fault);
      this.#views.updated(r.seq);
      this.#emit('packet-update', this.#summary(r));
    });
    tap.on('waiting', () => this.#emitStep());
    tap.on('step', () => this.#emitStep());
    tap.rules.onChange(() => this.#emitRules());
    tap.on('waiting-discarded', () => this.#emitStep());
    tap.on('connection', (c) => {
      if (c.clientId !== undefined) this.#store.setClientId(c.connId, c.clientId);
      this.#emit('connection', c);
    });
    this.#store.onCleared(() => this.#emit('cleared', null));
    this.#http.on('packet', (r) => {
      // After any tap packets still pending, like every event.
      this.#unsummarised.push(r);
      this.#emitPackets();
    });
    this.#clients.on('client-state', (s) => this.#emit('client', s));
    this.#clients.on('message', (id, m) => this.#emit('message', { id, message: wireMessage(m) }));
    this.#lessons.on('lessons', (l) => this.#emit('lessons', l));
    this.#lessons.on('lesson-step', (r) => this.#emit('lesson-step', r));
    this.#lessons.on('progress', (p) => this.#emit('progress', p));
    this.#ownBroker.onEvent((e) => this.#emit('broker', e));
  }

  #emitPackets(): void {
    const records = this.#unsummarised;
    this.#unsummarised = [];
    const summaries = this.#events.listenerCount('packet') > 0;
    for (const r of records) {
      if (summaries) this.#events.emit('packet', this.#summary(r));
      if (this.#seqListeners.size === 0) continue;
      this.#announcing = r;
      for (const l of this.#seqListeners) l(r.seq);
      this.#announcing = null;
    }
  }

  #emitStep(): void {
    this.#emit('step', { on: this.#tap.stepMode, waiting: this.#tap.waiting().map((r) => r.seq) });
  }

  #emitRules(): void {
    this.#emit('rules', this.#tap.rules.list());
  }
}
