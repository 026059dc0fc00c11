// The fake lab's broker: sessions, subscriptions, retained messages, QoS handshakes and wills, with the
// MQTT 3.1.1 behaviours the lessons show (queued messages for persistent sessions, no retransmission on the
// same connection, wills only on an ungraceful end).
import type { FakePacket } from './encode.js';
import { topicMatches, type FakeConn, type World } from './world.js';

interface Session {
  clientId: string;
  clean: boolean;
  subs: Map<string, number>;
  conn: FakeConn | null;
  /** QoS ≥ 1 messages that arrived while a persistent session's client was away. */
  queue: Array<{ topic: string; payload: Uint8Array; qos: number }>;
  /** QoS 2 packet ids received and not yet released, so a DUP PUBLISH is not routed twice. */
  q2Received: Set<number>;
}

const enc = new TextEncoder();

export class FakeBroker {
  sessions = new Map<string, Session>();
  retained = new Map<string, { payload: Uint8Array; qos: number }>();

  constructor(private readonly world: World) {}

  receive(conn: FakeConn, p: FakePacket): void {
    const send = (q: FakePacket): void => this.world.transmit(conn, 'toClient', q);
    const session = conn.info.clientId ? this.sessions.get(conn.info.clientId) : undefined;
    switch (p.type) {
      case 'CONNECT': {
        conn.info.clientId = p.clientId;
        conn.info.version = p.version;
        conn.info.state = 'connected';
        conn.version = p.version;
        if (p.will) conn.will = p.will;
        let s = this.sessions.get(p.clientId);
        // A second connection with the same client id takes the session over; the old one is closed.
        if (s?.conn && s.conn !== conn) this.world.endConn(s.conn, 'broker-closed');
        const present = !!s && !p.clean && !s.clean;
        if (!present) {
          s = { clientId: p.clientId, clean: p.clean, subs: new Map(), conn, queue: [], q2Received: new Set() };
          this.sessions.set(p.clientId, s);
        }
        s!.conn = conn;
        s!.clean = p.clean;
        send({ type: 'CONNACK', sessionPresent: present, code: 0 });
        this.world.emit('connection', { ...conn.info });
        this.world.emit('broker', { kind: 'client-connected', time: this.world.now(), clientId: p.clientId });
        const queued = s!.queue.splice(0);
        for (const m of queued) this.#deliver(s!, m.topic, m.payload, m.qos, false);
        break;
      }
      case 'PUBLISH': {
        if (p.qos === 1) send({ type: 'PUBACK', packetId: p.packetId ?? 0 });
        if (p.qos === 2) {
          send({ type: 'PUBREC', packetId: p.packetId ?? 0 });
          if (session?.q2Received.has(p.packetId ?? 0)) break;
          session?.q2Received.add(p.packetId ?? 0);
        }
        this.route(p.topic, p.payload, p.qos, p.retain);
        break;
      }
      case 'PUBREL':
        session?.q2Received.delete(p.packetId);
        send({ type: 'PUBCOMP', packetId: p.packetId });
        break;
      case 'PUBREC':
        send({ type: 'PUBREL', packetId: p.packetId });
        break;
      case 'SUBSCRIBE': {
        for (const s of p.subs) session?.subs.set(s.filter, s.qos);
        send({ type: 'SUBACK', packetId: p.packetId, codes: p.subs.map((s) => Math.min(s.qos, 2)) });
        if (!session) break;
        for (const [topic, m] of this.retained) {
          const q = p.subs.find((s) => topicMatches(s.filter, topic))?.qos;
          if (q !== undefined) this.#deliver(session, topic, m.payload, Math.min(q, m.qos), true);
        }
        break;
      }
      case 'UNSUBSCRIBE':
        for (const f of p.filters) session?.subs.delete(f);
        send({ type: 'UNSUBACK', packetId: p.packetId });
        break;
      case 'PINGREQ':
        send({ type: 'PINGRESP' });
        break;
      case 'DISCONNECT':
        delete conn.will;
        this.world.endConn(conn, 'disconnect');
        break;
      default:
        break;
    }
  }

  route(topic: string, payload: Uint8Array, qos: number, retain: boolean): void {
    if (retain) {
      if (payload.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, { payload, qos });
    }
    for (const s of this.sessions.values()) {
      let best = -1;
      for (const [f, q] of s.subs) if (topicMatches(f, topic)) best = Math.max(best, q);
      if (best < 0) continue;
      const q = Math.min(best, qos);
      if (s.conn) this.#deliver(s, topic, payload, q, false);
      else if (!s.clean && q > 0) s.queue.push({ topic, payload, qos: q });
    }
  }

  /** Called by the world when a connection ends, however it ended. */
  onClosed(conn: FakeConn): void {
    const id = conn.info.clientId;
    const s = id ? this.sessions.get(id) : undefined;
    if (s && s.conn === conn) {
      s.conn = null;
      if (s.clean) this.sessions.delete(s.clientId);
    }
    if (id) this.world.emit('broker', { kind: 'client-disconnected', time: this.world.now(), clientId: id });
    const will = conn.will;
    if (will && id) {
      delete conn.will;
      this.world.emit('broker', { kind: 'will-published', time: this.world.now(), clientId: id, topic: will.topic, qos: will.qos, retain: will.retain });
      this.route(will.topic, enc.encode(will.payload), will.qos, will.retain);
    }
  }

  #deliver(s: Session, topic: string, payload: Uint8Array, qos: number, retain: boolean): void {
    const conn = s.conn!;
    const packetId = qos > 0 ? (conn.nextBrokerId = (conn.nextBrokerId % 65535) + 1) : undefined;
    const p: FakePacket = { type: 'PUBLISH', topic, payload, qos, retain, dup: false };
    if (packetId !== undefined) p.packetId = packetId;
    this.world.transmit(conn, 'toClient', p);
  }
}
