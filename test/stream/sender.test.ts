// The batcher and its flow control on a clock the test moves: one frame per tick, no frame without credit,
// a bounded queue whose overflow becomes exact `missed` markers, other events never dropped, bounded frames.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PacketSummary } from '../../src/shared/api.js';
import { EventReceiver, EventSender, type SenderOptions } from '../../src/shared/event-stream/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { publishBurst } from './real-summaries.js';
import { accountFor, emptyReceived, readFrame, type Received } from './stream-check.js';

let real: PacketSummary[] = [];
beforeAll(async () => {
  real = await publishBurst(600);
}, 60_000);

function setup(opts: Partial<SenderOptions> = {}): { clock: ManualClock; sender: EventSender; got: Received; texts: string[] } {
  const clock = new ManualClock();
  const got = emptyReceived();
  const texts: string[] = [];
  const sender = new EventSender({
    clock,
    ...opts,
    send: (t) => {
      texts.push(t);
      readFrame(got, t);
    },
  });
  return { clock, sender, got, texts };
}

describe('event sender', () => {
  it('gathers a tick of events into one frame, in order', () => {
    const { clock, sender, got } = setup();
    const ps = real.slice(0, 100);
    for (const p of ps) sender.push('packet', p);
    sender.push('cleared', null);
    expect(got.frames).toBe(0);
    clock.advance(15);
    expect(got.frames).toBe(0);
    clock.advance(1);
    expect(got.frames).toBe(1);
    expect(got.events.map((e) => e.event)).toEqual([...ps.map(() => 'packet'), 'cleared']);
    expect(got.packets).toStrictEqual(ps);
    clock.advance(1000);
    expect(got.frames).toBe(1);
  });

  it('sends no frame without credit, and resumes on a grant', () => {
    const { clock, sender, got } = setup({ initialCredit: 2 });
    for (let i = 0; i < 5; i++) {
      sender.push('packet', real[i]!);
      clock.advance(16);
    }
    expect(got.frames).toBe(2);
    expect(sender.credit).toBe(0);
    clock.advance(1000);
    expect(got.frames).toBe(2);
    sender.grant(1);
    clock.advance(16);
    // The three packets that waited go out together in the one frame the credit pays for.
    expect(got.frames).toBe(3);
    expect(got.packets.map((p) => p.seq)).toEqual(real.slice(0, 5).map((p) => p.seq));
    expect(sender.grant.bind(sender, -3)).not.toThrow();
    expect(sender.credit).toBe(0);
  });

  it('replaces what a stalled receiver cannot take with one exact marker, then goes on live', () => {
    const { clock, sender, got } = setup({ initialCredit: 0, maxQueuedPackets: 100 });
    const first = real.slice(0, 250);
    for (const p of first) sender.push('packet', p);
    clock.advance(100);
    expect(got.frames).toBe(0);
    sender.grant(8);
    clock.advance(100);
    expect(got.packets.map((p) => p.seq)).toEqual(first.slice(0, 100).map((p) => p.seq));
    expect(got.missed).toEqual([{ fromSeq: first[100]!.seq, toSeq: first[249]!.seq }]);
    expect(got.events.at(-1)!.event).toBe('missed');
    // Drained: the next packets are sent, after the marker.
    for (const p of real.slice(250, 260)) sender.push('packet', p);
    clock.advance(16);
    expect(got.packets.slice(-10)).toStrictEqual(real.slice(250, 260));
    expect(sender.stats.markers).toBe(1);
    expect(sender.stats.missedPackets).toBe(150);
    const acc = accountFor(real.slice(0, 260).map((p) => p.seq), got);
    expect(acc).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('in a flood sends one marker for each stretch of packets instead of them, then streams again', () => {
    // 4,000 a second against a bound of 500: over twice the bound within 100 ms (more than 100 in it).
    const { clock, sender, got, texts } = setup({ floodRowsPerS: 500, floodMarkerMs: 200, maxCredit: 1000, initialCredit: 1000 });
    const calm = real.slice(0, 10);
    for (const p of calm) {
      sender.push('packet', p);
      clock.advance(20);
    }
    expect(got.packets).toStrictEqual(calm);
    // 400 packets in 100 ms: the first ones stream, the rest are skipped once the rate is a flood's.
    const flood = real.slice(10, 410);
    flood.forEach((p, i) => {
      sender.push('packet', p);
      if (i % 4 === 3) clock.advance(1);
    });
    const streamed = got.packets.length - calm.length;
    expect(streamed).toBeGreaterThan(40);
    expect(streamed).toBeLessThan(100);
    // The marker gathers for 200 ms before it goes, whatever the credit: one jump, not one a frame.
    expect(got.missed).toEqual([]);
    clock.advance(100);
    expect(got.missed).toEqual([]);
    // Other events wait behind it, in order.
    sender.push('cleared', null);
    clock.advance(120);
    expect(got.missed).toEqual([{ fromSeq: flood[streamed]!.seq, toSeq: flood[399]!.seq, flood: true }]);
    expect(got.events.at(-1)!.event).toBe('cleared');
    expect(texts.some((t) => t.includes('"flood":true'))).toBe(true);
    // Quiet again: packets stream one by one.
    clock.advance(1000);
    const after = real.slice(410, 420);
    for (const p of after) {
      sender.push('packet', p);
      clock.advance(20);
    }
    expect(got.packets.slice(-10)).toStrictEqual(after);
    expect(accountFor(real.slice(0, 420).map((p) => p.seq), got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('closes a flood marker every floodMarkerMs while the flood lasts, and only floods past the bound', () => {
    const { clock, sender, got } = setup({ floodRowsPerS: 500, floodMarkerMs: 50, maxCredit: 1000, initialCredit: 1000 });
    // 400 a second for half a second: under the bound, all stream.
    for (const p of real.slice(0, 200)) {
      sender.push('packet', p);
      clock.advance(2.5);
    }
    clock.advance(16);
    expect(got.missed).toEqual([]);
    expect(got.packets.length).toBe(200);
    // 2,000 a second for 200 ms: a flood early on, then a marker every 50 ms.
    for (const p of real.slice(200, 600)) {
      sender.push('packet', p);
      clock.advance(0.5);
    }
    clock.advance(100);
    expect(got.missed.length).toBeGreaterThanOrEqual(3);
    expect(got.missed.every((m) => (m as { flood?: boolean }).flood === true)).toBe(true);
    for (let k = 1; k < got.missed.length; k++) expect(got.missed[k]!.fromSeq).toBe(got.missed[k - 1]!.toSeq + 1);
    expect(got.missed.at(-1)!.toSeq).toBe(real[599]!.seq);
    expect(accountFor(real.slice(0, 600).map((p) => p.seq), got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('takes packets a stalled sender lets out together for what they are, not a flood; a rate kept over the bound is one', () => {
    const { clock, sender, got } = setup({ floodRowsPerS: 500, floodMarkerMs: 50, maxCredit: 1000, initialCredit: 1000 });
    // 350 a second, then 50 at once (a sender that stalled for 140 ms), then 350 a second again.
    let i = 0;
    const paced = (ms: number, per20ms: number): void => {
      for (let t = 0; t < ms; t += 20) {
        for (let k = 0; k < per20ms; k++) sender.push('packet', real[i++]!);
        clock.advance(20);
      }
    };
    paced(300, 7);
    for (let k = 0; k < 50; k++) sender.push('packet', real[i++]!);
    paced(200, 7);
    clock.advance(100);
    expect(got.missed).toEqual([]);
    expect(got.packets.length).toBe(i);
    // 700 a second, kept up: two full 50 ms buckets over the bound make it a flood.
    paced(200, 14);
    clock.advance(100);
    expect(got.missed.length).toBeGreaterThan(0);
    expect(accountFor(real.slice(0, i).map((p) => p.seq), got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('takes the packets still waiting when a flood begins into its marker: the page jumps past them too', () => {
    const byId = new Map(real.map((p) => [p.seq, p]));
    // No credit yet: whatever comes waits, as in front of a page busy drawing.
    const { clock, sender, got } = setup({ floodRowsPerS: 500, floodMarkerMs: 50, initialCredit: 0, maxCredit: 1000, summaryAt: (seq) => byId.get(seq) });
    const calm = real.slice(0, 5);
    for (const p of calm) {
      sender.pushPacketSeq(p.seq);
      clock.advance(40);
    }
    // 4,000 a second: a flood within 100 ms, while the first of them still wait for credit.
    const flood = real.slice(5, 405);
    flood.forEach((p, i) => {
      sender.pushPacketSeq(p.seq);
      if (i % 4 === 3) clock.advance(1);
    });
    clock.advance(100);
    sender.grant(100);
    clock.advance(100);
    // The calm ones were waiting too: the first marker starts at the first packet not sent, the next ones where
    // it ended, and nothing a marker covers is sent.
    expect(got.packets).toEqual([]);
    expect(got.missed.length).toBeGreaterThan(1);
    expect(got.missed[0]!.fromSeq).toBe(calm[0]!.seq);
    for (let k = 1; k < got.missed.length; k++) expect(got.missed[k]!.fromSeq).toBe(got.missed[k - 1]!.toSeq + 1);
    expect(got.missed.at(-1)!.toSeq).toBe(flood[399]!.seq);
    expect(accountFor(real.slice(0, 405).map((p) => p.seq), got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('never drops other events, and keeps only the newest of a state that was replaced', () => {
    const { clock, sender, got } = setup({ initialCredit: 0, maxQueuedPackets: 10 });
    const pushed: number[] = [];
    for (let i = 0; i < 200; i++) {
      const p = real[i]!;
      sender.push('packet', p);
      pushed.push(p.seq);
      sender.push('message', { id: 'sub', message: { time: p.time, topic: `t/${i}`, payload: String(i) } });
      sender.push('connection', { connId: 1, remote: '127.0.0.1:5', state: i < 199 ? 'open' : 'closed', since: 0 });
      if (i % 50 === 0) sender.push('step', { on: i % 100 === 0, waiting: [i] });
    }
    sender.grant(64);
    clock.advance(1000);
    const messages = got.events.filter((e) => e.event === 'message').map((e) => (e.data as { message: { topic: string } }).message.topic);
    expect(messages).toEqual(Array.from({ length: 200 }, (_, i) => `t/${i}`));
    expect(got.events.filter((e) => e.event === 'connection').map((e) => (e.data as { state: string }).state)).toEqual(['closed']);
    expect(got.events.filter((e) => e.event === 'step').map((e) => e.data)).toEqual([{ on: false, waiting: [150] }]);
    expect(got.missed.length).toBeGreaterThan(0);
    expect(accountFor(pushed, got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('bounds a frame by bytes and by events; an event larger than the bound goes alone', () => {
    const { clock, sender, texts, got } = setup({ maxFrameBytes: 4096, maxFrameEvents: 50, initialCredit: 64 });
    const ps = real.slice(0, 400);
    for (const p of ps.slice(0, 200)) sender.push('packet', p);
    const big = { lessons: [{ id: 'x', text: 'y'.repeat(10_000) }] };
    sender.push('lessons', big);
    for (const p of ps.slice(200)) sender.push('packet', p);
    clock.advance(16 * 60);
    expect(got.packets).toStrictEqual(ps);
    expect(got.events.find((e) => e.event === 'lessons')!.data).toEqual(big);
    for (const t of texts) {
      const events = (JSON.parse(t) as { e: unknown[] }).e.length;
      expect(events).toBeLessThanOrEqual(50);
      if (!t.includes('"lessons"')) expect(t.length).toBeLessThanOrEqual(4096);
      else expect(events).toBe(1);
    }
    // One frame per tick, never more.
    expect(texts.length).toBeLessThanOrEqual(60);
    expect(texts.length).toBeGreaterThan(400 / 50);
  });

  it('makes up the ticks a busy event loop made it miss, in frames no larger than usual', () => {
    // Every timer fires 200 ms late, as on a server whose loop is busy with the tap.
    const clock = new ManualClock();
    const lateClock = { now: () => clock.now(), setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms + 200), clearTimeout: (h: never) => clock.clearTimeout(h) };
    const got = emptyReceived();
    const sizes: number[] = [];
    const sender = new EventSender({ clock: lateClock, maxFrameEvents: 50, initialCredit: 64, send: (t) => {
      readFrame(got, t);
      sizes.push((JSON.parse(t) as { e: unknown[] }).e.length);
    } });
    sender.push('packet', real[0]!);
    clock.advance(216);
    expect(sizes).toEqual([1]);
    for (const p of real.slice(1, 501)) sender.push('packet', p);
    clock.advance(216);
    // 216 ms is 13 ticks: 500 packets in 10 frames of 50, all in the one late timer.
    expect(sizes).toEqual([1, ...Array(10).fill(50)]);
    expect(got.packets).toStrictEqual(real.slice(0, 501));
  });

  it('builds frames for about 4 ms per timer and leaves the rest to the next turn of the loop, losing none', () => {
    // Each frame takes 3 ms to build, and every timer but a zero one fires 200 ms late.
    const clock = new ManualClock();
    let spent = 0;
    const perCallback: number[] = [];
    const slowClock = {
      now: () => clock.now() + spent,
      setTimeout: (fn: () => void, ms: number) => clock.setTimeout(() => {
        perCallback.push(0);
        fn();
      }, ms === 0 ? 0 : ms + 200),
      clearTimeout: (h: never) => clock.clearTimeout(h),
    };
    const got = emptyReceived();
    const sender = new EventSender({ clock: slowClock, maxFrameEvents: 50, initialCredit: 64, send: (t) => {
      readFrame(got, t);
      perCallback[perCallback.length - 1]!++;
      spent += 3;
    } });
    sender.push('packet', real[0]!);
    clock.advance(216);
    for (const p of real.slice(1, 501)) sender.push('packet', p);
    clock.advance(216);
    // 10 frames owed by the late timer: two per callback (the second starts 3 ms in), in five callbacks.
    expect(perCallback).toEqual([1, 2, 2, 2, 2, 2]);
    expect(got.packets).toStrictEqual(real.slice(0, 501));
  });

  it('folds a packet update into its queued packet, drops one a marker covers, sends one for a sent packet', () => {
    const { clock, sender, got } = setup({ initialCredit: 1, maxQueuedPackets: 5 });
    const [a, b, ...rest] = real;
    sender.push('packet', a!);
    clock.advance(16);
    sender.push('packet', b!);
    sender.push('packet-update', { ...b!, issues: 1, severity: 'warning' });
    sender.push('packet-update', { ...a!, fault: { action: 'step', ms: 40, released: true } });
    for (const p of rest.slice(0, 10)) sender.push('packet', p);
    sender.push('packet-update', { ...rest[8]!, issues: 3, severity: 'error' });
    sender.grant(10);
    clock.advance(200);
    expect(got.packets.map((p) => p.seq)).toEqual([a!.seq, b!.seq, ...rest.slice(0, 3).map((p) => p.seq)]);
    expect(got.packets[1]).toStrictEqual({ ...b!, issues: 1, severity: 'warning' });
    const updates = got.events.filter((e) => e.event === 'packet-update').map((e) => e.data as PacketSummary);
    expect(updates).toStrictEqual([{ ...a!, fault: { action: 'step', ms: 40, released: true } }]);
    expect(got.missed).toEqual([{ fromSeq: rest[3]!.seq, toSeq: rest[9]!.seq }]);
  });

  it('stops on close, and a reset starts again with fresh credit and nothing queued', () => {
    const { clock, sender, got } = setup({ initialCredit: 1 });
    sender.push('packet', real[0]!);
    clock.advance(16);
    sender.push('packet', real[1]!);
    sender.reset();
    expect(sender.queued).toBe(0);
    expect(sender.credit).toBe(1);
    sender.push('packet', real[2]!);
    sender.close();
    clock.advance(100);
    sender.push('packet', real[3]!);
    clock.advance(100);
    expect(got.packets.map((p) => p.seq)).toEqual([real[0]!.seq]);
    expect(clock.pending).toBe(0);
  });
});

describe('event sender, packets queued by seq (summaryAt)', () => {
  /** The same pushes through a sender that queues summaries and one that queues seqs and reads them back. */
  function both(opts: Partial<SenderOptions>, run: (push: (event: string, data: unknown) => void, clock: ManualClock, grant: (n: number) => void) => void) {
    const latest = new Map<number, PacketSummary>();
    const plain = setup(opts);
    const bySeq = setup({ ...opts, summaryAt: (seq) => latest.get(seq) });
    run((event, data) => {
      if (event === 'packet' || event === 'packet-update') latest.set((data as PacketSummary).seq, data as PacketSummary);
      if (event === 'cleared') latest.clear();
      plain.sender.push(event, data);
      bySeq.sender.push(event, data);
    }, {
      advance: (ms: number) => {
        plain.clock.advance(ms);
        bySeq.clock.advance(ms);
      },
    } as ManualClock, (n) => {
      plain.sender.grant(n);
      bySeq.sender.grant(n);
    });
    return { plain, bySeq };
  }

  it('sends the very frames a sender of summaries sends: folds, markers, bounds and other events alike', () => {
    const { plain, bySeq } = both({ initialCredit: 1, maxQueuedPackets: 120, maxFrameEvents: 50 }, (push, clock, grant) => {
      for (let i = 0; i < 400; i++) {
        const p = real[i]!;
        push('packet', p);
        if (i % 7 === 3) push('packet-update', { ...real[i - 2]!, issues: 1, severity: 'warning' });
        if (i % 40 === 0) push('connection', { connId: 1, remote: '127.0.0.1:5', state: 'open', since: i });
        if (i % 90 === 0) clock.advance(16);
        if (i === 250) grant(20);
      }
      grant(64);
      clock.advance(2000);
      // Updates after everything went: of sent packets, and of packets a marker stood for.
      for (let i = 0; i < 400; i += 9) push('packet-update', { ...real[i]!, fault: { action: 'delay', ms: i } });
      for (let i = 400; i < 420; i++) push('packet', real[i]!);
      push('packet-update', { ...real[405]!, issues: 2, severity: 'error' });
      push('packet-update', { ...real[9]!, issues: 2, severity: 'error' });
      clock.advance(100);
      grant(64);
      clock.advance(100);
    });
    expect(bySeq.texts.length).toBeGreaterThan(5);
    expect(bySeq.got.missed.length).toBeGreaterThan(0);
    expect(bySeq.texts).toEqual(plain.texts);
    expect(bySeq.sender.stats).toEqual(plain.sender.stats);
    expect(bySeq.got.events.filter((e) => e.event === 'packet-update').length).toBeGreaterThan(20);
    expect(accountFor(real.slice(0, 420).map((p) => p.seq), bySeq.got)).toEqual({ lost: [], twice: [], outOfOrder: false });
  });

  it('sends the update of a packet a marker stood for, once the marker went and later packets still wait', () => {
    const { plain, bySeq } = both({ initialCredit: 0, maxQueuedPackets: 5, maxFrameEvents: 2 }, (push, clock, grant) => {
      for (let i = 0; i < 10; i++) push('packet', real[i]!);
      const frame = (): void => {
        grant(1);
        clock.advance(16);
      };
      frame();
      // Room again: real[10] closes the marker, and the queue is [2, 3, 4, missed 5..9, 10].
      push('packet', real[10]!);
      frame();
      frame();
      // The marker has gone; real[10] still waits.
      push('packet-update', { ...real[7]!, issues: 1, severity: 'note' });
      grant(10);
      clock.advance(100);
    });
    expect(bySeq.got.missed).toEqual([{ fromSeq: real[5]!.seq, toSeq: real[9]!.seq }]);
    expect(bySeq.got.events.filter((e) => e.event === 'packet-update').map((e) => (e.data as PacketSummary).seq)).toEqual([real[7]!.seq]);
    expect(bySeq.texts).toEqual(plain.texts);
  });

  it('takes packets by seq alone (pushPacketSeq) with the same frames as their summaries', () => {
    const byId = new Map(real.map((p) => [p.seq, p]));
    const a = setup({ initialCredit: 2, maxQueuedPackets: 100, summaryAt: (seq) => byId.get(seq) });
    const b = setup({ initialCredit: 2, maxQueuedPackets: 100, summaryAt: (seq) => byId.get(seq) });
    for (const [i, p] of real.slice(0, 300).entries()) {
      a.sender.push('packet', p);
      b.sender.pushPacketSeq(p.seq);
      if (i % 60 === 0) for (const x of [a, b]) x.clock.advance(16);
      if (i === 200) for (const x of [a, b]) x.sender.grant(3);
    }
    // One out of seq order waits whole, as a summary pushed out of order does.
    a.sender.push('packet', real[5]!);
    b.sender.pushPacketSeq(real[5]!.seq);
    for (const x of [a, b]) {
      x.sender.grant(64);
      x.clock.advance(500);
    }
    expect(b.got.missed.length).toBeGreaterThan(0);
    expect(b.texts).toEqual(a.texts);
    expect(() => setup().sender.pushPacketSeq(1)).toThrow('summaryAt');
  });

  it('reads each summary as it is when its frame is built; a packet gone by then is left out', () => {
    const latest = new Map(real.slice(0, 20).map((p) => [p.seq, p]));
    const asked: number[] = [];
    const { clock, sender, got } = setup({ summaryAt: (seq) => (asked.push(seq), latest.get(seq)) });
    for (const p of real.slice(0, 20)) sender.push('packet', p);
    // Changed after the push (a released hold) and removed (the capture cleared) before the tick.
    latest.set(real[3]!.seq, { ...real[3]!, fault: { action: 'hold', ms: 900, released: true } });
    for (const p of real.slice(10, 20)) latest.delete(p.seq);
    sender.push('cleared', null);
    expect(asked).toEqual([]);
    clock.advance(16);
    expect(got.packets).toStrictEqual([...real.slice(0, 3), { ...real[3]!, fault: { action: 'hold', ms: 900, released: true } }, ...real.slice(4, 10)]);
    expect(got.events.at(-1)!.event).toBe('cleared');
    expect(sender.stats.packets).toBe(10);
    expect(sender.queued).toBe(0);
  });

  it('holds no summary object while the receiver has no credit (they can all be collected)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const held = async (summaryAt?: SenderOptions['summaryAt']): Promise<number> => {
      const { sender } = setup({ initialCredit: 0, summaryAt });
      const refs = real.slice(0, 300).map((p) => {
        const copy = { ...p, info: { ...p.info } };
        sender.push('packet', copy);
        return new WeakRef(copy);
      });
      // WeakRef targets stay alive until the end of the job that made them.
      await new Promise((r) => setTimeout(r, 0));
      gc();
      const alive = refs.filter((r) => r.deref() !== undefined).length;
      expect(sender.queued).toBe(300);
      return alive;
    };
    expect(await held()).toBe(300);
    expect(await held((seq) => real.find((p) => p.seq === seq))).toBe(0);
  });
});

describe('event receiver', () => {
  it('dispatches in order and grants the frames back only after the task that processed them', () => {
    const { clock, sender, texts } = setup({ initialCredit: 3 });
    const later: Array<() => void> = [];
    const granted: number[] = [];
    const seen: string[] = [];
    const receiver = new EventReceiver({
      dispatch: (event) => seen.push(event),
      grant: (n) => granted.push(n),
      later: (fn) => later.push(fn),
    });
    for (let i = 0; i < 3; i++) {
      sender.push('packet', real[i]!);
      sender.push('step', { on: true, waiting: [i] });
      clock.advance(16);
    }
    expect(texts).toHaveLength(3);
    for (const t of texts) expect(receiver.receive(t)).toBe(true);
    expect(seen).toEqual(['packet', 'step', 'packet', 'step', 'packet', 'step']);
    expect(granted).toEqual([]);
    expect(later).toHaveLength(1);
    later[0]!();
    expect(granted).toEqual([3]);
    expect(receiver.receive({ kind: 'result', id: 1, ok: true, result: null })).toBe(false);
  });

  it('says so when a frame cannot be read, and still pays its credit back', () => {
    const errors: string[] = [];
    const granted: number[] = [];
    const receiver = new EventReceiver({ dispatch: () => undefined, grant: (n) => granted.push(n), later: (fn) => fn(), onError: (e) => errors.push(e.message) });
    expect(receiver.receive('{"kind":"stream","s":[],"h":[],"k":[],"e":[[1,0,0,4,0,0]]}')).toBe(true);
    expect(receiver.receive('{not json')).toBe(true);
    expect(errors).toEqual(['packet 1 points at a head not in the frame', 'a stream frame is not JSON']);
    expect(granted).toEqual([1]);
  });
});
