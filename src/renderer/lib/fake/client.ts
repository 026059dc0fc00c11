// An embedded client of the fake lab. Like MQTT.js it keeps unacknowledged QoS 1/2 messages for its session
// and resends them with DUP=1 only after reconnecting, never on the same connection.
import type { WireMessage } from '../../../shared/api.js';
import type { ClientOptions, ClientState, ClientSummary, ConnackResult, SubscribeGrant } from '../../../shared/lab.js';
import type { MqttVersion } from '../../../shared/packet.js';
import { toHex, type FakePacket } from './encode.js';
import type { FakeConn, World } from './world.js';

const enc = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

type Inflight = Extract<FakePacket, { type: 'PUBLISH' }> & { stage: 'publish' | 'pubrel' };

export class FakeClient {
  state: ClientState = 'created';
  since: number;
  conn: FakeConn | null = null;
  messages: WireMessage[] = [];
  inflight = new Map<number, Inflight>();
  sessionPresent?: boolean;
  lastError?: string;
  #nextId = 0;
  #waitConnack: ((r: ConnackResult) => void) | null = null;
  #waitSuback = new Map<number, (codes: number[]) => void>();

  constructor(
    readonly id: string,
    readonly options: ClientOptions,
    private readonly world: World,
    private readonly openConn: (client: FakeClient) => FakeConn,
  ) {
    this.since = world.now();
  }

  get clientId(): string {
    return this.options.clientId ?? this.id;
  }

  get version(): MqttVersion {
    return this.options.protocolVersion ?? 4;
  }

  summary(): ClientSummary {
    const s: ClientSummary = {
      id: this.id, clientId: this.clientId, state: this.state, protocolVersion: this.version,
      clean: this.options.clean ?? true, keepalive: this.options.keepalive ?? 60, hasWill: !!this.options.will,
      since: this.since, received: this.messages.length, inflight: this.inflight.size,
    };
    if (this.options.username !== undefined) s.username = this.options.username;
    if (this.options.sessionExpiryInterval !== undefined) s.sessionExpiryInterval = this.options.sessionExpiryInterval;
    if (this.sessionPresent !== undefined) s.sessionPresent = this.sessionPresent;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  connect(): Promise<ConnackResult> {
    if (this.conn) this.world.endConn(this.conn, 'client-closed');
    this.#setState('connecting');
    this.conn = this.openConn(this);
    const o = this.options;
    const p: Extract<FakePacket, { type: 'CONNECT' }> = {
      type: 'CONNECT', clientId: this.clientId, version: this.version, clean: o.clean ?? true, keepalive: o.keepalive ?? 60,
    };
    if (o.username !== undefined) p.username = o.username;
    if (typeof o.password === 'string') p.password = o.password;
    if (o.will) {
      p.will = {
        topic: o.will.topic, payload: typeof o.will.payload === 'string' ? o.will.payload : new TextDecoder().decode(o.will.payload),
        qos: o.will.qos ?? 0, retain: o.will.retain ?? false,
      };
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waitConnack = null;
        this.lastError = 'No CONNACK within 5 s';
        this.#setState('error');
        reject(new Error(this.lastError));
      }, o.connectTimeoutMs ?? 5000);
      this.#waitConnack = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.world.transmit(this.conn!, 'toBroker', p);
    });
  }

  publish(topic: string, payload: string | Uint8Array, qos: number, retain: boolean): number | undefined {
    if (!this.conn || this.state !== 'connected') throw new Error(`${this.id} is not connected`);
    const bytes = typeof payload === 'string' ? enc.encode(payload) : payload;
    const p: Inflight = { type: 'PUBLISH', topic, payload: bytes, qos, retain, dup: false, stage: 'publish' };
    if (qos > 0) {
      p.packetId = this.#allocId();
      this.inflight.set(p.packetId, p);
    }
    this.world.transmit(this.conn, 'toBroker', strip(p));
    this.#changed();
    return p.packetId;
  }

  subscribe(subs: Array<{ filter: string; qos: number }>): Promise<SubscribeGrant[]> {
    if (!this.conn || this.state !== 'connected') return Promise.reject(new Error(`${this.id} is not connected`));
    const packetId = this.#allocId();
    return new Promise((resolve) => {
      this.#waitSuback.set(packetId, (codes) => resolve(subs.map((s, i) => ({ filter: s.filter, code: codes[i] ?? 0x80 }))));
      this.world.transmit(this.conn!, 'toBroker', { type: 'SUBSCRIBE', packetId, subs });
    });
  }

  unsubscribe(filters: string[]): void {
    if (!this.conn || this.state !== 'connected') throw new Error(`${this.id} is not connected`);
    this.world.transmit(this.conn, 'toBroker', { type: 'UNSUBSCRIBE', packetId: this.#allocId(), filters });
  }

  disconnect(): void {
    if (!this.conn) return;
    this.world.transmit(this.conn, 'toBroker', { type: 'DISCONNECT' });
    this.world.endConn(this.conn, 'disconnect');
    this.conn = null;
    this.#setState('disconnected');
  }

  kill(): void {
    if (this.conn) this.world.endConn(this.conn, 'client-closed');
    this.conn = null;
    this.#setState('killed');
  }

  /** The connection went away under the client (severed by the tap, or taken over). */
  lost(end: string): void {
    this.conn = null;
    if (this.state === 'connected' || this.state === 'connecting') {
      this.lastError = `connection ${end}`;
      this.#setState('disconnected');
    }
  }

  receive(p: FakePacket): void {
    const conn = this.conn;
    if (!conn) return;
    const send = (q: FakePacket): void => this.world.transmit(conn, 'toBroker', q);
    switch (p.type) {
      case 'CONNACK': {
        this.sessionPresent = p.sessionPresent;
        if (!p.sessionPresent) this.inflight.clear();
        this.#setState('connected');
        this.#waitConnack?.({ sessionPresent: p.sessionPresent, reasonCode: p.code });
        this.#waitConnack = null;
        // What the lessons show: unacknowledged messages go again, flagged DUP, on the new connection.
        for (const m of this.inflight.values()) {
          if (m.stage === 'publish') send(strip({ ...m, dup: true }));
          else send({ type: 'PUBREL', packetId: m.packetId! });
        }
        break;
      }
      case 'PUBLISH': {
        const msg: WireMessage = {
          time: this.world.now(), topic: p.topic, payload: toHex(p.payload), qos: p.qos, retain: p.retain, dup: p.dup,
        };
        try {
          msg.text = strict.decode(p.payload);
        } catch {
          // binary payload: hex only
        }
        this.messages.push(msg);
        this.world.emit('message', { id: this.id, message: msg });
        if (p.qos === 1) send({ type: 'PUBACK', packetId: p.packetId ?? 0 });
        if (p.qos === 2) send({ type: 'PUBREC', packetId: p.packetId ?? 0 });
        this.#changed();
        break;
      }
      case 'PUBREL':
        send({ type: 'PUBCOMP', packetId: p.packetId });
        break;
      case 'PUBACK': case 'PUBCOMP':
        this.inflight.delete(p.packetId);
        this.#changed();
        break;
      case 'PUBREC': {
        const m = this.inflight.get(p.packetId);
        if (m) m.stage = 'pubrel';
        send({ type: 'PUBREL', packetId: p.packetId });
        break;
      }
      case 'SUBACK':
        this.#waitSuback.get(p.packetId)?.(p.codes);
        this.#waitSuback.delete(p.packetId);
        break;
      default:
        break;
    }
  }

  #allocId(): number {
    do this.#nextId = (this.#nextId % 65535) + 1;
    while (this.inflight.has(this.#nextId));
    return this.#nextId;
  }

  #setState(s: ClientState): void {
    this.state = s;
    this.since = this.world.now();
    this.#changed();
  }

  #changed(): void {
    this.world.emit('client', this.summary());
  }
}

function strip(p: Inflight): FakePacket {
  const { stage: _stage, ...rest } = p;
  return rest;
}
