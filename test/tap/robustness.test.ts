// Bad input and load at the tap. Whatever arrives, the tap keeps serving everyone else, keeps the bad bytes
// as flagged records, and holds memory and sockets within bounds. Each test is bounded in time and count.
import { request } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/shared/lab.js';
import { recordIssues } from '../../src/shared/record-issues.js';
import { rawMqtt } from '../peers/raw-mqtt.js';
import { missing } from '../peers/have.js';
import { collectGarbage, hasError, inbox, of, sleep, startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const MB = 1024 * 1024;
const CONNECT = (clientId: string): Uint8Array =>
  generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });

/** Deterministic noise (xorshift), so a failure can be replayed byte for byte. */
function noise(n: number, seed = 0x2545f491): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The tap still relays: a fresh subscriber receives a fresh publisher's message. */
async function stillServes(r: Rig, tag: string): Promise<void> {
  const sub = await r.client({ clientId: `${tag}-sub` });
  const got = inbox(sub);
  await sub.subscribeAsync(`alive/${tag}`);
  const pub = await r.client({ clientId: `${tag}-pub` });
  await pub.publishAsync(`alive/${tag}`, 'ok');
  await until(() => got.length === 1, `a message on alive/${tag}`);
  pub.end(true);
  sub.end(true);
}

const sockets = (): number => process.getActiveResourcesInfo().filter((x) => x === 'TCPSocketWrap').length;
const recordedBytes = (recs: PacketRecord[]): number => recs.reduce((n, x) => n + x.bytes.length, 0);

describe('bad input', () => {
  it('noise from the first byte: every byte is kept as flagged records, the tap serves on', async () => {
    rig = await startRig();
    const c = await rig.raw();
    const junk = noise(8192);
    await c.send(junk);
    // 3a ab ac 26 frames as a PUBLISH of 638 kB that never completes; the client gives up.
    await c.close();
    const conn = await until(() => rig!.conn(1)?.state === 'closed' && rig!.conn(1), 'close');
    const recs = of(rig.records, 1, 'toBroker');
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.every(hasError)).toBe(true);
    expect(Buffer.concat(recs.map((x) => Buffer.from(x.bytes)))).toEqual(Buffer.from(junk));
    expect(conn.ended).toBe('protocol-error');
    await stillServes(rig, 'noise');
  });

  it('a remaining length longer than 4 bytes breaks the stream at once; the broker hangs up', async () => {
    rig = await startRig();
    const c = await rig.raw();
    const junk = new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01, ...noise(100)]);
    await c.send(junk);
    await c.closed(5000);
    const conn = await until(() => rig!.conn(1)?.state === 'closed' && rig!.conn(1), 'close');
    const recs = of(rig.records, 1, 'toBroker');
    expect(Buffer.concat(recs.map((x) => Buffer.from(x.bytes)))).toEqual(Buffer.from(junk));
    expect(recordIssues(recs[0]!)[0]!.message).toMatch(/^Framing: remaining length of PUBLISH does not end within 4 bytes/);
    expect(conn.ended).toBe('protocol-error');
    await stillServes(rig, 'varint');
  });

  const malformed: Array<[string, Uint8Array, string]> = [
    ['PUBLISH with QoS 3', new Uint8Array([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]), 'PUBLISH'],
    ['PUBLISH to a wildcard topic', generate({ cmd: 'publish', topic: 'a/+', payload: Buffer.from('x'), qos: 0, dup: false, retain: false }), 'PUBLISH'],
    ['SUBSCRIBE with flags 0', new Uint8Array([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x74, 0x00]), 'SUBSCRIBE'],
    ['reserved packet type 0', new Uint8Array([0x00, 0x00]), 'RESERVED'],
    ['AUTH in MQTT 3.1.1', new Uint8Array([0xf0, 0x00]), 'AUTH'],
    ['PUBLISH whose topic length overruns the packet', new Uint8Array([0x30, 0x04, 0x00, 0x09, 0x61, 0x62]), 'PUBLISH'],
  ];
  it.each(malformed)('%s: recorded with an error, never crashes the tap', async (_name, bytes, type) => {
    rig = await startRig();
    const c = await rig.raw();
    await c.send(CONNECT('bad'));
    await c.next();
    await c.send(bytes);
    const rec = await until(() => of(rig!.records, 1, 'toBroker')[1], 'the record');
    expect(rec.decoded.type).toBe(type);
    expect(Buffer.from(rec.bytes)).toEqual(Buffer.from(bytes));
    expect(hasError(rec)).toBe(true);
    expect(rec.decoded.issues.find((i) => i.severity === 'error')!.message.length).toBeGreaterThan(10);
    await stillServes(rig, 'malformed');
  });

  it('half a packet, then silence: others are served; the half packet is reported when the connection closes', async () => {
    rig = await startRig();
    const half = await rig.raw();
    await half.send(CONNECT('half'));
    await half.next();
    const whole = generate({ cmd: 'publish', topic: 'half/topic', payload: Buffer.alloc(26, 0x68), qos: 0, dup: false, retain: false });
    expect(whole.length).toBe(40);
    await half.send(whole.subarray(0, 10));
    await stillServes(rig, 'half');
    await sleep(200);
    expect(of(rig.records, 1).map((x) => x.decoded.type)).toEqual(['CONNECT', 'CONNACK']);
    await half.close();
    const rec = await until(() => of(rig!.records, 1, 'toBroker')[1], 'the half packet');
    expect(Buffer.from(rec.bytes)).toEqual(Buffer.from(whole.subarray(0, 10)));
    expect(recordIssues(rec)[0]!.message).toBe('Framing: connection closed 10 bytes into a 40-byte PUBLISH');
    await until(() => rig!.conn(1)?.state === 'closed', 'close');
  });

  it('a CONNECT announcing 256 MB: the framer gives up at once, memory does not follow the announcement', async () => {
    rig = await startRig();
    const before = process.memoryUsage();
    const c = await rig.raw();
    const header = new Uint8Array([0x10, 0xff, 0xff, 0xff, 0x7f]); // remaining length 268,435,455
    const t0 = performance.now();
    await c.send(header, 0);
    const rec = await until(() => of(rig!.records, 1, 'toBroker')[0], 'the broken record', 2000);
    // At once: the record exists though only the five header bytes were sent (no speed bound here: bench/).
    const latency = performance.now() - t0;
    expect(recordIssues(rec)[0]!.message).toMatch(/^Framing: CONNECT announces 268435460 bytes in total, more than the maximum packet size of 1048576 bytes/);
    // What follows is forwarded but only the first 64 kB of unframeable data per connection are kept.
    const chunk = noise(64 * 1024);
    for (let i = 0; i < 64 && !c.socket.destroyed; i++) await c.send(chunk, 0);
    await sleep(100);
    const after = process.memoryUsage();
    const grew = { rss: (after.rss - before.rss) / MB, arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / MB };
    console.info(`256 MB CONNECT: broken record after ${latency.toFixed(1)} ms; rss +${grew.rss.toFixed(1)} MB, arrayBuffers +${grew.arrayBuffers.toFixed(1)} MB; kept ${recordedBytes(of(rig.records, 1))} bytes`);
    expect(recordedBytes(of(rig.records, 1, 'toBroker'))).toBeLessThanOrEqual(64 * 1024);
    expect(grew.arrayBuffers).toBeLessThan(32);
    expect(grew.rss).toBeLessThan(96);
    await stillServes(rig, 'huge');
  });

  it('a TLS ClientHello and an HTTP GET are flagged as what they are', async () => {
    rig = await startRig();
    const port = rig.port;
    await new Promise<void>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
      s.once('error', () => resolve());
      s.once('close', () => resolve());
    });
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/status' }, () => resolve());
      req.once('error', () => resolve());
      req.end();
    });
    const tls = await until(() => of(rig!.records, 1, 'toBroker')[0], 'the TLS record');
    const http = await until(() => of(rig!.records, 2, 'toBroker')[0], 'the HTTP record');
    expect(tls.bytes[0]).toBe(0x16);
    expect(tls.decoded.type).toBe('UNKNOWN');
    expect(recordIssues(tls).map((i) => i.message).join('\n')).toMatch(/stream starts like a TLS handshake[\s\S]*looks like a TLS ClientHello/);
    expect(http.decoded.type).toBe('UNKNOWN');
    expect(recordIssues(http).map((i) => i.message).join('\n')).toMatch(/stream starts like an HTTP request \("GET …"\)[\s\S]*looks like an HTTP request \('GET \/status HTTP\/1.1'\)/);
    await until(() => rig!.conn(1)?.state === 'closed' && rig!.conn(2)?.state === 'closed', 'both closed');
    await stillServes(rig, 'foreign');
  });
});

describe('load', () => {
  it('1,000 connections opened and closed, 50 at a time: all reported closed, no socket left behind', async () => {
    rig = await startRig({ keep: false });
    const r = rig;
    const baseline = sockets();
    const once = (i: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const s: Socket = netConnect({ host: '127.0.0.1', port: r.port });
        s.once('connect', () => s.write(CONNECT(`many-${i}`)));
        // The CONNACK is 4 bytes; DISCONNECT then lets the broker close first.
        s.once('data', () => s.end(generate({ cmd: 'disconnect' })));
        s.once('close', () => resolve());
        s.once('error', reject);
      });
    const t0 = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 1000) await once(next++);
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const closed = (): number => new Set(r.connEvents.filter((c) => c.state === 'closed').map((c) => c.connId)).size;
    await until(() => closed() === 1000, '1000 closed connections', 10_000);
    const ms = performance.now() - t0;
    const ends = r.connEvents.filter((c) => c.state === 'closed').map((c) => c.ended);
    expect(ends.every((e) => e === 'disconnect')).toBe(true);
    // The tap lists only the latest closed connections, so a long session does not grow without bound.
    expect(r.tap.connections().length).toBeLessThanOrEqual(500);
    await until(() => sockets() <= baseline, `sockets back to ${baseline} (now ${sockets()})`, 5000);
    console.info(`1000 connections in ${ms.toFixed(0)} ms; sockets ${baseline} before, ${sockets()} after`);
  }, 30_000);

  it('a non-reader that dies while held back by backpressure is reported closed and leaves no socket', async () => {
    rig = await startRig({ keep: false });
    const r = rig;
    const baseline = sockets();
    const lazy = await r.raw();
    await lazy.send(CONNECT('lazy'));
    await lazy.next();
    await lazy.send(generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'flood/#', qos: 0 }] }));
    await lazy.next();
    lazy.socket.pause();
    const pub = await rawMqtt(r.port);
    await pub.send(CONNECT('flooder'));
    await pub.next();
    const one = generate({ cmd: 'publish', topic: 'flood/x', payload: Buffer.alloc(1000, 0x66), qos: 0, dup: false, retain: false });
    const batch = Buffer.concat(Array.from({ length: 200 }, () => one));
    for (let i = 0; i < 100; i++) {
      if (!pub.socket.write(batch) && !(await Promise.race([new Promise<boolean>((res) => pub.socket.once('drain', () => res(true))), sleep(500).then(() => false)]))) break;
    }
    lazy.socket.destroy();
    await until(() => r.conn(1)?.state === 'closed', 'the non-reader to be reported closed', 5000);
    // With the in-process broker no kernel buffer absorbs the flood: the tap may reach its bound and cut the
    // non-reader (saying so) before the client dies.
    expect(['client-closed', 'tap-limit']).toContain(r.conn(1)?.ended);
    pub.socket.destroy();
    await until(() => sockets() <= baseline, 'sockets back to the baseline', 5000);
  }, 30_000);

  // aedes 1.2 itself stalls the publishers of a topic once a QoS 0 subscriber stops reading (it waits for that
  // socket to drain). The tap no longer passes a non-reader's backpressure on to the broker, so that stall
  // cannot start through the tap; here the bounds on memory and what the non-reader gets afterwards.
  for (const kind of ['mosquitto', 'aedes'] as const) {
    it.skipIf(kind === 'mosquitto' && missing('mosquitto') !== undefined)(
      `${kind}: a client that never reads while its subscription is flooded: backpressure bounds the tap`,
      async () => {
        await flood(kind);
      },
      60_000,
    );
  }
});

async function flood(kind: 'mosquitto' | 'aedes'): Promise<void> {
  rig = await startRig({ kind, keep: false });
  const r = rig;
  const relayed = new Map<string, number>();
  r.tap.on('packet', (x) => {
    const key = `${x.connId}${x.direction}${x.decoded.type}`;
    relayed.set(key, (relayed.get(key) ?? 0) + x.bytes.length);
  });
  const lazy = await r.raw();
  await lazy.send(CONNECT('lazy'));
  await lazy.next();
  await lazy.send(generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'flood/#', qos: 0 }] }));
  await lazy.next();
  lazy.socket.pause();
  const lazyId = r.connOf('lazy')!.connId;
  const eager = await r.client({ clientId: 'eager' });
  // A count, not an inbox: 40 MB of kept payloads would swamp the memory figures.
  let eagerCount = 0;
  eager.on('message', () => eagerCount++);
  await eager.subscribeAsync('flood/#');
  const bystander = await r.client({ clientId: 'bystander' });
  const bystanderGot = inbox(bystander);
  await bystander.subscribeAsync('side/#');
  const side = await r.client({ clientId: 'side' });
  const pub = await rawMqtt(r.port);
  await pub.send(CONNECT('flooder'));
  await pub.next();

  const one = generate({ cmd: 'publish', topic: 'flood/x', payload: Buffer.alloc(1000, 0x66), qos: 0, dup: false, retain: false });
  const batch = Buffer.concat(Array.from({ length: 200 }, () => one));
  collectGarbage();
  const before = process.memoryUsage();
  let peakBuffers = 0;
  const sample = (): void => {
    peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - before.arrayBuffers);
  };
  // 40 MB, or until the publisher is held back for a whole second.
  let written = 0;
  const deadline = performance.now() + 10_000;
  while (written < 40_000 && performance.now() < deadline) {
    const ok = pub.socket.write(batch);
    written += 200;
    sample();
    if (!ok && !(await Promise.race([new Promise<boolean>((res) => pub.socket.once('drain', () => res(true))), sleep(1000).then(() => false)]))) break;
  }
  const flooded = (): number => eagerCount;
  const duringFlood = flooded();
  const sideTimes: number[] = [];
  if (kind === 'mosquitto') {
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await side.publishAsync('side/x', String(i));
      // Arrival, not speed: how long these round trips take under the flood is measured by bench/flood.ts.
      await until(() => bystanderGot.length === i + 1, 'a side message', 15_000);
      sideTimes.push(performance.now() - t);
      sample();
    }
    // mosquitto may drop QoS 0 messages for a reader it finds slow; whatever the tap relayed must arrive.
    const eagerId = r.connOf('eager')!.connId;
    const relayedToEager = (): number => (relayed.get(`${eagerId}toClientPUBLISH`) ?? 0) / one.length;
    await settled(relayedToEager, 'the flood to the reader to end', 15_000);
    // A reader slower than mosquitto's burst can fall 8 MiB behind and be cut by the tap's per-connection bound
    // (test/tap/isolation.test.ts); then it says why and got no more than was relayed. Otherwise it gets all of it.
    await until(() => flooded() === relayedToEager() || r.conn(eagerId)?.state === 'closed', 'every relayed message at the reader', 20_000);
    const eager = r.conn(eagerId)!;
    if (eager.state === 'closed') {
      expect(eager.ended).toBe('tap-limit');
      expect(flooded()).toBeLessThanOrEqual(relayedToEager());
    } else {
      expect(flooded()).toBe(relayedToEager());
    }
  }
  const lazyRelayed = relayed.get(`${lazyId}toClientPUBLISH`) ?? 0;
  collectGarbage();
  const after = process.memoryUsage();
  console.info(
    `${kind} flood: wrote ${written} × ${one.length} B; relayed to the non-reader ${(lazyRelayed / MB).toFixed(1)} MB; ` +
      `reader got ${duringFlood} by the end of the flood, ${flooded()} later; side round trips ${sideTimes.map((t) => t.toFixed(0)).join(' ')} ms; arrayBuffers peak ` +
      `+${(peakBuffers / MB).toFixed(1)} MB; after GC heap +${((after.heapUsed - before.heapUsed) / MB).toFixed(1)} MB, ` +
      `arrayBuffers +${((after.arrayBuffers - before.arrayBuffers) / MB).toFixed(1)} MB`,
  );
  // The tap never holds back the broker's side for a non-reader (that stalled aedes for everyone): it holds
  // at most its per-connection bound for it, then cuts it (test/tap/isolation.test.ts). Memory stays bounded.
  // What waits for the non-reader is bounded by the tap's hard cap (32 MiB, DEFAULT_HARD_BUFFERED) until it is cut
  // or reads again; the rest is in flight. Unbounded, the growth was about 90 MB a round.
  expect(peakBuffers / MB).toBeLessThan(80);
  expect((after.arrayBuffers - before.arrayBuffers) / MB).toBeLessThan(56);
  expect((after.heapUsed - before.heapUsed) / MB).toBeLessThan(32);

  // Reading again, the non-reader gets exactly what the tap relayed to it, unless the tap cut it (and said why).
  lazy.socket.resume();
  const delivered = (): number => relayed.get(`${lazyId}toClientPUBLISH`) ?? 0;
  const got = (): number => lazy.socket.bytesRead - (relayed.get(`${lazyId}toClientCONNACK`) ?? 0) - (relayed.get(`${lazyId}toClientSUBACK`) ?? 0);
  await settled(delivered, 'the flood to the non-reader to end', 15_000);
  const lazyConn = r.conn(lazyId)!;
  if (lazyConn.state === 'closed') {
    expect(lazyConn.ended).toBe('tap-limit');
    expect(lazyConn.endNote).toMatch(/^it (did not read|fell too far behind)/);
    expect(got()).toBeLessThanOrEqual(delivered());
  } else {
    const t0 = performance.now();
    await until(() => got() === delivered(), 'the non-reader to catch up', 30_000);
    console.info(`caught up in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(got()).toBe(delivered());
  }
  // aedes keeps every QoS 0 message and delivers the whole flood to the reader.
  if (kind === 'aedes') await until(() => eagerCount === written, `all ${written} flood messages at the reader`, 15_000);
  pub.socket.destroy();
}

/** Waits until `value` has not changed for 300 ms. */
async function settled(value: () => number, what: string, timeoutMs: number): Promise<void> {
  let last = -1;
  let since = performance.now();
  await until(() => {
    if (value() !== last) [last, since] = [value(), performance.now()];
    return performance.now() - since > 300;
  }, what, timeoutMs);
}
