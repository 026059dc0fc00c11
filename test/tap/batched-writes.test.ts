// The packets the tap frames from one read leave towards a TCP peer in one write (a writev), not one
// system call each; packets that pass untouched side by side go as one buffer, the chunk they came in. Every
// fault action still acts exactly as it did packet by packet: a dropped packet
// is not in the batch, a corrupted one is there in its corrupted form, a delayed, held or stepped packet
// leaves later on its own write with what queued behind it after it, and a severed connection still
// delivers what went before the severing packet. Real mosquitto behind the tap; the writes are watched
// where Node hands them to the socket (one _writev or _write call is one system call on a TCP socket).
import { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import type { FaultRule } from '../../src/shared/lab.js';
import { ManualClock } from '../support/manual-clock.js';
import { inbox, startRig, until, writeRaw, type Rig } from './rig.js';

const gen = (p: Record<string, unknown>): Buffer => mqttPacket.generate(p as unknown as mqttPacket.Packet);
const haveMosquitto = findExecutable('mosquitto') !== undefined;

/** Every write call Node made on a socket, each the list of buffers it carried, and the port it wrote to. */
let calls: Map<Socket, { port: number | undefined; list: Buffer[][] }>;
let rig: Rig | undefined;
/** For each write of PUBLISHes to mosquitto: how many PUBLISHes the tap had recorded when it was made. */
let recordedAtWrite: number[];

beforeEach(() => {
  calls = new Map();
  recordedAtWrite = [];
  const note = (s: Socket, bufs: Buffer[]): void => {
    const entry = calls.get(s) ?? { port: undefined, list: [] };
    // Unknown while it connects (Node holds a first write until then); gone once it is destroyed.
    entry.port ??= s.remotePort;
    entry.list.push(bufs.map((b) => Buffer.from(b)));
    calls.set(s, entry);
    // Only the tap's socket for the raw client: mqtt.js writes a packet in pieces, and a piece of the
    // watcher's SUBSCRIBE (its packet id, say) can start with a byte that reads as a PUBLISH's.
    if (rig !== undefined && entry.port === rig.info.port && carriesConnectOf(entry.list, 'burst') && bufs.some((b) => b[0]! >> 4 === 3)) {
      recordedAtWrite.push(rig.records.filter((r) => r.decoded.type === 'PUBLISH' && r.direction === 'toBroker').length);
    }
  };
  const writev = Socket.prototype._writev!;
  const write = Socket.prototype._write;
  vi.spyOn(Socket.prototype, '_writev').mockImplementation(function (this: Socket, chunks, cb) {
    note(this, chunks.map((c) => c.chunk as Buffer));
    return writev.call(this, chunks, cb);
  });
  vi.spyOn(Socket.prototype, '_write').mockImplementation(function (this: Socket, chunk, enc, cb) {
    note(this, [chunk as Buffer]);
    return write.call(this, chunk, enc, cb);
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rig?.stop();
  rig = undefined;
});

/** Whether a socket's first write was the whole CONNECT of client `id` (the tap's, for a raw client). */
function carriesConnectOf(list: Buffer[][], id: string): boolean {
  const first = list[0]?.[0];
  return first !== undefined && first[0] === 0x10 && first.includes(Buffer.from(id));
}

/** The write calls on the tap's socket to mosquitto for the client `id`, after its CONNECT. */
function toBroker(id: string): Buffer[][] {
  for (const { port, list } of calls.values()) {
    if (port === rig!.info.port && carriesConnectOf(list, id)) return list.slice(1);
  }
  throw new Error(`no socket carried the CONNECT of ${id}`);
}

/** The tap's writes to mosquitto that carried PUBLISHes, each as the buffers it handed the socket. */
const publishWrites = (): Buffer[][] => toBroker('burst').filter((c) => c.some((b) => b[0] >> 4 === 3));
const joined = (...runs: Buffer[][]): Buffer[] => runs.map((r) => Buffer.concat(r));

const PAYLOADS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];

/**
 * A rig on mosquitto, a watcher straight on mosquitto, and a raw client through the tap that sends eight
 * QoS 1 PUBLISHes (b/0 … b/7) in one write, so the tap reads them in one chunk.
 */
async function burst(rule?: Omit<FaultRule, 'id'>, step = false) {
  const clock = new ManualClock();
  rig = await startRig({ kind: 'mosquitto', tap: { clock } });
  const watcher: MqttClient = await rig.direct({ clientId: 'watch' });
  const got = inbox(watcher);
  await watcher.subscribeAsync('b/#', { qos: 0 });
  const raw = await rig.raw();
  await writeRaw(raw, gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'burst', keepalive: 0 }));
  await raw.next();
  if (rule !== undefined) rig.tap.rules.add(rule);
  if (step) rig.tap.setStepMode(true);
  const packets = PAYLOADS.map((p, i) => gen({ cmd: 'publish', topic: `b/${i}`, payload: p, qos: 1, messageId: i + 1, dup: false, retain: false }));
  const t0 = clock.now();
  await writeRaw(raw, Buffer.concat(packets));
  await until(() => rig!.records.filter((r) => r.decoded.type === 'PUBLISH' && r.direction === 'toBroker').length === 8, 'the eight PUBLISHes at the tap');
  const published = rig.records.filter((r) => r.decoded.type === 'PUBLISH' && r.direction === 'toBroker');
  // What the tap records is what came in, at the time it came in, whatever happens to it later.
  for (let i = 0; i < 8; i++) {
    expect(published[i]!.time).toBe(t0);
    if (published[i]!.fault?.action !== 'corrupt') expect(Buffer.from(published[i]!.bytes)).toEqual(packets[i]);
  }
  return { r: rig, clock, got, raw, packets, published };
}

const payloadsOf = (got: Array<{ payload: string }>): string[] => got.map((m) => m.payload);

describe.skipIf(!haveMosquitto)('writes to a TCP peer, batched per read', () => {
  it('no rule: the eight packets leave in one write of one buffer, byte for byte', async () => {
    const { got, packets } = await burst();
    await until(() => got.length === 8, 'all eight at the watcher');
    expect(payloadsOf(got)).toEqual(PAYLOADS);
    expect(publishWrites()).toEqual([joined(packets)]);
    // With no rule or step to act, they left before any of them was recorded: recording is off their path.
    expect(recordedAtWrite).toEqual([0]);
  });

  it('drop: the dropped packet is not in the one write; the others are, in order', async () => {
    const { got, packets, published } = await burst({ match: { topic: 'b/3' }, action: 'drop' });
    await until(() => got.length === 7, 'seven at the watcher');
    expect(payloadsOf(got)).toEqual(PAYLOADS.filter((p) => p !== 'p3'));
    expect(published[3]!.fault).toMatchObject({ action: 'drop' });
    // Two runs around the gap, in one write.
    expect(publishWrites()).toEqual([joined(packets.slice(0, 3), packets.slice(4))]);
    // A rule is judged packet by packet as it is recorded: the write follows the read's last record.
    expect(recordedAtWrite).toEqual([8]);
  });

  it('corrupt: the corrupted bytes take the packet\'s place in the one write', async () => {
    const { got, packets, published } = await burst({ match: { topic: 'b/5' }, action: 'corrupt' });
    await until(() => got.length === 8, 'all eight at the watcher');
    const changed = published[5]!;
    expect(changed.fault).toMatchObject({ action: 'corrupt', field: 'mqtt.msgid' });
    expect(Buffer.from(changed.bytes)).not.toEqual(packets[5]);
    // The copy breaks the run: before it, it, after it, in one write.
    expect(publishWrites()).toEqual([joined(packets.slice(0, 5), [Buffer.from(changed.bytes)], packets.slice(6))]);
  });

  it('delay: what came before leaves at once in one write; the delayed packet leaves alone when its time comes, then the rest in order', async () => {
    const { r, clock, got, packets } = await burst({ match: { topic: 'b/3' }, action: 'delay', ms: 300 });
    await until(() => got.length === 3, 'the three before the delay');
    expect(publishWrites()).toEqual([joined(packets.slice(0, 3))]);
    // Nothing else leaves while the clock stands still.
    await new Promise((res) => setTimeout(res, 100));
    expect(got).toHaveLength(3);
    clock.advance(300);
    await until(() => got.length === 8, 'the rest after the delay');
    expect(payloadsOf(got)).toEqual(PAYLOADS);
    const after = publishWrites().slice(1);
    expect(after[0]).toEqual([packets[3]]);
    expect(Buffer.concat(after.flat())).toEqual(Buffer.concat(packets.slice(3)));
    expect(r.updates).toEqual([]); // a delay's record keeps its rule's ms: nothing to update
  });

  it('hold: the held packet and everything behind it wait for the release, then leave in order, the held one alone first', async () => {
    const { r, clock, got, packets, published } = await burst({ match: { topic: 'b/2' }, action: 'hold' });
    await until(() => got.length === 2, 'the two before the hold');
    expect(publishWrites()).toEqual([joined(packets.slice(0, 2))]);
    clock.advance(1500);
    expect(r.tap.release(published[2]!.seq)).toBe(true);
    await until(() => got.length === 8, 'the rest after the release');
    expect(payloadsOf(got)).toEqual(PAYLOADS);
    const after = publishWrites().slice(1);
    expect(after[0]).toEqual([packets[2]]);
    expect(Buffer.concat(after.flat())).toEqual(Buffer.concat(packets.slice(2)));
    expect(r.updates.find((u) => u.seq === published[2]!.seq)!.fault).toMatchObject({ action: 'hold', released: true, ms: 1500 });
  });

  it('step: each packet waits for its own release and leaves on a write of its own', async () => {
    const { r, got, packets } = await burst(undefined, true);
    expect(r.tap.waiting()).toHaveLength(8);
    for (let i = 0; i < 8; i++) {
      r.tap.releaseNext();
      await until(() => got.length === i + 1, `message ${i} after its release`);
    }
    expect(payloadsOf(got)).toEqual(PAYLOADS);
    expect(publishWrites()).toEqual(packets.map((p) => [p]));
  });

  it('sever: what came before the severing packet is handed to the socket before it closes; nothing after it is', async () => {
    const { got, raw, packets, published } = await burst({ match: { topic: 'b/4' }, action: 'sever' });
    await raw.closed();
    expect(published[4]!.fault).toMatchObject({ action: 'sever' });
    // In one write, before the sockets closed (they were thrown away with the cork before). Whether mosquitto
    // reads bytes that reach it just before the connection drops is mosquitto's affair (a close with unread
    // data is a reset, which it may act on first), so its delivery is not what is asserted here.
    expect(publishWrites()).toEqual([joined(packets.slice(0, 4))]);
    await new Promise((res) => setTimeout(res, 200));
    expect(payloadsOf(got).filter((p) => ['p4', 'p5', 'p6', 'p7'].includes(p))).toEqual([]);
  });
});
