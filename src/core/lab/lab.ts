// The Lab: broker host, tap, embedded clients and capture store composed behind the one API of
// src/shared/api.ts. The Electron main process, the browser-mode server, the CLI and the lesson engine
// all drive a Lab through `lab.api`.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EventName, LabApi, LabEvents, LabStatus } from '../../shared/api.js';
import type { BrokerInfo, PacketRecord } from '../../shared/lab.js';
import { createBroker, type BrokerHost } from '../broker/index.js';
import { ClassTracker } from '../class/index.js';
import { ClientManager } from '../clients/index.js';
import { CaptureStore } from '../store/index.js';
import { Tap } from '../tap/tap.js';
import { commandTable, type Handlers } from './commands.js';
import { ConnectionActivityIndex } from './connection-activity.js';
import { LessonHost, type LessonSource } from './lesson-host.js';
import type { LabOptions } from './lab-options.js';
import { wireMessage, wirePacket } from './wire.js';

/** The course shipped with the app: lessons/ at the top of the checkout (and of the packaged app). */
export const BUILT_IN_LESSONS = fileURLToPath(new URL('../../../lessons', import.meta.url));

export class Lab {
  readonly store: CaptureStore;
  readonly tap: Tap;
  readonly clients: ClientManager;
  readonly api: LabApi;
  readonly lessons: LessonHost;
  /** Which client ids completed which class exercises, from every packet through the tap. */
  readonly class: ClassTracker;
  /** Packets and last activity per connection, for finding and grouping many students' connections. */
  readonly activity = new ConnectionActivityIndex();
  private readonly events = new EventEmitter();
  private readonly handlers: Handlers;

  private constructor(
    readonly broker: BrokerHost,
    readonly brokerInfo: BrokerInfo,
    tap: Tap,
    store: CaptureStore,
    readonly tapAddress: { host: string; port: number },
    lessonSources: LessonSource[],
    /** Where progress and the student's name are saved; undefined: kept only while the Lab runs. */
    readonly dataDir?: string,
  ) {
    this.store = store;
    this.tap = tap;
    this.clients = new ClientManager({ host: '127.0.0.1', port: tapAddress.port });
    this.events.setMaxListeners(0);
    this.lessons = new LessonHost(this, lessonSources);
    this.wire();
    this.handlers = commandTable(this);
    this.api = {
      call: async (method, params) => {
        const h = this.handlers[method];
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
      broker: { host: info.host, port: info.port },
      port: opts.port ?? 1883,
      host: opts.lan ? '0.0.0.0' : '127.0.0.1',
      maxPacketSize: opts.maxPacketSize,
      record: (r) => store.append(r),
    });
    let address: { host: string; port: number };
    try {
      address = await tap.start();
    } catch (e) {
      await broker.stop();
      throw e;
    }
    const lab = new Lab(broker, info, tap, store, address, opts.lessonDirs ?? [{ dir: BUILT_IN_LESSONS, origin: 'built-in' }], opts.dataDir);
    await lab.lessons.reload();
    lab.lessons.watch();
    return lab;
  }

  /** Stops clients, tap and broker; nothing is left listening or scheduled. */
  async stop(): Promise<void> {
    await this.lessons.stop();
    this.class.stop();
    await this.clients.closeAll();
    await this.tap.stop();
    await this.broker.stop();
    this.events.removeAllListeners();
  }

  emit<E extends EventName>(event: E, data: LabEvents[E]): void {
    this.events.emit(event, data);
  }

  status(): LabStatus {
    return {
      tap: this.tapAddress,
      broker: this.brokerInfo,
      stepMode: this.tap.stepMode,
      waiting: this.tap.waiting().map((r) => r.seq),
      packets: { count: this.store.size, firstSeq: this.store.firstSeq ?? null, lastSeq: this.store.lastSeq ?? null, capacity: this.store.capacity },
    };
  }

  packet(r: PacketRecord) {
    return wirePacket(r, this.store.clientIdOf(r.connId));
  }

  private wire(): void {
    this.tap.on('packet', (r) => {
      this.activity.observe(r);
      // Converting builds the packet's tree; with nobody listening it is left for whoever asks later.
      if (this.events.listenerCount('packet') > 0) this.emit('packet', this.packet(r));
      // A rule that acted counted a firing (and may have retired): views show the counts live.
      if (r.fault?.ruleId !== undefined) this.emitRules();
    });
    this.tap.on('packet-update', (r) => this.emit('packet-update', this.packet(r)));
    this.tap.on('waiting', () => this.emitStep());
    this.tap.on('waiting-discarded', () => this.emitStep());
    this.tap.on('connection', (c) => {
      if (c.clientId !== undefined) this.store.setClientId(c.connId, c.clientId);
      this.emit('connection', c);
    });
    this.clients.on('client-state', (s) => this.emit('client', s));
    this.clients.on('message', (id, m) => this.emit('message', { id, message: wireMessage(m) }));
    this.broker.onEvent((e) => this.emit('broker', e));
  }

  emitStep(): void {
    this.emit('step', { on: this.tap.stepMode, waiting: this.tap.waiting().map((r) => r.seq) });
  }

  emitRules(): void {
    this.emit('rules', this.tap.rules.list());
  }
}
