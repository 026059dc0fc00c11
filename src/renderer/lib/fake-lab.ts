// An in-page Lab for demos and UI tests (`?fake=1`): a small simulated broker, embedded clients and tap
// behind the same LabApi the real server speaks, so every view can be developed and shown without it.
// URL options: demo=0 (no scripted story), live=0 (no periodic telemetry), preload=N (N packets in the
// capture at start), burst=R&seconds=S (R packets/s for S seconds, for the bench).
import type { CommandName, EventName, LabEvents, LabStatus, ParamsOf, ResultOf } from '../../shared/api.js';
import type { ClientSummary, Connection, ConnectionEnd, Direction } from '../../shared/lab.js';
import { FakeBroker } from './fake/broker.js';
import { lowerBoundSeq } from './seq-search.js';
import { FakeClient } from './fake/client.js';
import { encodePacket, toHex, type FakePacket } from './fake/encode.js';
import { runDemo, startTelemetry } from './fake/scenario.js';
import { FakeTap } from './fake/tap.js';
import type { FakeConn, World } from './fake/world.js';
import type { LinkStatus, LinkedLabApi } from './transport-ws.js';

export class FakeLab implements LinkedLabApi, World {
  readonly status: LinkStatus = { state: 'open', generation: 1 };
  readonly tap: FakeTap;
  readonly broker: FakeBroker;
  readonly clients = new Map<string, FakeClient>();
  readonly conns = new Map<number, FakeConn>();
  #listeners = new Map<string, Set<(d: unknown) => void>>();
  #connId = 0;
  #port = 50000;
  #timers: Array<() => void> = [];

  constructor() {
    this.broker = new FakeBroker(this);
    this.tap = new FakeTap(this, (conn, dir, p) => this.#deliver(conn, dir, p), (conn) => this.endConn(conn, 'severed'));
  }

  now(): number {
    return performance.timeOrigin + performance.now();
  }

  emit<E extends EventName>(event: E, data: LabEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of set) l(data);
  }

  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = listener as (d: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onStatus(): () => void {
    return () => {};
  }

  close(): void {
    this.stop();
  }

  endConn(conn: FakeConn, end: ConnectionEnd): void {
    if (conn.info.state === 'closed') return;
    conn.info.state = 'closed';
    conn.info.ended = end;
    conn.info.endedAt = this.now();
    this.emit('connection', { ...conn.info });
    for (const c of this.clients.values()) if (c.conn === conn) c.lost(end);
    // Packets still held at the tap for a dead connection can never arrive.
    for (const w of [...this.tap.waiting]) if (w.rec.connId === conn.info.connId) this.tap.waiting.splice(this.tap.waiting.indexOf(w), 1);
    this.broker.onClosed(conn);
  }

  transmit(conn: FakeConn, direction: Direction, p: FakePacket): void {
    this.tap.transmit(conn, direction, p);
  }

  openConn(client: FakeClient | null, clientId?: string): FakeConn {
    const info: Connection = { connId: ++this.#connId, remote: `127.0.0.1:${++this.#port}`, state: 'open', since: this.now() };
    if (clientId) info.clientId = clientId;
    const conn: FakeConn = { info, version: client?.version ?? 4, nextBrokerId: 0, toClient: (p) => client?.receive(p) };
    this.conns.set(info.connId, conn);
    this.emit('connection', { ...info });
    return conn;
  }

  /** Stops timers started by the demo and the generators (tests call this between cases). */
  stop(): void {
    for (const t of this.#timers.splice(0)) t();
  }

  addTimer(cancel: () => void): void {
    this.#timers.push(cancel);
  }

  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    // Answers come in a later task, as they do over a socket, and as copies, as they do after JSON.
    const later = new Promise<void>((r) => setTimeout(r, 0));
    try {
      const result = Promise.resolve(this.#dispatch(method, params as never));
      return later.then(() => result).then((r) => structuredClone(r) as ResultOf<K>);
    } catch (e) {
      return later.then(() => Promise.reject(e instanceof Error ? e : new Error(String(e))));
    }
  }

  #client(id: string): FakeClient {
    const c = this.clients.get(id);
    if (!c) throw new Error(`No client '${id}'`);
    return c;
  }

  #dispatch(method: CommandName, p: unknown): unknown {
    const a = p as Record<string, unknown>;
    const id = a['id'] as string;
    switch (method) {
      case 'lab.status': {
        const pk = this.tap.packets;
        return {
          tap: { host: '127.0.0.1', port: 1883 },
          broker: { host: '127.0.0.1', port: 41883, kind: 'aedes', mqtt5: false },
          stepMode: this.tap.stepOn,
          waiting: this.tap.waiting.map((w) => w.rec.seq),
          packets: { count: pk.length, firstSeq: pk[0]?.seq ?? null, lastSeq: pk.at(-1)?.seq ?? null, capacity: this.tap.capacity },
        } satisfies LabStatus;
      }
      case 'packets.query': {
        const q = p as ParamsOf<'packets.query'>;
        let list = this.tap.packets;
        if (q.afterSeq !== undefined) list = list.slice(lowerBoundSeq(list, q.afterSeq + 1));
        if (q.type) list = list.filter((x) => x.decoded.type === q.type);
        if (q.connId !== undefined) list = list.filter((x) => x.connId === q.connId);
        return q.limit !== undefined ? list.slice(0, q.limit) : list;
      }
      case 'packets.get':
        return this.tap.packets[lowerBoundSeq(this.tap.packets, a['seq'] as number)] ?? null;
      case 'packets.clear':
        this.tap.packets = [];
        this.emit('cleared', null);
        return null;
      case 'clients.list':
        return [...this.clients.values()].map((c) => c.summary());
      case 'clients.create': {
        if (this.clients.has(id)) throw new Error(`A client '${id}' already exists`);
        const opts = (a['options'] ?? {}) as FakeClient['options'];
        const c = new FakeClient(id, opts, this, (cl) => this.openConn(cl));
        this.clients.set(id, c);
        const s: ClientSummary = c.summary();
        this.emit('client', s);
        return s;
      }
      case 'clients.connect': case 'clients.reconnect':
        return this.#client(id).connect();
      case 'clients.publish': {
        const q = p as ParamsOf<'clients.publish'>;
        const messageId = this.#client(id).publish(q.topic, q.payload, q.qos ?? 0, q.retain ?? false);
        return messageId === undefined ? {} : { messageId };
      }
      case 'clients.subscribe': {
        const q = p as ParamsOf<'clients.subscribe'>;
        return this.#client(id).subscribe(q.subscriptions.map((s) => ({ filter: s.filter, qos: s.qos ?? 0 })));
      }
      case 'clients.unsubscribe':
        this.#client(id).unsubscribe(a['filters'] as string[]);
        return null;
      case 'clients.disconnect':
        this.#client(id).disconnect();
        return null;
      case 'clients.kill':
        this.#client(id).kill();
        return null;
      case 'clients.remove':
        this.#client(id).kill();
        this.clients.delete(id);
        return null;
      case 'clients.messages':
        return this.#client(id).messages;
      case 'faults.list':
        return this.tap.listRules();
      case 'faults.add':
        return this.tap.addRule(p as ParamsOf<'faults.add'>);
      case 'faults.remove':
        this.tap.removeRule(id);
        return null;
      case 'faults.clear':
        this.tap.clearRules();
        return null;
      case 'step.set':
        this.tap.setStep(a['on'] as boolean);
        return null;
      case 'step.next':
        return this.tap.next();
      case 'step.release':
        return this.tap.release(a['seq'] as number);
      case 'step.releaseAll':
        return this.tap.releaseAll();
      case 'connections.list':
        return [...this.conns.values()].map((c) => ({ ...c.info }));
      // The demo's clients all speak plain TCP: no TLS records or WebSocket frames to show.
      case 'transport.units':
      case 'transport.forPacket':
        return [];
      case 'connections.sever': {
        const conn = this.conns.get(a['connId'] as number);
        if (!conn || conn.info.state === 'closed') return false;
        this.endConn(conn, 'severed');
        return true;
      }
      case 'capture.save': case 'capture.open':
        throw new Error('The demo lab cannot save or open captures');
    }
  }

  #deliver(conn: FakeConn, dir: Direction, p: FakePacket): void {
    if (conn.info.state === 'closed') return;
    if (dir === 'toBroker') this.broker.receive(conn, p);
    else conn.toClient(p);
  }

  /**
   * Adds `n` packets before the app loads, for the scroll bench: a realistic mix, precomputed once and
   * reused, made in slices so that generating them is not itself one long task.
   */
  async preload(n: number): Promise<void> {
    const conn = this.openConn(null, 'bench');
    const kinds: FakePacket[] = [];
    for (let i = 0; i < 16; i++) {
      const payload = new TextEncoder().encode(JSON.stringify({ temperature: 20 + (i % 7) / 2, n: i }));
      kinds.push({ type: 'PUBLISH', topic: `home/room${i % 4}/temp`, payload, qos: i % 3, retain: false, dup: false, packetId: i % 3 ? i + 1 : undefined } as FakePacket);
    }
    kinds.push({ type: 'PUBACK', packetId: 2 }, { type: 'PINGREQ' });
    const encoded = kinds.map((k) => {
      const { bytes, decoded } = encodePacket(k, 4);
      return { bytes: toHex(bytes), decoded };
    });
    const t0 = this.now() - n;
    for (let i = 0; i < n; i++) {
      const e = encoded[i % encoded.length]!;
      this.tap.record({ time: t0 + i, connId: conn.info.connId, clientId: 'bench', direction: i % 2 ? 'toClient' : 'toBroker', ...e });
      if (i % 10_000 === 9_999) await new Promise((r) => setTimeout(r, 0));
    }
  }

  /** `rate` packets per second for `seconds`, emitted as live events in 4 ms slices. */
  burst(rate: number, seconds: number): Promise<number> {
    const conn = this.openConn(null, 'burst');
    const variants = Array.from({ length: 32 }, (_, i) => {
      const payload = new TextEncoder().encode(JSON.stringify({ temperature: 18 + (i % 10) / 2 }));
      const { bytes, decoded } = encodePacket({ type: 'PUBLISH', topic: `burst/sensor${i % 8}`, payload, qos: 0, retain: false, dup: false }, 4);
      return { bytes: toHex(bytes), decoded };
    });
    const start = performance.now();
    let sent = 0;
    const total = Math.round(rate * seconds);
    return new Promise((resolve) => {
      const tick = (): void => {
        const due = Math.min(total, Math.round(((performance.now() - start) / 1000) * rate));
        for (; sent < due; sent++) {
          const v = variants[sent % variants.length]!;
          this.emit('packet', this.tap.record({ time: this.now(), connId: conn.info.connId, clientId: 'burst', direction: 'toBroker', ...v }));
        }
        if (sent >= total) resolve(sent);
        else setTimeout(tick, 4);
      };
      tick();
    });
  }
}


declare global {
  interface Window {
    /** The fake lab, for UI tests and the bench to drive directly (fake mode only). */
    __fakeLab?: FakeLab;
  }
}

export async function createFakeLab(params: URLSearchParams): Promise<FakeLab> {
  const lab = new FakeLab();
  window.__fakeLab = lab;
  const preload = Number(params.get('preload') ?? 0);
  if (preload > 0) await lab.preload(preload);
  if (params.get('demo') !== '0') void runDemo(lab);
  if (params.get('live') !== '0' && params.get('demo') !== '0') startTelemetry(lab);
  const burst = Number(params.get('burst') ?? 0);
  if (burst > 0) void lab.burst(burst, Number(params.get('seconds') ?? 10));
  return lab;
}
