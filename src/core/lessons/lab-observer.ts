// What the engine knows of the lab, kept current from the Lab's events: the packets and messages of the
// current step, every connection, every client's state and what waits at the tap. Expectations wait on
// these events rather than polling or sleeping, so a check ends the moment its packet is recorded.
import { systemClock, type Clock } from '../../shared/clock.js';
import type { LabApi, PacketSummary, WireMessage, WirePacket } from '../../shared/api.js';
import type { ClientSummary, Connection } from '../../shared/lab.js';
import { ObservedPacket, type PacketSource } from './observed-packet.js';

export interface SeenMessage {
  /** The lab client that received it. */
  id: string;
  message: WireMessage;
}

/** Packets kept: a lesson sees a few hundred; a student's flood must not grow the engine without bound. */
const MAX_PACKETS = 50_000;

export class LabObserver {
  /** Packets recorded since the observer started, in seq order (the oldest dropped beyond a bound). */
  private history: WirePacket[] = [];
  /** Messages received since the step began, in arrival order. */
  messages: SeenMessage[] = [];
  readonly connections = new Map<number, Connection>();
  readonly clients = new Map<string, ClientSummary>();
  waiting: number[] = [];
  stepMode = false;
  private base = 0;
  private lastSeq = 0;
  private readonly wakers = new Set<() => void>();
  private readonly unsubscribe: Array<() => void> = [];

  /** Packets whose whole form is being fetched (without a synchronous source), in seq order. */
  private fetching: Promise<void> = Promise.resolve();

  /**
   * With `source` (the Lab in process), a packet's tree is read from the store when an expectation needs it;
   * without, each packet is fetched whole with packets.getMany as it is announced.
   */
  constructor(private readonly api: LabApi, readonly clock: Clock = systemClock, private readonly source?: PacketSource) {}

  async start(): Promise<void> {
    const on = this.api.on.bind(this.api);
    this.unsubscribe.push(
      on('packet', (p) => this.onPacket(p)),
      on('packet-update', (p) => this.onUpdate(p)),
      on('connection', (c) => this.changed(() => this.connections.set(c.connId, c))),
      on('client', (s) => this.changed(() => this.clients.set(s.id, s))),
      on('message', (m) => this.changed(() => this.messages.push({ id: m.id, message: m.message }))),
      on('step', (s) => this.changed(() => {
        this.stepMode = s.on;
        this.waiting = s.waiting;
      })),
    );
    // Seeded after subscribing, so nothing that happens in between is missed (at worst it is seen twice).
    const [status, conns, clients] = await Promise.all([
      this.api.call('lab.status', {}),
      this.api.call('connections.list', {}),
      this.api.call('clients.list', {}),
    ]);
    for (const c of conns) if (!this.connections.has(c.connId)) this.connections.set(c.connId, c);
    for (const s of clients) if (!this.clients.has(s.id)) this.clients.set(s.id, s);
    this.stepMode = status.stepMode;
    this.waiting = status.waiting;
    this.lastSeq = Math.max(this.lastSeq, status.packets.lastSeq ?? 0);
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const wake of [...this.wakers]) wake();
  }

  /** Starts a step: from now on only packets recorded after the lab's last one, and messages from now. */
  async beginStep(): Promise<number> {
    const status = await this.api.call('lab.status', {});
    this.base = Math.max(status.packets.lastSeq ?? 0, this.base);
    this.messages = [];
    return this.base;
  }

  /** Packets of the current step. */
  get packets(): WirePacket[] {
    return this.since(this.base);
  }

  /** Packets recorded after `seq`. */
  since(seq: number): WirePacket[] {
    const h = this.history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  /** Wakes every waiter to re-check: something outside the lab's events changed (a call settled). */
  poke(): void {
    this.changed(() => undefined);
  }

  /** The highest seq seen so far (recorded before or during the current step). */
  get latestSeq(): number {
    return this.lastSeq;
  }

  /** The MQTT client identifier of a packet: the Lab's, or what the connection said in its CONNECT. */
  clientIdOf(p: WirePacket): string | undefined {
    return p.clientId ?? this.connections.get(p.connId)?.clientId;
  }

  /** The newest connection that announced this MQTT client identifier. */
  latestConnection(clientId: string): Connection | undefined {
    let best: Connection | undefined;
    for (const c of this.connections.values()) if (c.clientId === clientId && (best === undefined || c.connId > best.connId)) best = c;
    return best;
  }

  /**
   * Resolves with the first defined value of `check`, re-evaluated on every lab event, or with undefined
   * once `ms` have passed. Never a fixed sleep: the answer comes as soon as the lab reports it.
   */
  waitFor<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
    const first = check();
    if (first !== undefined || ms <= 0) return Promise.resolve(first);
    return new Promise((resolve) => {
      const finish = (value: T | undefined): void => {
        this.clock.clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(value);
      };
      const wake = (): void => {
        const v = check();
        if (v !== undefined) finish(v);
      };
      const timer = this.clock.setTimeout(() => finish(check()), ms);
      this.wakers.add(wake);
    });
  }

  private onPacket(s: PacketSummary): void {
    this.lastSeq = Math.max(this.lastSeq, s.seq);
    this.whole(s, (p) => this.changed(() => {
      this.history.push(p);
      if (this.history.length > MAX_PACKETS) this.history.splice(0, this.history.length - MAX_PACKETS);
    }));
  }

  private onUpdate(s: PacketSummary): void {
    this.whole(s, (p) => this.changed(() => {
      const i = this.history.findIndex((q) => q.seq === p.seq);
      if (i !== -1) this.history[i] = p;
    }));
  }

  /** The packet behind a summary, to `use` now (lazy, with a source) or once fetched (in announcement order). */
  private whole(s: PacketSummary, use: (p: WirePacket) => void): void {
    const source = this.source;
    if (source !== undefined) return use(new ObservedPacket(s, source));
    const got = this.api.call('packets.getMany', { seqs: [s.seq] }).catch(() => [] as WirePacket[]);
    this.fetching = this.fetching.then(async () => {
      const [p] = await got;
      // Gone from the store already (cleared, or a million packets later): the summary is what is known.
      use(p ?? new ObservedPacket(s, () => null));
    });
  }

  private changed(apply: () => void): void {
    apply();
    for (const wake of [...this.wakers]) wake();
  }
}
