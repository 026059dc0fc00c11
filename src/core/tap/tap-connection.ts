// One client connection through the tap: the client's socket, its own upstream socket to the broker,
// a framer per direction, and the ordered queues in which faults act. It reports every packet as a
// PacketRecord and how the connection ended.
import type { Clock } from '../../shared/clock.js';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Connection, ConnectionEnd, Direction, FaultRecord, FaultRule, PacketRecord, RecordFinding } from '../../shared/lab.js';
import type { DecodedPacket } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import { Framer } from '../frame/index.js';
import { clientPacket, connectCounts, howItEnded, OPENED, type OrderState } from './connection-state.js';
import { corruptField } from './corrupt.js';
import { lazyRecord } from './lazy-record.js';
import { recordIssues } from './record-issues.js';
import type { Pending } from './pending.js';
import type { ConnectFacts } from './session-ledger.js';

/** What the tap gives each connection: decisions, recording, and notices. */
export interface TapHooks {
  maxPacketSize: number;
  /**
   * Bytes the tap may hold for one direction of one connection (socket buffer plus packets waiting at a
   * fault). Past it a sending client is held back; a client that does not read is cut (see write()).
   */
  maxBuffered: number;
  /** True when the fault decision needs the full tree before forwarding (rules exist or step mode is on). */
  deciding(): boolean;
  decide(dir: Direction, clientId: string | undefined, decoded: DecodedPacket): FaultRule | 'step' | null;
  record(r: Omit<PacketRecord, 'seq'>): PacketRecord;
  updated(r: PacketRecord): void;
  waiting(p: Pending): void;
  /** Waiting packets were thrown away because their connection ended. */
  discarded(): void;
  changed(c: Connection): void;
  /** Judges a CONNACK against the CONNECT it answers and earlier sessions (see session-ledger.ts). */
  connack(connect: ConnectFacts, decoded: DecodedPacket): RecordFinding[];
  /** The lab's clock: record times and delay timers (tests move it by hand). */
  clock: Clock;
}

/** Bytes of unframeable data recorded, and forwarded, per connection; past it the tap cuts the connection. */
const BROKEN_RECORD_CAP = 64 * 1024;

export class TapConnection {
  readonly info: Connection;
  private readonly framers: Record<Direction, Framer>;
  private readonly queues: Record<Direction, Pending[]> = { toBroker: [], toClient: [] };
  private brokenKept = 0;
  /** CONNECTs seen from the client and whether anything came first (connection-state.ts). */
  private order: OrderState = OPENED;
  /** Connection-level findings on the packet being recorded (see rec()). */
  private pendingFindings: RecordFinding[] = [];
  /** The latest record each way, to tell a protocol error from a plain close. */
  private readonly last: Record<Direction, PacketRecord | undefined> = { toBroker: undefined, toClient: undefined };
  /** When bytes from the client last reached the broker. */
  private lastFromClient: number;
  private keepalive = 0;
  /** What this connection's CONNECT asked for, to judge the CONNACK by. */
  private connectFacts: ConnectFacts | undefined;
  private sawError = false;
  private ending: ConnectionEnd | undefined;
  private endNote: string | undefined;
  /** Bytes of packets queued behind a fault, per direction (the socket's own buffer is writableLength). */
  private readonly queuedBytes: Record<Direction, number> = { toBroker: 0, toClient: 0 };
  private brokenSent = 0;
  /** The client is paused because too much of what it sent waits at the tap. */
  private heldBack = false;
  private closedSides = 0;
  private halfClosed: Record<Direction, boolean> = { toBroker: false, toClient: false };
  private draining: Record<Direction, boolean> = { toBroker: false, toClient: false };

  constructor(
    connId: number,
    private readonly client: Socket,
    /** A socket, or an in-process stream to an embedded broker (no Nagle there to turn off). */
    private readonly upstream: Socket | Duplex,
    private readonly hooks: TapHooks,
  ) {
    const now = hooks.clock.now();
    this.lastFromClient = now;
    this.info = { connId, remote: `${client.remoteAddress}:${client.remotePort}`, state: 'open', since: now };
    this.framers = {
      toBroker: new Framer({ maxPacketSize: hooks.maxPacketSize }),
      toClient: new Framer({ maxPacketSize: hooks.maxPacketSize }),
    };
    client.setNoDelay(true);
    if ('setNoDelay' in upstream) upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.onData('toBroker', chunk));
    upstream.on('data', (chunk: Buffer) => this.onData('toClient', chunk));
    client.on('end', () => this.onEnd('toBroker'));
    upstream.on('end', () => this.onEnd('toClient'));
    client.on('error', () => this.onAbort('toBroker'));
    upstream.on('error', () => this.onAbort('toClient'));
    client.on('close', () => this.onClose());
    upstream.on('close', () => this.onClose());
  }

  /** Cuts both sides at once with no DISCONNECT, as a pulled cable or a crashed device would. */
  sever(): void {
    this.ending ??= 'severed';
    this.discardQueues();
    this.client.destroy();
    this.upstream.destroy();
  }

  private onData(dir: Direction, chunk: Buffer): void {
    // The packets of one chunk leave in one writev rather than one system call each (the bulk of the
    // tap's cost under load); uncorking before returning adds no latency.
    const dest = this.target(dir);
    dest.cork();
    try {
      for (const ev of this.framers[dir].push(chunk)) {
        if (ev.kind === 'packet') this.onPacket(dir, ev.bytes);
        else this.onBroken(dir, ev.bytes, ev.reason, ev.announced);
      }
    } finally {
      dest.uncork();
    }
    this.checkBound(dir);
  }

  /**
   * Keeps what the tap holds for one connection within maxBuffered. A client sending faster than the broker
   * takes it (or than a hold lets through) is paused: only that client waits. A client that does not read
   * what the broker sends it cannot be waited for the same way: pausing the broker's side would stall the
   * broker's delivery to everyone (aedes waits for each subscriber's socket to drain), so it is cut.
   */
  private checkBound(dir: Direction): void {
    const held = this.target(dir).writableLength + this.queuedBytes[dir];
    if (held <= this.hooks.maxBuffered) return;
    if (dir === 'toClient') {
      this.cut(`it did not read: ${mib(held)} from the broker waited for it at the tap (limit ${mib(this.hooks.maxBuffered)})`);
    } else if (!this.heldBack) {
      this.heldBack = true;
      this.client.pause();
    }
  }

  /** Resumes a held-back client once what it sent has gone on. */
  private unholdIfDrained(): void {
    if (!this.heldBack) return;
    if (this.upstream.writableLength + this.queuedBytes.toBroker > this.hooks.maxBuffered / 2) return;
    this.heldBack = false;
    if (!this.draining.toBroker) this.client.resume();
  }

  /** Ends the connection because one of the tap's own bounds was reached; the note says which. */
  private cut(note: string): void {
    if (this.ending === undefined) {
      this.ending = 'tap-limit';
      this.endNote = note;
    }
    this.sever();
  }

  private onPacket(dir: Direction, bytes: Uint8Array): void {
    if (dir === 'toBroker') this.checkOrder(bytes);
    const hooks = this.hooks;
    const version = this.info.version ?? 4;
    if (!hooks.deciding()) {
      // No rule can act: forward first, so dissection stays off the relay's latency path.
      this.send(dir, bytes);
      const type = bytes[0]! >> 4;
      if (type === 1 || type === 2 || type === 14) {
        // CONNECT, CONNACK and DISCONNECT teach the connection its version, client id and state: now.
        const decoded = dissect(bytes, { version });
        this.learn(dir, decoded);
        this.last[dir] = this.rec({ time: hooks.clock.now(), connId: this.info.connId, direction: dir, bytes, decoded });
        return;
      }
      // Everything else is decoded when first read (see lazy-record.ts).
      this.last[dir] = this.rec(lazyRecord({ time: hooks.clock.now(), connId: this.info.connId, direction: dir, bytes }, version));
      return;
    }
    const decoded = dissect(bytes, { version });
    this.learn(dir, decoded);
    const rule = hooks.decide(dir, this.info.clientId, decoded);
    const time = hooks.clock.now();
    if (rule === null) {
      this.send(dir, bytes);
      this.rec({ time, connId: this.info.connId, direction: dir, bytes, decoded });
      return;
    }
    if (rule === 'step') {
      const record = this.rec({ time, connId: this.info.connId, direction: dir, bytes, decoded, fault: { action: 'step' } });
      this.enqueue(dir, record, bytes, false);
      return;
    }
    this.apply(dir, rule, bytes, decoded, time);
  }

  private apply(dir: Direction, rule: FaultRule, bytes: Uint8Array, decoded: DecodedPacket, time: number): void {
    const base = { time, connId: this.info.connId, direction: dir };
    const fault: FaultRecord = { action: rule.action, ruleId: rule.id };
    switch (rule.action) {
      case 'drop':
        this.rec({ ...base, bytes, decoded, fault });
        return;
      case 'sever':
        this.rec({ ...base, bytes, decoded, fault });
        this.sever();
        return;
      case 'corrupt': {
        const c = corruptField(bytes, decoded, rule.field);
        if (typeof c === 'string') {
          // The rule cannot act on this packet: it passes untouched, and the record says why.
          this.send(dir, bytes);
          this.rec({ ...base, bytes, decoded, fault: { ...fault, ...(rule.field === undefined ? {} : { field: rule.field }), note: c } });
          return;
        }
        const changed = dissect(c.bytes, { version: this.info.version ?? 4 });
        this.send(dir, c.bytes);
        this.rec({ ...base, bytes: c.bytes, decoded: changed, fault: { ...fault, field: c.field } });
        return;
      }
      case 'delay': {
        fault.ms = rule.ms ?? 0;
        const record = this.rec({ ...base, bytes, decoded, fault });
        const p = this.enqueue(dir, record, bytes, false, false);
        p.timer = this.hooks.clock.setTimeout(() => this.release(p), fault.ms);
        return;
      }
      case 'hold': {
        const record = this.rec({ ...base, bytes, decoded, fault });
        this.enqueue(dir, record, bytes, false);
        return;
      }
    }
  }

  /** Order rules (connection-state.ts); a finding is noted on the record of the packet that broke it. */
  private checkOrder(bytes: Uint8Array): void {
    const { state, finding } = clientPacket(this.order, bytes[0]!);
    this.order = state;
    // On the fixed header: the finding concerns the packet as a whole.
    if (finding !== null) this.pendingFindings.push({ severity: 'error', ...finding, filter: 'mqtt.fixed_header', offset: 0 });
  }

  /** Records through the tap, with the connection-level findings on the packet it concerns. */
  private rec(r: Omit<PacketRecord, 'seq'>): PacketRecord {
    const found = this.pendingFindings;
    if (found.length > 0) {
      this.pendingFindings = [];
      r.findings = found;
      if (found.some((f) => f.severity === 'error')) this.sawError = true;
    }
    return this.hooks.record(r);
  }

  /** Learns client id, version and state from the packets themselves (the CONNECT decides the version). */
  private learn(dir: Direction, d: DecodedPacket): void {
    if (d.issues.length > 0 && d.issues.some((i) => i.severity === 'error')) this.sawError = true;
    if (dir === 'toBroker') {
      // A second CONNECT is flagged (checkOrder), not learnt: the connection stays the one the first opened.
      if (d.typeCode === 1 && connectCounts(this.order)) {
        this.info.version = d.version;
        if (d.info.clientId !== undefined) this.info.clientId = d.info.clientId;
        this.keepalive = d.info.keepalive ?? 0;
        // A CONNECT cut short before its client id says nothing a CONNACK could be judged by.
        this.connectFacts = d.info.clientId === undefined ? undefined : { clientId: d.info.clientId, version: d.version, clean: d.info.cleanStart === true };
        this.hooks.changed(this.info);
      } else if (d.typeCode === 14) {
        this.ending ??= 'disconnect';
      }
    } else if (d.typeCode === 2 && this.connectFacts !== undefined) {
      // A broker's departure is marked on its CONNACK; it does not make the connection's end a protocol error.
      this.pendingFindings.push(...this.hooks.connack(this.connectFacts, d));
    }
    if (dir === 'toClient' && d.typeCode === 2 && d.info.reasonCode === 0) {
      this.info.state = 'connected';
      // Announced after the CONNACK's own record, so logs read CONNACK, then "connected".
      queueMicrotask(() => this.hooks.changed(this.info));
    }
  }

  private onBroken(dir: Direction, bytes: Uint8Array, reason: string, announced?: number): void {
    this.sawError = true;
    if (announced === undefined) {
      // Garbage still goes through: the peer's reaction (usually closing) is part of what is shown. A peer
      // that keeps reading garbage (a broker buffering a packet it believes is coming) gets a bounded amount.
      const room = Math.max(0, BROKEN_RECORD_CAP - this.brokenSent);
      if (room > 0) this.send(dir, bytes.subarray(0, room));
      this.brokenSent += Math.min(room, bytes.length);
    }
    if (this.brokenKept < BROKEN_RECORD_CAP) {
      const kept = bytes.subarray(0, BROKEN_RECORD_CAP - this.brokenKept);
      this.brokenKept += kept.length;
      const decoded = dissect(kept, { version: this.info.version ?? 4 });
      const cutNote = announced === undefined ? '' : '; the tap did not forward it and closed the connection';
      // The framer's verdict on the stream, first: it explains whatever the dissector makes of the bytes.
      this.pendingFindings.unshift({ severity: 'error', message: `Framing: ${reason}${cutNote}`, filter: 'mqtt.fixed_header', offset: 0 });
      this.rec({ time: this.hooks.clock.now(), connId: this.info.connId, direction: dir, bytes: kept, decoded });
    }
    // A packet larger than the tap accepts would otherwise be buffered by the broker as it trickles in.
    if (announced !== undefined) this.cut(`a packet announced ${announced} bytes, more than the maximum packet size of ${this.hooks.maxPacketSize}`);
    else if (this.brokenSent >= BROKEN_RECORD_CAP) this.cut(`${BROKEN_RECORD_CAP / 1024} kB that cannot be framed as MQTT were forwarded; the rest was not`);
  }

  /** Queues a packet; `announce` puts it on the tap's list of packets a person can release. */
  private enqueue(dir: Direction, record: PacketRecord | null, bytes: Uint8Array, ready: boolean, announce = !ready): Pending {
    const p: Pending = { record, dir, bytes, ready, done: false, since: this.hooks.clock.now(), release: () => this.release(p) };
    this.queues[dir].push(p);
    this.queuedBytes[dir] += bytes.length;
    if (announce) this.hooks.waiting(p);
    return p;
  }

  /** Lets a waiting packet go (delay elapsed, hold released, or step). */
  private release(p: Pending): void {
    if (p.ready || p.done) return;
    p.ready = true;
    this.hooks.clock.clearTimeout(p.timer);
    const r = p.record;
    if (r !== null && r.fault !== undefined && r.fault.action !== 'delay') {
      r.fault = { ...r.fault, released: true, ms: Math.round(this.hooks.clock.now() - p.since) };
      this.hooks.updated(r);
    }
    this.pump(p.dir);
  }

  private send(dir: Direction, bytes: Uint8Array): void {
    const q = this.queues[dir];
    if (q.length > 0) {
      // Something ahead is waiting: this packet queues behind it to keep the stream's order.
      this.enqueue(dir, null, bytes, true);
      return;
    }
    this.write(dir, bytes);
  }

  private pump(dir: Direction): void {
    const q = this.queues[dir];
    while (q.length > 0 && q[0]!.ready) {
      const p = q.shift()!;
      p.done = true;
      this.queuedBytes[dir] -= p.bytes.length;
      this.write(dir, p.bytes);
    }
    if (dir === 'toBroker') this.unholdIfDrained();
    if (q.length === 0 && this.halfClosed[dir]) this.target(dir).end();
  }

  private write(dir: Direction, bytes: Uint8Array): void {
    const dest = this.target(dir);
    if (dest.destroyed) return;
    // Keepalive is what the broker sees: a packet held, delayed or dropped here is silence to it.
    if (dir === 'toBroker') this.lastFromClient = this.hooks.clock.now();
    // Backpressure towards the broker only: stop reading the client until the broker drains. Towards the
    // client the broker's side is never paused (checkBound cuts a client that does not read instead).
    if (!dest.write(bytes) && dir === 'toBroker') {
      // One drain listener: every write of a big chunk returns false once the buffer is full.
      if (this.draining.toBroker) return;
      this.draining.toBroker = true;
      this.client.pause();
      dest.once('drain', () => {
        this.draining.toBroker = false;
        if (!this.heldBack) this.client.resume();
        this.unholdIfDrained();
      });
    }
  }

  private target(dir: Direction): Socket | Duplex {
    return dir === 'toBroker' ? this.upstream : this.client;
  }

  private onEnd(dir: Direction): void {
    for (const ev of this.framers[dir].end()) if (ev.kind === 'broken') this.onBroken(dir, ev.bytes, ev.reason);
    this.ending ??= this.endReason(dir);
    this.halfClosed[dir] = true;
    if (this.queues[dir].length === 0) this.target(dir).end();
  }

  private onAbort(dir: Direction): void {
    this.ending ??= this.endReason(dir);
    this.discardQueues();
    this.client.destroy();
    this.upstream.destroy();
  }

  private endReason(dir: Direction): ConnectionEnd {
    // A peer usually hangs up right after the malformed packet it received: decode that one to know.
    const lastIn = this.last[dir === 'toBroker' ? 'toClient' : 'toBroker'];
    return howItEnded({
      closedBy: dir,
      sawError: this.sawError,
      lastReceivedBroken: lastIn !== undefined && recordIssues(lastIn).some((i) => i.severity === 'error'),
      keepaliveS: this.keepalive,
      silentMs: this.hooks.clock.now() - this.lastFromClient,
    });
  }

  private discardQueues(): void {
    let announced = false;
    for (const dir of ['toBroker', 'toClient'] as const) {
      for (const p of this.queues[dir]) {
        if (!p.ready && p.record !== null) announced = true;
        p.done = true;
        this.hooks.clock.clearTimeout(p.timer);
      }
      this.queues[dir] = [];
      this.queuedBytes[dir] = 0;
    }
    // Packets a person could have released are gone with their connection: views must hear of it.
    if (announced) this.hooks.discarded();
  }

  private onClose(): void {
    this.closedSides++;
    if (this.closedSides === 1) {
      // One side is gone: the other follows once its queue has drained (or at once when aborted).
      if (!this.client.destroyed && this.client.writableEnded === false && this.queues.toClient.length === 0) this.client.end();
      if (!this.upstream.destroyed && this.upstream.writableEnded === false && this.queues.toBroker.length === 0) this.upstream.end();
      return;
    }
    if (this.info.state === 'closed') return;
    this.discardQueues();
    this.info.state = 'closed';
    this.info.ended = this.ending ?? 'client-closed';
    if (this.endNote !== undefined && this.info.ended === 'tap-limit') this.info.endNote = this.endNote;
    this.info.endedAt = this.hooks.clock.now();
    this.hooks.changed(this.info);
  }
}


function mib(n: number): string {
  return `${(n / 1_048_576).toFixed(1)} MiB`;
}

