// The Lab: broker host, tap, embedded clients and capture store composed behind the one API of
// src/shared/api.ts. The Electron main process, the browser-mode server, the CLI and the lesson engine
// all drive a Lab through `lab.api`.
import { systemClock, type Clock } from '../../shared/clock.js';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EventName, LabApi, LabEvents, LabStatus, PacketSummary, WirePacket } from '../../shared/api.js';
import type { BrokerInfo, PacketRecord } from '../../shared/lab.js';
import { createBroker, type BrokerHost } from '../broker/index.js';
import { ClassTracker } from '../class/index.js';
import { ClientManager } from '../clients/index.js';
import { CaptureStore, FilterViews } from '../store/index.js';
import { Tap } from '../tap/tap.js';
import { unbuiltVersion } from '../tap/lazy-record.js';
import { commandTable, type Handlers } from './commands.js';
import { ConnectionActivityIndex } from './connection-activity.js';
import { HttpSide } from './http-side.js';
import { LessonHost, type LessonSource } from './lesson-host.js';
import type { LabOptions } from './lab-options.js';
import { plainSummaryOf, summaryOf, wireMessage, wirePacket } from './wire.js';
import { toHex } from '../dissect/utf8.js';
import { startTransports, type Transports } from './transports.js';

/** The course shipped with the app: lessons/ at the top of the checkout (and of the packaged app). */
export const BUILT_IN_LESSONS = fileURLToPath(new URL('../../../lessons', import.meta.url));

export class Lab {
  readonly store: CaptureStore;
  /** The capture through display filters, by position (packets.window, packets.indexOf, filtered queries). */
  readonly views: FilterViews;
  readonly tap: Tap;
  readonly clients: ClientManager;
  readonly api: LabApi;
  readonly lessons: LessonHost;
  readonly clock: Clock;
  /** Which client ids completed which class exercises, from every packet through the tap. */
  readonly class: ClassTracker;
  /** Packets and last activity per connection, for finding and grouping many students' connections. */
  readonly activity = new ConnectionActivityIndex();
  /** HTTP beside MQTT, for comparing the two (started on first use). */
  readonly http: HttpSide;
  private readonly events = new EventEmitter();
  /** Records whose 'packet' event waits for the end of the tap's current read (see wire()). */
  private unsummarised: PacketRecord[] = [];
  private readonly handlers: Handlers;
  /** A broker started for one lesson (`broker: mosquitto`) in place of the lab's own, until it ends. */
  private lessonBroker: { host: BrokerHost; info: BrokerInfo; off: () => void } | null = null;

  private constructor(
    private readonly ownBroker: BrokerHost,
    private readonly ownBrokerInfo: BrokerInfo,
    tap: Tap,
    store: CaptureStore,
    readonly tapAddress: { host: string; port: number },
    lessonSources: LessonSource[],
    /** The TLS and WebSocket ports, their log of records and frames, and the CA file clients need. */
    readonly transports: Transports,
    /** Where progress and the student's name are saved; undefined: kept only while the Lab runs. */
    readonly dataDir?: string,
  ) {
    this.store = store;
    this.views = new FilterViews(store);
    this.tap = tap;
    this.clock = tap.clock;
    this.clients = new ClientManager({ host: '127.0.0.1', port: tapAddress.port }, { clock: this.clock, targetFor: (t) => transports.target(t) });
    this.events.setMaxListeners(0);
    this.lessons = new LessonHost(this, lessonSources);
    this.http = new HttpSide(this);
    this.wire();
    this.handlers = commandTable(this);
    this.api = {
      call: async (method, params) => {
        // Own keys only: `constructor` or `toString` of a plain object are not commands.
        const h = typeof method === 'string' && Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
        if (h === undefined) throw new Error(`unknown command '${String(method)}'`);
        return h(params as never) as never;
      },
      on: (event, listener) => {
        this.events.on(event, listener as (d: unknown) => void);
        return () => this.events.off(event, listener as (d: unknown) => void);
      },
    };
    this.class = new ClassTracker(this);
  }

  static async start(opts: LabOptions = {}): Promise<Lab> {
    const broker = createBroker({ kind: opts.broker ?? 'aedes', upstream: opts.upstream, users: opts.users, acl: opts.acl });
    const info = await broker.start();
    const store = new CaptureStore(opts.capacity);
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
    const lab = new Lab(broker, info, tap, store, address, opts.lessonDirs ?? [{ dir: BUILT_IN_LESSONS, origin: 'built-in' }], transports, opts.dataDir);
    await lab.lessons.reload();
    lab.lessons.watch();
    return lab;
  }

  /** The broker new connections reach: the lab's own, or the one a running lesson asked for. */
  get broker(): BrokerHost {
    return this.lessonBroker?.host ?? this.ownBroker;
  }

  get brokerInfo(): BrokerInfo {
    return this.lessonBroker?.info ?? this.ownBrokerInfo;
  }

  /**
   * Puts the system mosquitto behind the tap for a lesson that runs on it, or (null) goes back to the lab's
   * own broker and stops the lesson's. Connections already open stay where they are.
   */
  async useLessonBroker(kind: 'mosquitto' | null): Promise<void> {
    if (kind === null || this.ownBroker.kind === kind) {
      const current = this.lessonBroker;
      if (current === null) return;
      this.lessonBroker = null;
      this.tap.setBroker({ host: this.ownBrokerInfo.host, port: this.ownBrokerInfo.port, connect: this.ownBroker.connect?.bind(this.ownBroker) });
      current.off();
      await current.host.stop();
      this.emit('broker', { kind: 'log', time: this.clock.now(), line: `the lesson's ${current.info.kind} stopped; back on ${this.ownBrokerInfo.kind}` });
      return;
    }
    if (this.lessonBroker?.info.kind === kind) return;
    await this.useLessonBroker(null);
    const host = createBroker({ kind });
    const info = await host.start();
    const off = host.onEvent((e) => this.emit('broker', e));
    this.lessonBroker = { host, info, off };
    this.tap.setBroker(info);
    this.emit('broker', { kind: 'log', time: this.clock.now(), line: `this lesson runs on ${kind} (MQTT 5), started behind the tap on ${info.host}:${info.port}` });
  }

  /** Stops clients, tap and broker; nothing is left listening or scheduled. */
  async stop(): Promise<void> {
    await this.lessons.stop();
    this.class.stop();
    await this.http.stop();
    await this.clients.closeAll();
    await this.transports.stop();
    await this.tap.stop();
    await this.useLessonBroker(null);
    await this.ownBroker.stop();
    this.events.removeAllListeners();
  }

  emit<E extends EventName>(event: E, data: LabEvents[E]): void {
    // Packet events still pending go first, so every listener sees events in the order things happened.
    if (this.unsummarised.length > 0) this.emitPackets();
    this.events.emit(event, data);
  }

  status(): LabStatus {
    return {
      tap: this.tapAddress,
      broker: this.brokerInfo,
      stepMode: this.tap.stepMode,
      waiting: this.tap.waiting().map((r) => r.seq),
      packets: { count: this.store.size, firstSeq: this.store.firstSeq ?? null, lastSeq: this.store.lastSeq ?? null, capacity: this.store.capacity },
      ...this.transports.status(),
    };
  }

  /** A packet whole (bytes and tree), as packets.get answers it. */
  packet(r: PacketRecord): WirePacket {
    return wirePacket(r, this.store.clientIdOf(r.connId));
  }

  /**
   * What the live stream and list pages carry for a record. A plain packet nobody has opened is summarised
   * from its bytes (no tree); otherwise the store's view is read when it still holds the record, so the tree
   * built for the summary is the one its cache keeps for the next packets.get.
   */
  summary(r: PacketRecord): PacketSummary {
    const clientId = this.store.clientIdOf(r.connId);
    const version = unbuiltVersion(r);
    // A tree someone built already (a fault rule, the tap's checks) is read where it is, not built again.
    if (version === undefined) return summaryOf(r, clientId);
    return plainSummaryOf(r, clientId, version) ?? summaryOf(this.store.get(r.seq) ?? r, clientId);
  }

  /**
   * A packet the store holds, by seq, its tree and bytes read when used (in process: the lesson engine reads
   * the trees it checks through this, from the store's cache of recent trees).
   */
  packetAt(seq: number): Pick<WirePacket, 'decoded' | 'bytes'> | null {
    const store = this.store;
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

  /** The summary of a record the store holds, by seq. */
  summaryAt(seq: number): PacketSummary | undefined {
    const r = this.store.get(seq);
    return r === undefined ? undefined : summaryOf(r, this.store.clientIdOf(r.connId), this.store.plainVersionOf(seq));
  }

  private wire(): void {
    this.tap.on('packet', (r) => {
      this.activity.observe(r);
      this.transports.log.packet(r);
      // A summary reads the packet's tree; with nobody listening it is left for whoever asks later. With
      // listeners it is built after the tap's current read: the tap forwards a read's packets in one write
      // when that read has been handled, so dissecting inside it would hold the relay back.
      if (this.events.listenerCount('packet') > 0) {
        if (this.unsummarised.push(r) === 1) queueMicrotask(() => this.emitPackets());
      }
      // A rule that acted counted a firing (and may have retired): views show the counts live.
      if (r.fault?.ruleId !== undefined) this.emitRules();
    });
    this.tap.on('packet-update', (r) => {
      // The tap changed its own record (a fault released); the store keeps facts, not that object.
      this.store.setFault(r.seq, r.fault);
      this.views.updated(r.seq);
      this.emit('packet-update', this.summary(r));
    });
    this.tap.on('waiting', () => this.emitStep());
    this.tap.on('step', () => this.emitStep());
    this.tap.rules.onChange(() => this.emitRules());
    this.tap.on('waiting-discarded', () => this.emitStep());
    this.tap.on('connection', (c) => {
      if (c.clientId !== undefined) this.store.setClientId(c.connId, c.clientId);
      this.emit('connection', c);
    });
    this.clients.on('client-state', (s) => this.emit('client', s));
    this.clients.on('message', (id, m) => this.emit('message', { id, message: wireMessage(m) }));
    this.ownBroker.onEvent((e) => this.emit('broker', e));
  }

  private emitPackets(): void {
    const records = this.unsummarised;
    this.unsummarised = [];
    for (const r of records) this.events.emit('packet', this.summary(r));
  }

  private emitStep(): void {
    this.emit('step', { on: this.tap.stepMode, waiting: this.tap.waiting().map((r) => r.seq) });
  }

  private emitRules(): void {
    this.emit('rules', this.tap.rules.list());
  }
}
