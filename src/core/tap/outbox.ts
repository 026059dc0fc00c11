// One direction's way out of the tap. Packets leave in the order they arrived, as TCP would deliver them: a
// packet waiting at a fault (delayed, held, stepped) holds up the ones behind it. No sockets here: the relay
// gives it the function that writes, so order, release and delay are tested with a hand-moved clock.
import type { Clock } from '../../shared/clock.js';
import type { Direction, PacketRecord } from '../../shared/lab.js';
import { releasedFault } from './fault-stage.js';
import type { Pending } from './pending.js';

export interface OutboxHooks {
  clock: Clock;
  /** Puts bytes on the way to the other side. */
  write(bytes: Uint8Array): void;
  /** A released packet's record changed (it now says how long it waited). */
  updated(r: PacketRecord): void;
  /** The queue emptied after a release (the relay may end a half-closed side, resume a held-back client). */
  drained(): void;
}

export class Outbox {
  private queue: Pending[] = [];
  /** Bytes waiting here (the socket's own buffer is counted by the relay). */
  bytes = 0;

  constructor(readonly dir: Direction, private readonly hooks: OutboxHooks) {}

  get length(): number {
    return this.queue.length;
  }

  /** Sends now, or queues behind a waiting packet to keep the stream's order. */
  send(bytes: Uint8Array): void {
    if (this.queue.length > 0) this.push(null, bytes, true);
    else this.hooks.write(bytes);
  }

  /** A packet that waits: `ms` releases it by timer (a delay), otherwise a person releases it. */
  wait(record: PacketRecord, bytes: Uint8Array, ms?: number): Pending {
    const p = this.push(record, bytes, false);
    if (ms !== undefined) p.timer = this.hooks.clock.setTimeout(() => this.release(p), ms);
    return p;
  }

  private push(record: PacketRecord | null, bytes: Uint8Array, ready: boolean): Pending {
    const p: Pending = { record, dir: this.dir, bytes, ready, done: false, since: this.hooks.clock.now(), release: () => this.release(p) };
    this.queue.push(p);
    this.bytes += bytes.length;
    return p;
  }

  /** Lets a waiting packet go, then everything ready behind it. */
  release(p: Pending): void {
    if (p.ready || p.done) return;
    p.ready = true;
    this.hooks.clock.clearTimeout(p.timer);
    const r = p.record;
    if (r !== null && r.fault !== undefined) {
      const f = releasedFault(r.fault, p.since, this.hooks.clock.now());
      if (f !== null) {
        r.fault = f;
        this.hooks.updated(r);
      }
    }
    this.pump();
  }

  private pump(): void {
    const q = this.queue;
    let n = 0;
    while (n < q.length && q[n]!.ready) {
      const p = q[n++]!;
      p.done = true;
      this.bytes -= p.bytes.length;
      this.hooks.write(p.bytes);
    }
    if (n > 0) this.queue = q.slice(n);
    this.hooks.drained();
  }

  /** Throws away what waits (the connection ended); true when a person could have released one of them. */
  discard(): boolean {
    let announced = false;
    for (const p of this.queue) {
      if (!p.ready && p.record !== null && p.record.fault?.action !== 'delay') announced = true;
      p.done = true;
      this.hooks.clock.clearTimeout(p.timer);
    }
    this.queue = [];
    this.bytes = 0;
    return announced;
  }
}
