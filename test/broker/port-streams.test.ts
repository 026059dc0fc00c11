// The stream ends the tap and the broker's thread talk through must behave like the loopback socket they
// replace (as stream-pair.ts's do in one thread): order, later delivery, FIN, close, backpressure. Here both
// sides run over a MessageChannel in this thread; aedes-thread.test.ts runs them across a real worker.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../tap/rig.js';
import { collect } from './stream-collect.js';
import { PortStreams, type PortBatch } from '../../src/core/broker/port-streams.js';

interface Sides {
  near: PortStreams;
  /** The ends the far side was handed, in the order they were opened. */
  far: Duplex[];
  farStreams: PortStreams;
  /** Notes each side received, in order. */
  notes: { near: unknown[]; far: unknown[] };
  /** Messages posted each way. */
  posts: { toFar: number; toNear: number };
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** `onAccept`: runs as the far side is handed each end, before any of its bytes arrive. */
function sides(onAccept: (end: Duplex, index: number) => void = () => undefined): Sides {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const far: Duplex[] = [];
  const notes = { near: [] as unknown[], far: [] as unknown[] };
  const posts = { toFar: 0, toNear: 0 };
  const counted = (port: MessagePort, key: 'toFar' | 'toNear') => ({
    postMessage: (m: unknown, t?: ArrayBuffer[]) => {
      posts[key]++;
      port.postMessage(m, t);
    },
  });
  const near = new PortStreams(counted(port1, 'toFar'));
  const farStreams = new PortStreams(counted(port2, 'toNear'), (end) => {
    far.push(end);
    onAccept(end, far.length - 1);
  });
  port2.on('message', (b: PortBatch) => farStreams.receive(b, (n) => notes.far.push(n)));
  port1.on('message', (b: PortBatch) => near.receive(b, (n) => notes.near.push(n)));
  return { near, far, farStreams, notes, posts };
}

describe('PortStreams', () => {
  it('opens the far end on the first batch and delivers bytes in order, never inside the writer\'s call', async () => {
    const s = sides();
    const a = s.near.open();
    a.write(Buffer.from('one '));
    a.write(Buffer.from('two '));
    a.write(Buffer.from('three'));
    expect(s.far).toHaveLength(0);
    await until(() => s.far.length === 1, 'the far end');
    const got = collect(s.far[0]!);
    await until(() => got.bytes().length === 13, 'the bytes');
    expect(got.bytes().toString()).toBe('one two three');
    // What one turn wrote on one end arrived as one read, in one message.
    expect(got.chunks).toHaveLength(1);
    expect(s.posts.toFar).toBe(1);
    a.destroy();
  });

  it('keeps each connection to itself, both ways, and batches a turn of several connections in one message', async () => {
    const s = sides();
    const a = s.near.open();
    const b = s.near.open();
    a.write('to a ');
    b.write('to b ');
    a.write('again');
    await until(() => s.far.length === 2, 'both far ends');
    expect(s.posts.toFar).toBe(1);
    const [fa, fb] = s.far as [Duplex, Duplex];
    const ga = collect(fa);
    const gb = collect(fb);
    await until(() => ga.bytes().length === 10 && gb.bytes().length === 5, 'the bytes');
    expect([ga.bytes().toString(), gb.bytes().toString()]).toEqual(['to a again', 'to b ']);
    const back = collect(a);
    fa.write('reply');
    await until(() => back.bytes().length === 5, 'the reply');
    expect(back.bytes().toString()).toBe('reply');
    a.destroy();
    b.destroy();
  });

  it('end() is a FIN: the peer reads the data, then the end, ends its side in turn, and both close', async () => {
    const s = sides();
    const a = s.near.open();
    const nearSide = collect(a);
    a.write('last words');
    a.end();
    await until(() => s.far.length === 1, 'the far end');
    const far = collect(s.far[0]!);
    await far.ended;
    expect(far.bytes().toString()).toBe('last words');
    await Promise.all([far.closed, nearSide.ended, nearSide.closed]);
  });

  it('destroy() is a closed socket: the peer reads what was sent, then the end; what it writes afterwards vanishes', async () => {
    const s = sides();
    const a = s.near.open();
    a.write('before the cut');
    a.destroy();
    await until(() => s.far.length === 1, 'the far end');
    const f = s.far[0]!;
    const far = collect(f);
    await far.ended;
    expect(far.bytes().toString()).toBe('before the cut');
    // Into a closed socket: no error, no bytes anywhere, and the writer is not left waiting.
    const errors: Error[] = [];
    f.on('error', (e) => errors.push(e));
    await new Promise<void>((resolve) => f.end('into the void', () => resolve()));
    await far.closed;
    expect(errors).toEqual([]);
  });

  it('a writer waits once its peer has not taken a window: write() returns false, and drain follows the reading', async () => {
    const s = sides();
    const a = s.near.open();
    const piece = Buffer.alloc(16 * 1024, 0x61);
    a.write(piece);
    await until(() => s.far.length === 1, 'the far end');
    const f = s.far[0]!;
    f.pause(); // a reader that takes nothing
    let wrote = 16 * 1024;
    while (a.write(piece)) {
      wrote += piece.length;
      if (wrote > 4 * 1_048_576) throw new Error('a peer that reads nothing never held the writer back');
    }
    wrote += piece.length;
    // A window (256 kB) in flight, plus what the stream buffers in front of it.
    expect(wrote).toBeGreaterThanOrEqual(256 * 1024);
    expect(wrote).toBeLessThan(512 * 1024);
    const drained = new Promise<void>((resolve) => a.once('drain', () => resolve()));
    let read = 0;
    f.on('data', (c: Buffer) => (read += c.length));
    f.resume();
    await drained;
    await until(() => read === wrote, 'every byte read');
    a.destroy();
  });

  it('a large write arrives whole and in order, in reads no larger than a batch', async () => {
    const s = sides();
    const a = s.near.open();
    const big = Buffer.alloc(1_000_003);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    a.write(Buffer.from('head'));
    a.write(big);
    await until(() => s.far.length === 1, 'the far end');
    const far = collect(s.far[0]!);
    await until(() => far.bytes().length === big.length + 4, 'the bytes');
    expect(far.bytes().equals(Buffer.concat([Buffer.from('head'), big]))).toBe(true);
    expect(Math.max(...far.chunks.map((c) => c.length))).toBeLessThanOrEqual(64 * 1024);
    a.destroy();
  });

  it('notes reach the other side before the bytes of the same turn, and in order', async () => {
    const s = sides();
    const a = s.near.open();
    await until(() => s.far.length === 1, 'the far end');
    let notesWhenData = -1;
    s.far[0]!.on('data', () => (notesWhenData = s.notes.far.length));
    a.write('data');
    s.near.note({ n: 1 });
    s.near.note({ n: 2 });
    await until(() => notesWhenData >= 0, 'the bytes');
    expect(s.notes.far).toEqual([{ n: 1 }, { n: 2 }]);
    expect(notesWhenData).toBe(2);
    a.destroy();
  });

  it('an answer about an end already gone leaves the rest of its message intact', async () => {
    // The far side acknowledges a's bytes and, in the same turn, writes on b's end; a is gone at the near
    // side by then, so the near side reads past an acknowledgement for an end it no longer has.
    const fromFar: string[] = [];
    const s = sides((end, index) => {
      if (index === 0) end.on('data', () => s.far[1]?.write('for b'));
    });
    const a = s.near.open();
    const b = s.near.open();
    b.on('data', (c: Buffer) => fromFar.push(c.toString()));
    a.write('for a');
    a.destroy();
    await until(() => fromFar.length > 0, "b's bytes");
    expect(fromFar).toEqual(['for b']);
    b.destroy();
  });

  it('close(): the other side is gone, so every end sees its peer close and nothing more is sent', async () => {
    const s = sides();
    const a = s.near.open();
    const b = s.near.open();
    const ga = collect(a);
    const gb = collect(b);
    s.near.close();
    await Promise.all([ga.ended, gb.ended]);
    a.end();
    b.end();
    await Promise.all([ga.closed, gb.closed]);
    const before = s.posts.toFar;
    s.near.note('after the close');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(s.posts.toFar).toBe(before);
  });
});
