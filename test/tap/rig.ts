// A broker behind a Tap, with everything the tap reports collected, and clients that are cleaned up
// with it. Each test builds its own rig and stops it in afterEach.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { vi } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createBroker } from '../../src/core/broker/index.js';
import type { BrokerHost } from '../../src/core/broker/index.js';
import { Tap, type TapOptions } from '../../src/core/tap/tap.js';
import { recordIssues } from '../../src/shared/record-issues.js';
import type { BrokerEvent, BrokerInfo, BrokerKind, Connection, Direction, PacketRecord } from '../../src/shared/lab.js';
import { rawMqtt, type RawMqtt } from '../peers/raw-mqtt.js';

export interface Rig {
  broker: BrokerHost;
  info: BrokerInfo;
  tap: Tap;
  /** The tap's port. */
  port: number;
  records: PacketRecord[];
  /** Every 'packet-update' (held or stepped packets being released). */
  updates: PacketRecord[];
  /** Every 'connection' event, in order. */
  connEvents: Connection[];
  brokerEvents: BrokerEvent[];
  /** Latest known state of a connection. */
  conn(connId: number): Connection | undefined;
  /** The connection a client id was learnt on (the latest one when the id reconnected). */
  connOf(clientId: string): Connection | undefined;
  /** mqtt.js through the tap; resolves once CONNACK arrived. */
  client(opts: IClientOptions): Promise<MqttClient>;
  /** mqtt.js straight to the broker, bypassing the tap. */
  direct(opts: IClientOptions): Promise<MqttClient>;
  /** A raw socket through the tap. */
  raw(): Promise<RawMqtt>;
  stop(): Promise<void>;
}

export interface RigOptions {
  kind?: BrokerKind;
  /** Only these users may connect (user name → password). */
  users?: Record<string, string>;
  tap?: Partial<TapOptions>;
  /** Keep every record in `records` (default). Load tests turn it off so that the records' bytes are not what they measure. */
  keep?: boolean;
  /**
   * false: aedes in this thread rather than its own (create-broker.ts), for a test that moves the broker's
   * keepalive timer on fake time: a worker thread's timers are its own.
   */
  brokerThread?: false;
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const broker = createBroker({ kind: opts.kind ?? 'aedes', users: opts.users, brokerThread: opts.brokerThread });
  const brokerEvents: BrokerEvent[] = [];
  broker.onEvent((e) => brokerEvents.push(e));
  const info = await broker.start();
  // As the Lab does: an embedded broker takes the tap's connections in process (connect), others by TCP.
  const tap = new Tap({ broker: { host: info.host, port: info.port, connect: broker.connect?.bind(broker) }, ...opts.tap });
  const records: PacketRecord[] = [];
  const updates: PacketRecord[] = [];
  const connEvents: Connection[] = [];
  const latest = new Map<number, Connection>();
  if (opts.keep !== false) tap.on('packet', (r) => records.push(r));
  tap.on('packet-update', (r) => updates.push({ ...r }));
  tap.on('connection', (c) => {
    connEvents.push(c);
    latest.set(c.connId, c);
  });
  let port: number;
  try {
    port = (await tap.start()).port;
  } catch (err) {
    await broker.stop();
    throw err;
  }
  const clients = new Set<MqttClient>();
  const raws = new Set<RawMqtt>();
  const open = async (host: string, p: number, opts: IClientOptions): Promise<MqttClient> => {
    const c = mqtt.connect({ host, port: p, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    clients.add(c);
    await new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('error', reject);
      c.once('close', () => reject(new Error(`client ${opts.clientId ?? ''} closed before CONNACK`)));
    });
    return c;
  };
  return {
    broker,
    info,
    tap,
    port,
    records,
    updates,
    connEvents,
    brokerEvents,
    conn: (id) => latest.get(id),
    connOf: (clientId) => [...latest.values()].filter((c) => c.clientId === clientId).at(-1),
    client: (opts) => open('127.0.0.1', port, opts),
    direct: (opts) => open(info.host, info.port, opts),
    async raw() {
      const r = await rawMqtt(port);
      raws.add(r);
      return r;
    },
    async stop() {
      for (const c of clients) c.end(true);
      for (const r of raws) r.socket.destroy();
      await tap.stop();
      await broker.stop();
    },
  };
}

/** Polls until `probe` returns something other than undefined/false; fails with `what` after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records of one connection, optionally one direction. */
export function of(records: PacketRecord[], connId: number, direction?: Direction): PacketRecord[] {
  return records.filter((r) => r.connId === connId && (direction === undefined || r.direction === direction));
}

/** `→CONNECT`, `←CONNACK`, …: a compact, readable picture of a conversation for assertions. */
export function arrows(records: PacketRecord[]): string[] {
  return records.map((r) => `${r.direction === 'toBroker' ? '→' : '←'}${r.decoded.type}`);
}

export function hasError(r: PacketRecord): boolean {
  return recordIssues(r).some((i) => i.severity === 'error');
}

/** Messages a client receives, collected from the moment of the call. */
export function inbox(c: MqttClient): Array<{ topic: string; payload: string; qos: number; dup: boolean; at: number }> {
  const got: Array<{ topic: string; payload: string; qos: number; dup: boolean; at: number }> = [];
  c.on('message', (topic, payload, packet) => {
    got.push({ topic, payload: payload.toString(), qos: packet.qos, dup: packet.dup, at: performance.now() });
  });
  return got;
}

/** A full garbage collection, so that memory figures show what is retained rather than what awaits collection. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * The broker's keepalive timer (aedes in this thread: startRig's brokerThread false), the tap's time (performance) and Date on
 * vitest's fake timers, moved by the test; sockets stay real. Undo with vi.useRealTimers().
 */
export function fakeTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
}

/** Writes to a raw client's socket (its send() paces itself with a timer, which fake time would stop). */
export function writeRaw(c: RawMqtt, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => c.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}

/** Waits on socket events only (no timer, so fake time stands still) until the tap has seen `id` close. */
export async function closedAtTap(rig: Rig, id: number): Promise<Connection> {
  for (let i = 0; i < 10_000 && rig.conn(id)?.state !== 'closed'; i++) await new Promise((r) => setImmediate(r));
  const c = rig.conn(id);
  if (c?.state !== 'closed') throw new Error(`connection ${id} did not close at the tap`);
  return c;
}

/** Lets socket events that are already due run, without moving fake time. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}
