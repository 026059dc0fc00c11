// The relay of one client connection through the tap: the client's socket, its own upstream stream to the
// broker, a framer per direction, an ordered way out per direction (outbox.ts), backpressure and the tap's
// bounds. What a packet means is not decided here: the connection-state reducer (connection-state.ts) and
// the fault stage (fault-stage.ts) get its cheap facts (packet-facts.ts), and its field tree is built only
// when someone reads the record (lazy-record.ts), off the relay path.
import type { Clock } from '../../shared/clock.js';
import type { Socket } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
import type { Connection, Direction, FaultRecord, PacketRecord, RecordFinding } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import { Framer } from '../frame/index.js';
import { ended, errorSeen, finalEnd, FRESH, packetSeen, type ConnState } from './connection-state.js';
import type { FaultStage, Verdict } from './fault-stage.js';
import { lazyRecord } from './lazy-record.js';
import { Outbox } from './outbox.js';
import { WriteRuns } from './write-runs.js';
import { PacedWriter } from './paced-writer.js';
import { factsOf, type PacketFacts } from './packet-facts.js';
import type { Pending } from './pending.js';
import { ReaderBound } from './reader-bound.js';
import { recordIssues } from '../../shared/record-issues.js';
import type { ConnectFacts } from './session-ledger.js';

/** What the tap gives each connection: its bounds, the fault stage, recording, and notices. */
export interface TapHooks {
  maxPacketSize: number;
  /**
   * Bytes the tap may hold for one direction of one connection (socket buffer plus packets waiting at a
   * fault). Past it a sending client is held back; a client that does not read it is watched (reader-bound.ts).
   */
  maxBuffered: number;
  /** Bytes waiting for a client past which it is cut even while it still reads. */
  hardBuffered: number;
  /** How long a client over maxBuffered may take nothing before it is cut. */
  stallMs: number;
  stage: FaultStage;
  record(r: Omit<PacketRecord, 'seq'>): PacketRecord;
  updated(r: PacketRecord): void;
  waiting(p: Pending): void;
  /** Waiting packets were thrown away because their connection ended. */
  discarded(): void;
  changed(c: Connection): void;
  /** Judges a CONNACK against the CONNECT it answers and earlier sessions (see session-ledger.ts). */
  connack(connect: ConnectFacts, ack: PacketFacts): RecordFinding[];
  /** The lab's clock: record times, delay timers and the reader bound (tests move it by hand). */
  clock: Clock;
}

/** Bytes of unframeable data recorded, and forwarded, per connection; past it the tap cuts the connection. */
const BROKEN_RECORD_CAP = 64 * 1024;

const PASS: Verdict = { act: 'forward', bytes: new Uint8Array(0) };

/** Bytes the tap lets wait in a client socket's own buffer (see paced-writer.ts). */
const CLIENT_WINDOW = 64 * 1024;

export class TapConnection {
  readonly info: Connection;
  private state: ConnState = FRESH;
  private readonly framers: Record<Direction, Framer>;
  private readonly out: Record<Direction, Outbox>;
  /** Between an outbox and the socket: joins adjacent views of one read (see onData). */
  private readonly runs: Record<Direction, WriteRuns>;
  /** Connection-level findings on the packet being recorded (see rec()). */
  private pendingFindings: RecordFinding[] = [];
  /** The latest record each way, to tell a protocol error from a plain close. */
  private readonly last: Record<Direction, PacketRecord | undefined> = { toBroker: undefined, toClient: undefined };
  /** When bytes from the client last reached the broker. */
  private lastFromClient: number;
  private readonly readerBound: ReaderBound;
  /** Towards the client: its socket, paced so that a slow reader's progress shows. */
  private readonly toClient: PacedWriter;
  private brokenKept = 0;
  private brokenSent = 0;
  /** The client is paused because too much of what it sent waits at the tap. */
  private heldBack = false;
  private closedSides = 0;
  private halfClosed: Record<Direction, boolean> = { toBroker: false, toClient: false };
  private draining = false;

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
    this.runs = {
      toBroker: new WriteRuns((bytes) => this.write('toBroker', bytes)),
      toClient: new WriteRuns((bytes) => this.write('toClient', bytes)),
    };
    const outbox = (dir: Direction) => new Outbox(dir, {
      clock: hooks.clock,
      write: (bytes) => this.runs[dir].write(bytes),
      updated: (r) => hooks.updated(r),
      drained: () => this.drained(dir),
    });
    this.out = { toBroker: outbox('toBroker'), toClient: outbox('toClient') };
    this.toClient = new PacedWriter(client, CLIENT_WINDOW, () => this.drained('toClient'));
    this.readerBound = new ReaderBound(
      { soft: hooks.maxBuffered, hard: hooks.hardBuffered, stallMs: hooks.stallMs, clock: hooks.clock },
      () => ({ held: this.held('toClient'), taken: this.toClient.taken }),
      (note) => this.cut(note),
    );
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
    this.state = ended(this.state, 'severed');
    this.discardQueues();
    // Packets of the same read that went before the severing one were forwarded (and recorded so): they
    // wait corked (see onData) and must reach the kernel before the sockets close, as uncorked writes did.
    this.runs.toBroker.close();
    this.runs.toClient.close();
    flushCorked(this.client);
    flushCorked(this.upstream);
    this.client.destroy();
    this.upstream.destroy();
  }

  private onData(dir: Direction, chunk: Buffer): void {
    // The packets of one chunk leave in one writev rather than one system call each (the bulk of the
    // tap's cost under load); uncorking before returning adds no latency. Packets forwarded untouched
    // one after another are views of the chunk side by side: they are joined into one view (runs.ts), so
    // a read whose every packet passes is written as the one buffer it came in.
    const dest = this.target(dir);
    const events = this.framers[dir].push(chunk);
    // Every packet of a read arrived with its last byte at once: one clock reading stamps them all.
    const time = this.hooks.clock.now();
    // One packet is one write whatever happens: corking it only added the stream's buffering to its path
    // (bench/tap-profile at QoS 2, one packet a read).
    let corked = events.length > 1;
    if (corked) dest.cork();
    this.runs[dir].open();
    try {
      if (!this.hooks.stage.active && events.every((ev) => ev.kind === 'packet')) {
        // Nothing can act on these packets: they all leave before any of them is recorded, so recording
        // (the store, the lab's listeners) is off the latency path of every packet of the read, not only
        // the first.
        for (const ev of events) this.out[dir].send(ev.bytes);
        this.runs[dir].close();
        if (corked) dest.uncork();
        corked = false;
        for (const ev of events) this.onPacket(dir, ev.bytes, true, time);
      } else {
        for (const ev of events) {
          if (ev.kind === 'packet') this.onPacket(dir, ev.bytes, false, time);
          else this.onBroken(dir, ev.bytes, ev.reason, ev.announced, time);
        }
      }
    } finally {
      // Closed already on the fast path (a second close writes nothing); here for a throw on the other.
      this.runs[dir].close();
      if (corked) dest.uncork();
    }
    this.checkBound(dir);
  }

  private held(dir: Direction): number {
    return dir === 'toClient' ? this.toClient.held + this.out.toClient.bytes : this.upstream.writableLength + this.out.toBroker.bytes;
  }

  /**
   * Keeps what the tap holds for one connection within bounds. A client sending faster than the broker
   * takes it (or than a hold lets through) is paused: only that client waits. A client that reads less than
   * the broker sends it is watched by the reader bound, never by pausing the broker's side.
   */
  private checkBound(dir: Direction): void {
    if (dir === 'toClient') {
      if (this.held('toClient') > this.hooks.maxBuffered) this.readerBound.check();
    } else if (!this.heldBack && this.held('toBroker') > this.hooks.maxBuffered) {
      this.heldBack = true;
      this.client.pause();
    }
  }

  /** Resumes a held-back client once what it sent has gone on. */
  private unholdIfDrained(): void {
    if (!this.heldBack || this.held('toBroker') > this.hooks.maxBuffered / 2) return;
    this.heldBack = false;
    if (!this.draining) this.client.resume();
  }

  /** Ends the connection because one of the tap's own bounds was reached; the note says which. */
  private cut(note: string): void {
    this.state = ended(this.state, 'tap-limit', note);
    this.sever();
  }

  /** `sent`: already forwarded untouched (see onData); only recorded here, whatever rule appeared since. */
  private onPacket(dir: Direction, bytes: Uint8Array, sent: boolean, time: number): void {
    const stage = this.hooks.stage;
    // With nothing that could act on it, the packet goes first: everything below is off its latency path.
    const judged = !sent && stage.active;
    if (!sent && !judged) this.out[dir].send(bytes);
    const version = this.state.version ?? 4;
    const { facts, decoded } = factsOf(bytes, version);
    this.learn(dir, facts);
    const verdict = judged ? stage.judge(dir, this.state.clientId, bytes, facts, version) : PASS;
    switch (verdict.act) {
      case 'forward':
        if (verdict === PASS) {
          this.last[dir] = this.recordPacket(dir, time, bytes, decoded, version);
          return;
        }
        this.out[dir].send(verdict.bytes);
        this.last[dir] = this.recordPacket(dir, time, verdict.bytes, verdict.decoded ?? decoded, version, verdict.fault);
        return;
      case 'drop':
        this.last[dir] = this.recordPacket(dir, time, bytes, decoded, version, verdict.fault);
        return;
      case 'sever':
        this.last[dir] = this.recordPacket(dir, time, bytes, decoded, version, verdict.fault);
        this.sever();
        return;
      case 'wait': {
        const record = this.recordPacket(dir, time, bytes, decoded, version, verdict.fault);
        this.last[dir] = record;
        const p = this.out[dir].wait(record, bytes, verdict.ms);
        // A delay releases itself; held and stepped packets go on the list a person releases from.
        if (verdict.ms === undefined) this.hooks.waiting(p);
        return;
      }
    }
  }

  private recordPacket(dir: Direction, time: number, bytes: Uint8Array, decoded: DecodedPacket | undefined, version: MqttVersion,
    fault?: FaultRecord): PacketRecord {
    const base: Omit<PacketRecord, 'seq' | 'decoded'> = { time, connId: this.info.connId, direction: dir, bytes };
    if (fault !== undefined) base.fault = fault;
    // A tree already built (an unusual packet, a corruption) is kept; any other is built when first read.
    return decoded !== undefined ? this.rec({ ...base, decoded }, true) : this.rec(lazyRecord(base, version), false);
  }

  /** Feeds the packet's facts to the connection-state reducer and acts on what it concludes. */
  private learn(dir: Direction, facts: PacketFacts): void {
    const seen = packetSeen(this.state, dir, facts);
    if (seen === null) return;
    this.state = seen.state;
    // On the fixed header: an order finding concerns the packet as a whole.
    if (seen.finding !== null) this.pendingFindings.push({ severity: 'error', ...seen.finding, filter: 'mqtt.fixed_header', offset: 0 });
    // A broker's departure is marked on its CONNACK; it does not make the connection's end a protocol error.
    if (seen.judge !== undefined) this.pendingFindings.push(...this.hooks.connack(seen.judge, facts));
    if (seen.identified) {
      this.info.version = this.state.version!;
      if (this.state.clientId !== undefined) this.info.clientId = this.state.clientId;
      this.hooks.changed(this.info);
    }
    if (seen.accepted) {
      this.info.state = 'connected';
      // Announced after the CONNACK's own record, so logs read CONNACK, then "connected".
      queueMicrotask(() => this.hooks.changed(this.info));
    }
  }

  /** Records through the tap, with the connection-level findings on the packet they concern. */
  private rec(r: Omit<PacketRecord, 'seq'>, built: boolean): PacketRecord {
    const found = this.pendingFindings;
    if (found.length > 0) {
      this.pendingFindings = [];
      r.findings = found;
    }
    // Only a finding or a tree already built can say "error" without decoding on the relay path.
    if (found.some((f) => f.severity === 'error') || (built && r.decoded.issues.some((i) => i.severity === 'error'))) {
      this.state = errorSeen(this.state);
    }
    return this.hooks.record(r);
  }

  private onBroken(dir: Direction, bytes: Uint8Array, reason: string, announced: number | undefined, time: number): void {
    this.state = errorSeen(this.state);
    if (announced === undefined) {
      // Garbage still goes through: the peer's reaction (usually closing) is part of what is shown. A peer
      // that keeps reading garbage (a broker buffering a packet it believes is coming) gets a bounded amount.
      const room = Math.max(0, BROKEN_RECORD_CAP - this.brokenSent);
      if (room > 0) this.out[dir].send(bytes.subarray(0, room));
      this.brokenSent += Math.min(room, bytes.length);
    }
    if (this.brokenKept < BROKEN_RECORD_CAP) {
      const kept = bytes.subarray(0, BROKEN_RECORD_CAP - this.brokenKept);
      this.brokenKept += kept.length;
      const cutNote = announced === undefined ? '' : '; the tap did not forward it and closed the connection';
      // The framer's verdict on the stream, first: it explains whatever the dissector makes of the bytes.
      this.pendingFindings.unshift({ severity: 'error', message: `Framing: ${reason}${cutNote}`, filter: 'mqtt.fixed_header', offset: 0 });
      const decoded = dissect(kept, { version: this.state.version ?? 4 });
      this.last[dir] = this.rec({ time, connId: this.info.connId, direction: dir, bytes: kept, decoded }, true);
    }
    // A packet larger than the tap accepts would otherwise be buffered by the broker as it trickles in.
    if (announced !== undefined) this.cut(`a packet announced ${announced} bytes, more than the maximum packet size of ${this.hooks.maxPacketSize}`);
    else if (this.brokenSent >= BROKEN_RECORD_CAP) this.cut(`${BROKEN_RECORD_CAP / 1024} kB that cannot be framed as MQTT were forwarded; the rest was not`);
  }

  /** An outbox let waiting packets go: end a side that half-closed meanwhile, resume a held-back client. */
  private drained(dir: Direction): void {
    if (dir === 'toBroker') this.unholdIfDrained();
    if (this.halfClosed[dir] && this.nothingToWrite(dir)) this.target(dir).end();
  }

  /** Nothing waits at the tap to be written that way: its stream may be ended. */
  private nothingToWrite(dir: Direction): boolean {
    return this.out[dir].length === 0 && (dir === 'toBroker' || this.toClient.idle);
  }

  private write(dir: Direction, bytes: Uint8Array): void {
    const dest = this.target(dir);
    if (dest.destroyed) return;
    if (dir === 'toClient') {
      this.toClient.write(bytes);
      return;
    }
    // Keepalive is what the broker sees: a packet held, delayed or dropped here is silence to it.
    this.lastFromClient = this.hooks.clock.now();
    // Backpressure towards the broker: stop reading the client until the broker drains. Towards the client
    // the broker's side is never paused (see paced-writer.ts and reader-bound.ts).
    if (!dest.write(bytes)) {
      // One drain listener: every write of a big chunk returns false once the buffer is full.
      if (this.draining) return;
      this.draining = true;
      this.client.pause();
      dest.once('drain', () => {
        this.draining = false;
        if (!this.heldBack) this.client.resume();
        this.unholdIfDrained();
      });
    }
  }

  private target(dir: Direction): Socket | Duplex {
    return dir === 'toBroker' ? this.upstream : this.client;
  }

  private onEnd(dir: Direction): void {
    const time = this.hooks.clock.now();
    for (const ev of this.framers[dir].end()) if (ev.kind === 'broken') this.onBroken(dir, ev.bytes, ev.reason, undefined, time);
    this.settleEnd(dir);
    this.halfClosed[dir] = true;
    if (this.nothingToWrite(dir)) this.target(dir).end();
  }

  private onAbort(dir: Direction): void {
    this.settleEnd(dir);
    this.discardQueues();
    this.client.destroy();
    this.upstream.destroy();
  }

  /** The first side to close decides how the connection ended, unless the tap already knows why. */
  private settleEnd(closedBy: Direction): void {
    if (this.state.ending !== undefined) return;
    // A peer usually hangs up right after the malformed packet it received: decode that one to know.
    const lastIn = this.last[closedBy === 'toBroker' ? 'toClient' : 'toBroker'];
    this.state = ended(this.state, finalEnd(this.state, {
      closedBy,
      lastReceivedBroken: lastIn !== undefined && recordIssues(lastIn).some((i) => i.severity === 'error'),
      silentMs: this.hooks.clock.now() - this.lastFromClient,
    }));
  }

  private discardQueues(): void {
    this.readerBound.stop();
    const a = this.out.toBroker.discard();
    const b = this.out.toClient.discard();
    this.toClient.clear();
    // Packets a person could have released are gone with their connection: views must hear of it.
    if (a || b) this.hooks.discarded();
  }

  private onClose(): void {
    this.closedSides++;
    if (this.closedSides === 1) {
      // One side is gone: the other follows once its queue has drained (or at once when aborted).
      if (!this.client.destroyed && this.client.writableEnded === false && this.nothingToWrite('toClient')) this.client.end();
      if (!this.upstream.destroyed && this.upstream.writableEnded === false && this.nothingToWrite('toBroker')) this.upstream.end();
      return;
    }
    if (this.info.state === 'closed') return;
    this.discardQueues();
    this.info.state = 'closed';
    this.info.ended = finalEnd(this.state, undefined);
    if (this.state.endNote !== undefined && this.info.ended === 'tap-limit') this.info.endNote = this.state.endNote;
    this.info.endedAt = this.hooks.clock.now();
    this.hooks.changed(this.info);
  }
}

/** Hands a corked stream's buffered writes on now (one writev), e.g. just before it is destroyed. */
function flushCorked(s: Writable): void {
  while (s.writableCorked > 0) s.uncork();
}
