// The in-process connection the tap hands the embedded broker must behave like the loopback TCP socket it
// replaces: order, later delivery, FIN and close, backpressure. Then a real mqtt.js client talks to a
// real aedes over it.
import type { Duplex } from 'node:stream';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { collect } from './stream-collect.js';
import { AedesBroker } from '../../src/core/broker/aedes-broker.js';
import { streamPair } from '../../src/core/broker/stream-pair.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('streamPair', () => {
  it('delivers bytes in order, and never inside the writer\'s own call', async () => {
    const [a, b] = streamPair();
    const got = collect(b);
    a.write(Buffer.from('one '));
    a.write(Buffer.from('two '));
    expect(got.chunks).toEqual([]);
    a.write(Buffer.from('three'));
    await tick();
    expect(got.bytes().toString()).toBe('one two three');
    a.destroy();
  });

  it('hands over what one turn wrote as one chunk, as a socket read would find it', async () => {
    const [a, b] = streamPair();
    const got = collect(b);
    a.cork();
    for (const part of ['\x30', '\x05', '\x00\x01', 't']) a.write(Buffer.from(part, 'latin1'));
    a.uncork();
    a.write(Buffer.from('hi'));
    await tick();
    expect(got.chunks.length).toBe(1);
    expect(got.bytes()).toEqual(Buffer.from([0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69]));
    a.destroy();
  });

  it('packets framed from one read, written as views that follow each other, arrive as one view of that read', async () => {
    const [a, b] = streamPair();
    const got = collect(b);
    // Not from Buffer's shared pool (where a concatenation of a few bytes would land too).
    const read = Buffer.alloc(16);
    read.write('xxAAAABBBBCCCCyy', 'latin1');
    a.cork();
    for (const at of [2, 6, 10]) a.write(read.subarray(at, at + 4));
    a.uncork();
    await tick();
    expect(got.chunks.length).toBe(1);
    expect(got.chunks[0]!.toString('latin1')).toBe('AAAABBBBCCCC');
    // No copy: the tap's own bytes go on (the store copies what it keeps).
    expect(got.chunks[0]!.buffer).toBe(read.buffer);
    // Views of the same buffer with a gap between them are not joined across it.
    a.write(read.subarray(2, 4));
    a.write(read.subarray(6, 8));
    a.write(read.subarray(8, 10));
    await tick();
    expect(got.chunks.length).toBe(2);
    expect(got.chunks[1]!.toString('latin1')).toBe('AABBBB');
    expect(got.chunks[1]!.buffer).not.toBe(read.buffer);
    a.destroy();
  });

  it('hands over a big turn in reads of about 64 kB, cut between the pieces written, bytes and order intact', async () => {
    const [a, b] = streamPair();
    const got = collect(b);
    const pieces: Buffer[] = [];
    // 60 messages written in pieces as aedes writes them (header, length, topic, payload), then one 100 kB piece.
    for (let i = 0; i < 60; i++) pieces.push(Buffer.from([0x30]), Buffer.from([0x8b, 0x20]), Buffer.from(`\x00\x05top/${i % 10}`, 'latin1'), Buffer.alloc(4096, i));
    pieces.push(Buffer.alloc(100_000, 0xab));
    a.cork();
    for (const p of pieces) a.write(p);
    a.uncork();
    await tick();
    expect(got.bytes().equals(Buffer.concat(pieces))).toBe(true);
    expect(got.chunks.length).toBeGreaterThanOrEqual(4);
    // Reads of at least 64 kB, cut where a piece ended (so at most 64 kB plus the last piece), until the big
    // piece, which goes on its own as the view it is.
    const big = pieces.at(-1)!;
    expect(got.chunks.at(-1)!.buffer).toBe(big.buffer);
    const before = got.chunks.slice(0, -1);
    expect(before.slice(0, -1).every((c) => c.length >= 64 * 1024 && c.length < 64 * 1024 + 4096 + 9)).toBe(true);
    expect(before.at(-1)!.length).toBeLessThan(64 * 1024 + 4096 + 9);
    a.destroy();
  });

  it('a reader that takes all it has at each read (as aedes does) gets one read at a time, then the FIN after the last', async () => {
    const [a, b] = streamPair();
    const pieces: Buffer[] = [];
    for (let i = 0; i < 200; i++) pieces.push(Buffer.from([0x30, 0x8b, 0x20]), Buffer.alloc(4096, i));
    const got: Buffer[] = [];
    const ended = new Promise<void>((resolve) => b.once('end', () => resolve()));
    b.on('readable', () => {
      let c: Buffer | null;
      while ((c = b.read() as Buffer | null) !== null) got.push(c);
    });
    a.cork();
    for (const p of pieces) a.write(p);
    a.uncork();
    a.end();
    await ended;
    expect(Buffer.concat(got).equals(Buffer.concat(pieces))).toBe(true);
    // 800 kB arrived in reads of about 64 kB: none was a concatenation of everything written.
    expect(got.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...got.map((c) => c.length))).toBeLessThan(2 * (64 * 1024 + 4099));
  });

  it('a reader that takes all it has at each read gets each read as it was made, never two joined by a copy', async () => {
    // A turn as the tap writes towards aedes: packets framed from one socket read (views of it), one that
    // straddled two reads (a buffer of its own), then views of the next read.
    const [a, b] = streamPair();
    const first = Buffer.alloc(60_000, 1);
    const straddled = Buffer.alloc(4108, 2);
    const next = Buffer.alloc(60_000, 3);
    const got: Buffer[] = [];
    b.on('readable', () => {
      let c: Buffer | null;
      while ((c = b.read() as Buffer | null) !== null) got.push(c);
    });
    a.cork();
    for (let at = 0; at < 60_000; at += 4000) a.write(first.subarray(at, at + 4000));
    a.write(straddled);
    for (let at = 0; at < 60_000; at += 4000) a.write(next.subarray(at, at + 4000));
    a.uncork();
    const until = Date.now() + 5000;
    while (got.reduce((n, c) => n + c.length, 0) < 124_108 && Date.now() < until) await tick();
    expect(got.map((c) => c.length)).toEqual([60_000, 4108, 60_000]);
    expect(got[0]!.buffer).toBe(first.buffer);
    expect(got[1]!.buffer).toBe(straddled.buffer);
    expect(got[2]!.buffer).toBe(next.buffer);
    a.destroy();
  });

  it('a reader that takes its reads late, a few bytes then the rest, still gets everything from a writer that minds drain', async () => {
    const [a, b] = streamPair();
    const sent: Buffer[] = [];
    const got: Buffer[] = [];
    const ended = new Promise<void>((resolve) => b.once('end', () => resolve()));
    let busy = false;
    b.on('readable', () => {
      if (busy) return;
      busy = true;
      // As aedes reads: when done with the last batch, later; here sometimes a few bytes first.
      setImmediate(() => {
        busy = false;
        const head = got.length % 3 === 0 ? (b.read(10) as Buffer | null) : null;
        if (head !== null) got.push(head);
        const rest = b.read() as Buffer | null;
        if (rest !== null) got.push(rest);
        if (b.readableLength > 0) b.emit('readable');
      });
    });
    for (let i = 0; i < 300; i++) {
      const piece = Buffer.alloc(1000 + (i % 7) * 1000, i);
      sent.push(piece);
      if (!a.write(piece)) await new Promise((resolve) => a.once('drain', resolve));
    }
    a.end();
    await ended;
    expect(Buffer.concat(got).equals(Buffer.concat(sent))).toBe(true);
  });

  it('end() is a FIN: the peer reads everything, sees end, ends its side; both close', async () => {
    const [a, b] = streamPair();
    const atB = collect(b);
    const atA = collect(a);
    a.write(Buffer.from('last words'));
    a.end();
    await atB.ended;
    expect(atB.bytes().toString()).toBe('last words');
    // Like a net socket without allowHalfOpen, b answers the FIN with its own.
    await atA.ended;
    await Promise.all([atA.closed, atB.closed]);
  });

  it('keeps a half-closed connection usable from the other side until it ends', async () => {
    const [a, b] = streamPair();
    const atA = collect(a);
    const atB = collect(b);
    b.write(Buffer.from('reply'));
    a.end(Buffer.from('bye'));
    await atB.ended;
    await atA.ended;
    expect(atA.bytes().toString()).toBe('reply');
    expect(atB.bytes().toString()).toBe('bye');
  });

  it('destroy() closes the connection: the peer gets what was sent before, then end and close', async () => {
    const [a, b] = streamPair();
    const atB = collect(b);
    a.write(Buffer.from('before'));
    await tick();
    a.destroy();
    await atB.ended;
    await atB.closed;
    expect(atB.bytes().toString()).toBe('before');
    expect(a.destroyed).toBe(true);
    // Writing into a connection the other side closed fails, as on a socket.
    const err = await new Promise<Error | null | undefined>((resolve) => b.write(Buffer.from('into the void'), resolve));
    expect(err?.message).toMatch(/destroyed|after end/);
  });

  it('holds a writer back while the reader does not read: write() says false, drain follows the read', async () => {
    const [a, b] = streamPair();
    b.pause();
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let written = 0;
    while (a.write(chunk)) {
      written += chunk.length;
      if (written > 10 * 1024 * 1024) throw new Error('write() never said false');
      await tick();
    }
    written += chunk.length;
    // Held: more ticks do not empty the writer's buffer while nobody reads.
    for (let i = 0; i < 5; i++) await tick();
    expect(a.writableNeedDrain).toBe(true);
    expect(written).toBeLessThan(256 * 1024);
    const drained = new Promise<void>((resolve) => a.once('drain', () => resolve()));
    let read = 0;
    b.on('data', (c: Buffer) => (read += c.length));
    b.resume();
    await drained;
    await tick();
    expect(read).toBe(written);
    a.destroy();
  });

  it('a writer held by a full reader is released when the reader is destroyed', async () => {
    const [a, b] = streamPair();
    b.pause();
    const chunk = Buffer.alloc(64 * 1024);
    while (a.write(chunk)) await tick();
    await tick();
    const drained = new Promise<void>((resolve) => a.once('drain', () => resolve()));
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.resume();
    b.destroy();
    await drained;
    await closed;
  });
});

describe('AedesBroker.connect', () => {
  let broker: AedesBroker | undefined;
  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it('refuses before start', () => {
    expect(() => new AedesBroker().connect()).toThrow(/not running/);
  });

  it('serves a real mqtt.js client over the in-process stream: subscribe, QoS 1 publish, delivery, will on a cut', async () => {
    broker = new AedesBroker();
    await broker.start();
    const b = broker;
    const open = (clientId: string, will?: mqtt.IClientOptions['will']) => {
      const c = new mqtt.MqttClient(() => b.connect(), { clientId, reconnectPeriod: 0, protocolVersion: 4, will });
      return new Promise<mqtt.MqttClient>((resolve, reject) => {
        c.once('connect', () => resolve(c));
        c.once('error', reject);
      });
    };
    const sub = await open('sub');
    const got: string[] = [];
    sub.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
    await sub.subscribeAsync('home/#', { qos: 1 });
    const pub = await open('pub', { topic: 'home/status', payload: Buffer.from('pub gone'), qos: 1, retain: false });
    await pub.publishAsync('home/temp', '21.5', { qos: 1 });
    await new Promise<void>((resolve) => {
      const check = (): void => (got.length >= 1 ? resolve() : void setTimeout(check, 5));
      check();
    });
    // A cut with no DISCONNECT: aedes publishes the will, as it would for a dropped TCP connection.
    (pub as unknown as { stream: Duplex }).stream.destroy();
    await new Promise<void>((resolve) => {
      const check = (): void => (got.length >= 2 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(got).toEqual(['home/temp=21.5', 'home/status=pub gone']);
    pub.end(true);
    await sub.endAsync();
  });

  it('stop() ends the in-process connections too', async () => {
    broker = new AedesBroker();
    await broker.start();
    const s = broker.connect();
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.resume();
    await broker.stop();
    broker = undefined;
    await closed;
  });
});
