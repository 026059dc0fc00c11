// The tap: a TCP proxy on the port students' code connects to. Each client connection gets its own
// upstream connection to the broker; every packet in both directions is framed, decoded, recorded and
// put through the fault rules. Step mode makes every packet wait until released, one at a time.
import { systemClock, type Clock } from '../../shared/clock.js';
import { EventEmitter } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Connection, PacketRecord, Transport } from '../../shared/lab.js';
import { FaultRules } from './fault-rules.js';
import { FaultStage } from './fault-stage.js';
import type { Pending } from './pending.js';
import { TapConnection, type TapHooks } from './tap-connection.js';
import { SessionLedger } from './session-ledger.js';

export interface TapOptions {
  /** Where the broker listens; `connect`, when given, opens an in-process connection to it instead. */
  broker: { host: string; port: number; connect?: () => Duplex };
  /** Port students connect to; 0 picks a free one. */
  port?: number;
  /** 127.0.0.1 unless the lab is exposed to the LAN on purpose. */
  host?: string;
  maxPacketSize?: number;
  /** Bytes the tap may hold per connection and direction before it holds the sender back or watches a
   *  client that reads less than it is sent (reader-bound.ts). Default 8 MiB. */
  maxBuffered?: number;
  /** Bytes waiting for a client past which it is cut even while it still reads. Default 32 MiB (at least 4 × maxBuffered): a class of stalled clients must not add up to gigabytes. */
  hardBuffered?: number;
  /** How long a client over maxBuffered may read nothing before it is cut. Default 2 s: a reader drains within that even under a burst. */
  stallMs?: number;
  /** Stores a record and returns it with its sequence number (the capture store); default numbers them itself. */
  record?: (r: Omit<PacketRecord, 'seq'>) => PacketRecord;
  /** Record times and delay timers; default the wall clock. */
  clock?: Clock;
}

export const DEFAULT_MAX_BUFFERED = 8 * 1_048_576;
export const DEFAULT_HARD_BUFFERED = 32 * 1_048_576;
export const DEFAULT_STALL_MS = 2_000;

export interface TapEvents {
  packet: [PacketRecord];
  'packet-update': [PacketRecord];
  connection: [Connection];
  waiting: [PacketRecord];
  /** The list of waiting packets shrank without a release (their connection ended). */
  'waiting-discarded': [];
  /** Step mode was switched, or waiting packets were released: what the step view shows changed. */
  step: [];
}

export class Tap extends EventEmitter<TapEvents> {
  readonly rules = new FaultRules();
  /** What the tap does with each packet: the rules above and step mode (fault-stage.ts). */
  private readonly stage = new FaultStage(this.rules);
  private server: Server | null = null;
  private readonly conns = new Map<number, TapConnection>();
  private readonly sockets = new Set<Socket | Duplex>();
  private waitingList: Pending[] = [];
  private nextConnId = 1;
  private nextSeq = 1;
  /** Sessions the broker must be holding, by client id, to judge its CONNACKs (see session-ledger.ts). */
  private readonly sessions = new SessionLedger();
  private address: { host: string; port: number } | null = null;

  readonly clock: Clock;

  /**
   * The 'packet' listeners as emit() would call them (rawListeners: once-wrappers included), taken again
   * after any listener for it comes or goes. emit() copied the listener list and gathered its arguments for
   * every packet: 4.5 % of `mqtt-lab broker --upstream` relaying 4 kB messages (perf).
   */
  private packetListeners: Array<(r: PacketRecord) => void> | null = null;

  constructor(private readonly opts: TapOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    const changed = (event: string | symbol): void => {
      if (event === 'packet') this.packetListeners = null;
    };
    // Node's own events about listeners, which TapEvents does not list.
    const self = this as EventEmitter;
    self.on('newListener', changed);
    self.on('removeListener', changed);
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.address !== null) return this.address;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
        ? new Error(`port ${this.opts.port} is already in use: another broker may be running there; choose another with --port`)
        : e));
      server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const addr = server.address();
    this.address = { host, port: typeof addr === 'object' && addr !== null ? addr.port : 0 };
    return this.address;
  }

  async stop(): Promise<void> {
    for (const p of this.waitingList) this.clock.clearTimeout(p.timer);
    this.waitingList = [];
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    this.address = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Points connections accepted from now on at another broker (a lesson that runs on mosquitto); open
   * connections stay with the broker they were made to.
   */
  setBroker(broker: TapOptions['broker']): void {
    this.opts.broker = { ...broker };
  }

  /** A connection number from the tap's own sequence, for another recorder (HTTP) sharing its capture. */
  allocateConnId(): number {
    return this.nextConnId++;
  }

  connections(): Connection[] {
    return [...this.conns.values()].map((c) => ({ ...c.info }));
  }

  get stepMode(): boolean {
    return this.stage.stepping;
  }

  /** Turning step mode off lets every stepped packet go, in order. Keepalive pings wait too only with `pings`:
   *  by default they pass, so a lecture is not about pings. */
  setStepMode(on: boolean, pings = false): void {
    this.stage.setStep(on, pings);
    if (!on) for (const p of [...this.waitingList]) if (p.record?.fault?.action === 'step') this.releasePending(p);
    this.emit('step');
  }

  /** Packets held or stepped at the tap, oldest first (packets of closed connections are gone). */
  waiting(): PacketRecord[] {
    this.waitingList = this.waitingList.filter((p) => !p.done);
    return this.waitingList.map((p) => p.record!);
  }

  /** Releases the oldest held or stepped packet; returns it, or null when none waits. */
  releaseNext(): PacketRecord | null {
    this.waitingList = this.waitingList.filter((p) => !p.done);
    const p = this.waitingList[0];
    if (p === undefined) return null;
    this.releasePending(p);
    this.emit('step');
    return p.record;
  }

  release(seq: number): boolean {
    // A packet of a connection that has closed since is gone, not releasable.
    const p = this.waitingList.find((w) => w.record?.seq === seq && !w.done);
    if (p === undefined) return false;
    this.releasePending(p);
    this.emit('step');
    return true;
  }

  releaseAll(): number {
    const all = this.waitingList.filter((p) => !p.done);
    for (const p of all) this.releasePending(p);
    this.waitingList = [];
    this.emit('step');
    return all.length;
  }

  /** Severs a live connection by id, as a `sever` rule would. */
  sever(connId: number): boolean {
    const c = this.conns.get(connId);
    if (c === undefined || c.info.state === 'closed') return false;
    c.sever();
    return true;
  }

  private releasePending(p: Pending): void {
    this.waitingList = this.waitingList.filter((w) => w !== p);
    p.release();
  }

  private accept(client: Socket): void {
    this.adopt(client);
  }

  /**
   * Takes a client stream that another listener accepted (TLS, WebSocket) and relays the MQTT it carries
   * like any TCP client's; `transport` and `remote` describe the outer connection. Returns the connection id.
   */
  adopt(client: Socket, outer?: { transport: Transport; remote: string }): number {
    const connId = this.allocateConnId();
    const b = this.opts.broker;
    const upstream = b.connect !== undefined ? b.connect() : connect({ host: b.host, port: b.port });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const forget = (s: Socket | Duplex) => () => this.sockets.delete(s);
    client.once('close', forget(client));
    upstream.once('close', forget(upstream));
    const conn = new TapConnection(connId, client, upstream, this.hooks());
    if (outer !== undefined) {
      conn.info.transport = outer.transport;
      conn.info.remote = outer.remote;
    }
    this.conns.set(connId, conn);
    this.emit('connection', { ...conn.info });
    return connId;
  }

  private hooks(): TapHooks {
    const maxBuffered = this.opts.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    return {
      maxPacketSize: this.opts.maxPacketSize ?? 1_048_576,
      maxBuffered,
      hardBuffered: this.opts.hardBuffered ?? Math.max(DEFAULT_HARD_BUFFERED, 4 * maxBuffered),
      stallMs: this.opts.stallMs ?? DEFAULT_STALL_MS,
      stage: this.stage,
      record: (r) => {
        const rec = this.opts.record !== undefined ? this.opts.record(r) : numbered(r, this.nextSeq++);
        // As emit('packet', rec) would: in order, on the list as it was when the packet came.
        const listeners = (this.packetListeners ??= this.rawListeners('packet') as Array<(r: PacketRecord) => void>);
        for (let i = 0; i < listeners.length; i++) listeners[i]!.call(this, rec);
        return rec;
      },
      updated: (r) => this.emit('packet-update', r),
      discarded: () => {
        this.waitingList = this.waitingList.filter((p) => !p.done);
        this.emit('waiting-discarded');
      },
      waiting: (p) => {
        this.waitingList.push(p);
        if (p.record !== null) this.emit('waiting', p.record);
      },
      changed: (c) => {
        this.emit('connection', { ...c });
        if (c.state === 'closed') this.pruneClosed();
      },
      connack: (connect, ack) => this.sessions.connack(connect, ack),
      clock: this.clock,
    };
  }

  /** The last closed connections stay listed so views can show how they ended; older ones go. */
  private pruneClosed(): void {
    const keep = 500;
    const closed = [...this.conns.values()].filter((c) => c.info.state === 'closed');
    for (const c of closed.slice(0, Math.max(0, closed.length - keep))) this.conns.delete(c.info.connId);
  }
}

/** Spelled out: `{ ...r, seq }` took ~0.6 µs per packet on Node 20 (5 % of all CPU in bench/tap.ts), this ~20 ns. */
/** Numbers a record in place: copying would build a lazily decoded packet's tree (see lazy-record.ts). */
function numbered(r: Omit<PacketRecord, 'seq'>, seq: number): PacketRecord {
  const rec = r as PacketRecord;
  rec.seq = seq;
  return rec;
}
