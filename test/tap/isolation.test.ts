// One connection through the tap cannot slow another down or make the tap hold unbounded memory: a client
// that stops reading is cut once it is over its bound and has taken nothing for a while (the reason is on the
// connection), a packet announced larger than the maximum packet size is not forwarded at all. Bounded in
// bytes and time. The bound's timing itself is tested with a hand-moved clock in reader-bound.test.ts.
import { generate } from 'mqtt-packet';
import { afterEach, expect, it } from 'vitest';
import { recordIssues } from '../../src/shared/record-issues.js';
import { rawMqtt, type RawMqtt } from '../peers/raw-mqtt.js';
import { collectGarbage, inbox, of, sleep, startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
const extra: RawMqtt[] = [];
afterEach(async () => {
  for (const r of extra.splice(0)) r.socket.destroy();
  await rig?.stop();
  rig = undefined;
});

const MB = 1024 * 1024;
const CONNECT = (clientId: string): Uint8Array =>
  generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });

/** A raw subscriber to `filter` that then stops reading. */
async function nonReader(r: Rig, filter: string): Promise<RawMqtt> {
  const lazy = await r.raw();
  await lazy.send(CONNECT('lazy'));
  await lazy.next();
  await lazy.send(generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] }));
  await lazy.next();
  lazy.socket.pause();
  return lazy;
}

/** Writes `count` 1 kB QoS 0 PUBLISHes to flood/x, waiting for drain; stops when held back 5 s at once. */
async function flood(port: number, count: number): Promise<number> {
  const pub = await rawMqtt(port);
  extra.push(pub);
  await pub.send(CONNECT('flooder'));
  await pub.next();
  const one = generate({ cmd: 'publish', topic: 'flood/x', payload: Buffer.alloc(1000, 0x66), qos: 0, dup: false, retain: false });
  const batch = Buffer.concat(Array.from({ length: 200 }, () => one));
  let written = 0;
  while (written < count) {
    const ok = pub.socket.write(batch);
    written += 200;
    if (!ok && !(await Promise.race([new Promise<boolean>((res) => pub.socket.once('drain', () => res(true))), sleep(5000).then(() => false)]))) break;
  }
  return written;
}

it('aedes: a subscriber that never reads under 30,000 × 1 kB holds back neither the publisher, nor a reader of the same topic, nor a bystander pair', async () => {
  // A short stall: the flood is over in seconds, and a client that has stopped shows no progress at all.
  rig = await startRig({ keep: false, tap: { stallMs: 500 } });
  const r = rig;
  await nonReader(r, 'flood/#');
  const eager = await r.client({ clientId: 'eager' });
  let eagerCount = 0;
  eager.on('message', () => eagerCount++);
  await eager.subscribeAsync('flood/#');
  const bystander = await r.client({ clientId: 'bystander' });
  const got = inbox(bystander);
  await bystander.subscribeAsync('side/#', { qos: 1 });
  const side = await r.client({ clientId: 'side' });
  collectGarbage();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    // Before the fix the tap stopped reading the broker's side for the non-reader, aedes waited for that
    // socket to drain, and the publisher was held back for good after ~22,000 messages.
    const written = await flood(r.port, 30_000);
    expect(written).toBe(30_000);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await side.publishAsync('side/x', String(i), { qos: 1 });
      await until(() => got.length === i + 1, `side message ${i}`, 3000);
      times.push(performance.now() - t);
    }
    await until(() => eagerCount === written, `all ${written} messages at the reading subscriber (has ${eagerCount})`, 15_000);
    // The cut comes once the stall time has passed with nothing taken, which may be after the flood is over.
    await until(() => r.connOf('lazy')?.state === 'closed', 'the non-reader to be cut', 5000).catch(() => undefined);
    const lazy = r.connOf('lazy')!;
    console.info(`non-reader under ${written} × 1 kB: bystander QoS 1 ${times.map((t) => t.toFixed(0)).join(' ')} ms; ` +
      `non-reader ${lazy.state}${lazy.ended ? ` (${lazy.ended}: ${lazy.endNote})` : ''}; peak RSS +${((peak - rss0) / MB).toFixed(0)} MB`);
    expect(Math.max(...times)).toBeLessThan(2000);
    // 30 MB cannot all wait in kernel buffers plus the tap's 8 MiB, and it took nothing for the stall time:
    // the non-reader was cut, and says why.
    expect(lazy.state).toBe('closed');
    expect(lazy.ended).toBe('tap-limit');
    expect(lazy.endNote).toMatch(/^it did not read for 0\.5 s: \d+\.\d MiB from the broker waited for it at the tap \(limit 8\.0 MiB\)$/);
  } finally {
    clearInterval(sampler);
  }
}, 40_000);

it('a client that stops reading is cut once over its bound with nothing taken, and the reason is on the connection', async () => {
  rig = await startRig({ keep: false, tap: { maxBuffered: 1 * MB, stallMs: 300 } });
  const r = rig;
  const lazy = await nonReader(r, 'flood/#');
  const lazyId = r.connOf('lazy')!.connId;
  await flood(r.port, 20_000);
  const conn = await until(() => r.conn(lazyId)?.state === 'closed' && r.conn(lazyId), 'the non-reader to be cut', 10_000);
  expect(conn.ended).toBe('tap-limit');
  expect(conn.endNote).toMatch(/^it did not read for 0\.3 s: .* \(limit 1\.0 MiB\)$/);
  // The cut is a lost connection to the client: it sees its socket close.
  lazy.socket.resume();
  await lazy.closed(5000);
}, 30_000);

it('a client that reads slowly but steadily stays connected far over its bound, and gets everything relayed to it', async () => {
  // A generous stall: progress shows at each completed socket write, and this machine may be busy.
  rig = await startRig({ keep: false, tap: { maxBuffered: 1 * MB, stallMs: 3000 } });
  const r = rig;
  const slow = await nonReader(r, 'flood/#');
  const slowId = r.connOf('lazy')!.connId;
  let relayed = 0;
  r.tap.on('packet', (x) => {
    if (x.connId === slowId && x.direction === 'toClient') relayed += x.bytes.length;
  });
  // About 64 kB every 20 ms at most: far slower than the flood arrives, never stopped.
  slow.socket.on('data', () => {
    slow.socket.pause();
    setTimeout(() => slow.socket.resume(), 20);
  });
  slow.socket.resume();
  let most = 0;
  const watch = setInterval(() => {
    most = Math.max(most, relayed - slow.socket.bytesRead);
  }, 50);
  try {
    const written = await flood(r.port, 8000);
    expect(written).toBe(8000);
    // Everything relayed arrives (CONNACK and SUBACK came before the count started).
    try {
      await until(() => relayed >= 8000 * 1000 && slow.socket.bytesRead >= relayed, 'the slow reader to catch up', 20_000);
    } catch (e) {
      throw new Error(`${(e as Error).message} (relayed ${relayed}, read ${slow.socket.bytesRead}, ${JSON.stringify(r.conn(slowId))})`);
    }
  } finally {
    clearInterval(watch);
  }
  // It was well over its 1 MiB bound on the way, and is still there.
  expect(most).toBeGreaterThan(2 * MB);
  expect(r.conn(slowId)?.state).toBe('connected');
}, 40_000);

it('a PUBLISH announcing 256 MB whose body trickles in: not forwarded, the connection cut, memory flat', async () => {
  rig = await startRig();
  const r = rig;
  const c = await r.raw();
  await c.send(CONNECT('trickle'));
  await c.next();
  collectGarbage();
  const before = process.memoryUsage();
  await c.send(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 0x74]), 0);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 256 && !c.socket.destroyed; i++) {
    if (!c.socket.write(chunk)) await Promise.race([new Promise((res) => c.socket.once('drain', res)), sleep(200)]);
  }
  const conn = await until(() => r.conn(1)?.state === 'closed' && r.conn(1), 'the cut', 5000);
  expect(conn.ended).toBe('tap-limit');
  expect(conn.endNote).toBe('a packet announced 268435460 bytes, more than the maximum packet size of 1048576');
  const rec = of(r.records, 1, 'toBroker')[1]!;
  expect(recordIssues(rec)[0]!.message).toMatch(/^Framing: PUBLISH announces 268435460 bytes .*; the tap did not forward it and closed the connection$/);
  collectGarbage();
  const grew = (process.memoryUsage().rss - before.rss) / MB;
  console.info(`256 MB PUBLISH trickle: rss +${grew.toFixed(1)} MB`);
  expect(grew).toBeLessThan(48);
  const other = await r.client({ clientId: 'other' });
  const got = inbox(other);
  await other.subscribeAsync('ok');
  await other.publishAsync('ok', 'still here');
  await until(() => got.length === 1, 'the tap to serve on');
}, 30_000);
