// One embedded client: an mqtt.js client driven step by step, with its session kept across connections.
//
// The same MqttClient is reused for every connection of a lab client (mqtt.js' own reconnect() path), so
// the callback of a QoS 1/2 publish cut off by a severed connection still fires when the re-sent PUBLISH is
// acknowledged on the next connection. The session store (session-store.ts) re-sends with DUP=1.
import mqtt, { type IClientSubscribeOptions, type ISubscriptionMap, type MqttClient } from 'mqtt';
import mqttPacket, { type IConnackPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import type {
  ClientState, ClientSummary, ConnackResult, PublishRequest, PublishResult, QoS, ReceivedMessage, SubscribeGrant,
  SubscribeRequest, Transport, UserProperties,
} from '../../shared/lab.js';
import {
  fromPublishProperties, toBuffer, toMqttOptions, toPublishOptions, type NormalizedOptions, type Target,
} from './mqtt-options.js';
import { connackRefusal } from './reason-codes.js';
import { SessionStore } from './session-store.js';

export interface ClientHooks {
  state(summary: ClientSummary): void;
  message(id: string, message: ReceivedMessage): void;
  error(id: string, message: string): void;
}

/** A refused CONNECT, PUBLISH or SUBSCRIBE; `reasonCode` is what the broker said. */
export class RefusedError extends Error {
  constructor(message: string, readonly reasonCode: number) {
    super(message);
    this.name = 'RefusedError';
  }
}

export interface DisconnectOptions {
  /** MQTT 5 only; e.g. 0x04 "disconnect with will message". Default 0. */
  reasonCode?: number;
  properties?: { sessionExpiryInterval?: number; reasonString?: string; userProperties?: UserProperties };
}

type Ending = 'disconnect' | 'kill' | 'remove';

interface Attempt {
  resolve(result: ConnackResult): void;
  reject(error: Error): void;
}

/** How long a graceful close may take before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 2000;

export class ManagedClient {
  private client: MqttClient | undefined;
  private current: ClientState = 'created';
  private since = now();
  private lastError: string | undefined;
  private sessionPresent: boolean | undefined;
  private readonly received: ReceivedMessage[] = [];
  private receivedCount = 0;
  private readonly incoming = new SessionStore();
  private readonly outgoing = new SessionStore();
  /** Rejecters of publishes still waiting for their QoS flow to complete. */
  private readonly pending = new Set<(error: Error) => void>();
  private ending: Ending | undefined;
  private attempt: Attempt | undefined;
  private open = false;
  private closeWaiters: Array<() => void> = [];

  constructor(
    readonly id: string,
    private readonly options: NormalizedOptions,
    private target: Target,
    private readonly hooks: ClientHooks,
    private readonly maxMessages: number,
  ) {}

  get state(): ClientState {
    return this.current;
  }

  summary(): ClientSummary {
    const raw = this.options.raw;
    const s: ClientSummary = {
      id: this.id,
      clientId: this.options.clientId,
      state: this.current,
      protocolVersion: this.options.protocolVersion,
      clean: this.options.clean,
      keepalive: this.options.keepalive,
      hasWill: raw.will !== undefined,
      since: this.since,
      received: this.receivedCount,
      inflight: this.outgoing.size,
    };
    if (raw.username !== undefined) s.username = raw.username;
    if (raw.sessionExpiryInterval !== undefined) s.sessionExpiryInterval = raw.sessionExpiryInterval;
    if (this.sessionPresent !== undefined) s.sessionPresent = this.sessionPresent;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  messages(): ReceivedMessage[] {
    return [...this.received];
  }

  clearMessages(): void {
    this.received.length = 0;
  }

  /** Where the next first connect goes (a TLS or WebSocket client learns its port when it first connects). */
  retarget(target: Target): void {
    this.target = target;
  }

  get transport(): Transport {
    return this.options.raw.transport ?? 'tcp';
  }

  /** Whether the MqttClient exists already (later connects reuse it, and its target). */
  get started(): boolean {
    return this.client !== undefined;
  }

  /** Opens a new TCP connection and sends CONNECT; resolves on a CONNACK that accepts. */
  async connect(): Promise<ConnackResult> {
    if (this.current === 'connecting' || this.current === 'connected') {
      throw new Error(`client '${this.id}' is already ${this.current}`);
    }
    if (this.open) await this.closed();
    // Clean session / clean start: the client discards its session state too [MQTT-3.1.2-6] (5: MQTT-3.1.2-4).
    if (this.options.clean) this.discardSession();
    this.ending = undefined;
    this.lastError = undefined;
    this.sessionPresent = undefined;
    this.setState('connecting');
    const result = new Promise<ConnackResult>((resolve, reject) => {
      this.attempt = { resolve, reject };
    });
    this.open = true;
    try {
      if (this.client === undefined) {
        this.client = mqtt.connect(toMqttOptions(this.options, this.target, { incoming: this.incoming, outgoing: this.outgoing }));
        this.wire(this.client);
        this.client.connect();
      } else {
        this.client.reconnect({ incomingStore: this.incoming, outgoingStore: this.outgoing });
      }
    } catch (err) {
      // mqtt.js validates some options itself (e.g. an empty client id with clean = false).
      this.open = false;
      this.attempt = undefined;
      this.lastError = (err as Error).message;
      this.setState('error');
      throw err;
    }
    return result;
  }

  async publish(req: PublishRequest): Promise<PublishResult> {
    const client = this.requireConnected('publish');
    const qos: QoS = req.qos ?? 0;
    if (![0, 1, 2].includes(qos)) throw new Error(`qos must be 0, 1 or 2, not ${String(qos)}`);
    const opts = toPublishOptions(qos, req.retain ?? false, req.properties, this.options.protocolVersion);
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => {
        this.pending.delete(fail);
        reject(error);
      };
      this.pending.add(fail);
      client.publish(req.topic, toBuffer(req.payload), opts, (err, packet) => {
        if (!this.pending.delete(fail)) return; // already rejected: connection lost, session discarded
        if (err !== undefined && err !== null) {
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'number') reject(new RefusedError(`publish to '${req.topic}' refused: ${err.message} (0x${code.toString(16)})`, code));
          else reject(new Error(`publish to '${req.topic}' failed: ${err.message}`));
          return;
        }
        const ack = packet as (Packet & { reasonCode?: number }) | undefined;
        const result: PublishResult = {};
        if (ack?.messageId !== undefined) result.messageId = ack.messageId;
        // A v5 PUBACK/PUBCOMP of remaining length 2 leaves out reason code 0 (MQTT 5 §3.4.2.1).
        if (ack !== undefined && this.options.protocolVersion === 5) result.reasonCode = ack.reasonCode ?? 0;
        resolve(result);
      });
    });
  }

  async subscribe(reqs: SubscribeRequest[], properties?: { subscriptionIdentifier?: number; userProperties?: UserProperties }): Promise<SubscribeGrant[]> {
    const client = this.requireConnected('subscribe');
    const v5 = this.options.protocolVersion === 5;
    if (reqs.length === 0) throw new Error('subscribe needs at least one filter');
    const map: ISubscriptionMap = {};
    for (const r of reqs) {
      if (Object.hasOwn(map, r.filter)) throw new Error(`filter '${r.filter}' appears twice in one SUBSCRIBE`);
      if (!v5 && (r.nl !== undefined || r.rap !== undefined || r.rh !== undefined)) {
        throw new Error('no local, retain as published and retain handling are MQTT 5 subscription options');
      }
      const o: IClientSubscribeOptions = { qos: r.qos ?? 0 };
      if (r.nl !== undefined) o.nl = r.nl;
      if (r.rap !== undefined) o.rap = r.rap;
      if (r.rh !== undefined) o.rh = r.rh;
      map[r.filter] = o;
    }
    if (properties !== undefined && !v5) throw new Error('SUBSCRIBE properties are MQTT 5 only');
    return new Promise((resolve, reject) => {
      client.subscribe(map, { qos: 0, ...(properties === undefined ? {} : { properties }) }, (err, _granted, packet) => {
        const codes = packet?.granted;
        if (codes !== undefined && codes.length === reqs.length) {
          // A refused filter is an answer, not a failure: the SUBACK carries its code.
          resolve(reqs.map((r, i) => ({ filter: r.filter, code: Number(codes[i]) })));
        } else {
          reject(new Error(`subscribe failed: ${err?.message ?? 'no SUBACK'}`));
        }
      });
    });
  }

  /** Resolves with the UNSUBACK reason codes (MQTT 5), or [] (3.1.1 UNSUBACK has none). */
  async unsubscribe(filters: string[], properties?: { userProperties?: UserProperties }): Promise<number[]> {
    const client = this.requireConnected('unsubscribe');
    if (filters.length === 0) throw new Error('unsubscribe needs at least one filter');
    if (properties !== undefined && this.options.protocolVersion !== 5) throw new Error('UNSUBSCRIBE properties are MQTT 5 only');
    return new Promise((resolve, reject) => {
      client.unsubscribe(filters, properties === undefined ? {} : { properties }, (err, packet) => {
        if (err !== undefined && err !== null) return reject(new Error(`unsubscribe failed: ${err.message}`));
        const codes = (packet as { granted?: unknown } | undefined)?.granted;
        resolve(Array.isArray(codes) ? codes.map(Number) : []);
      });
    });
  }

  /**
   * Sends DISCONNECT and closes the connection, so the broker discards the will [MQTT-3.14.4-3]. Written
   * directly rather than through mqtt.js' end(), which waits for every in-flight message to be acknowledged
   * first: a lesson that dropped a PUBACK must still be able to disconnect at once.
   */
  async disconnect(opts: DisconnectOptions = {}): Promise<void> {
    const client = this.requireConnected('disconnect');
    const v5 = this.options.protocolVersion === 5;
    if (!v5 && (opts.reasonCode !== undefined || opts.properties !== undefined)) throw new Error('DISCONNECT reason codes and properties are MQTT 5 only');
    this.ending = 'disconnect';
    const packet = v5 ? { cmd: 'disconnect' as const, reasonCode: opts.reasonCode ?? 0, properties: opts.properties } : { cmd: 'disconnect' as const };
    const bytes = mqttPacket.generate(packet, { protocolVersion: this.options.protocolVersion });
    const closed = this.closed();
    // After DISCONNECT the client closes the network connection [MQTT-3.14.4-1].
    client.stream.end(bytes);
    await this.closedWithin(closed, CLOSE_GRACE_MS);
  }

  /** Ends the connection without DISCONNECT, like a crash or a pulled cable: the broker publishes the will. */
  async kill(): Promise<void> {
    if (!this.open || this.client === undefined) throw new Error(`client '${this.id}' is not connected (state: ${this.current})`);
    this.ending = 'kill';
    const closed = this.closed();
    this.client.stream.destroy();
    await closed;
  }

  /** Closes (gracefully when connected) and releases everything; pending operations are rejected. */
  async dispose(): Promise<void> {
    for (const fail of [...this.pending]) fail(new Error(`client '${this.id}' was removed`));
    if (this.current === 'connected') {
      await this.disconnect().catch(() => undefined);
    }
    if (this.open && this.client !== undefined) {
      this.ending = 'remove';
      const closed = this.closed();
      this.client.stream.destroy();
      await closed;
    }
    const client = this.client;
    if (client !== undefined) await new Promise<void>((resolve) => client.end(true, () => resolve()));
    this.discardSession();
  }

  private requireConnected(what: string): MqttClient {
    if (this.current !== 'connected' || this.client === undefined) {
      throw new Error(`cannot ${what}: client '${this.id}' is not connected (state: ${this.current})`);
    }
    return this.client;
  }

  private wire(client: MqttClient): void {
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'connack') this.onConnack(packet);
    });
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
    client.on('error', (err) => this.onError(err));
    client.on('close', () => this.onClose());
  }

  private onConnack(packet: IConnackPacket): void {
    const attempt = this.attempt;
    if (attempt === undefined) return; // a second CONNACK; mqtt.js reports the protocol error itself
    this.attempt = undefined;
    const code = packet.reasonCode ?? packet.returnCode ?? 0;
    if (code === 0) {
      this.sessionPresent = packet.sessionPresent;
      this.setState('connected');
      const result: ConnackResult = { sessionPresent: packet.sessionPresent, reasonCode: 0 };
      if (packet.properties !== undefined) result.properties = { ...packet.properties };
      attempt.resolve(result);
    } else {
      this.lastError = connackRefusal(code);
      this.setState('error');
      attempt.reject(new RefusedError(this.lastError, code));
    }
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const m: ReceivedMessage = {
      time: now(),
      topic,
      payload,
      qos: packet.qos,
      retain: packet.retain,
      dup: packet.dup,
    };
    if (packet.messageId !== undefined) m.messageId = packet.messageId;
    const props = fromPublishProperties(packet.properties);
    if (props !== undefined) m.properties = props;
    if (this.received.length >= this.maxMessages) this.received.shift();
    this.received.push(m);
    this.receivedCount++;
    this.hooks.message(this.id, m);
  }

  private onError(err: Error): void {
    const code = (err as { code?: unknown }).code;
    // A refused CONNACK was already reported, in clearer words, by onConnack.
    if (typeof code === 'number' && this.current === 'error') return;
    const message = this.describe(err);
    this.lastError = message;
    this.hooks.error(this.id, message);
    const attempt = this.attempt;
    if (attempt !== undefined) {
      this.attempt = undefined;
      this.setState('error');
      attempt.reject(new Error(message));
    }
  }

  private describe(err: Error): string {
    const code = (err as { code?: unknown }).code;
    const where = `${this.target.host}:${this.target.port}`;
    if (code === 'ECONNREFUSED') return `cannot connect to ${where}: connection refused`;
    if (err.message === 'connack timeout') return `no CONNACK from ${where} within ${this.options.connectTimeoutMs} ms`;
    return err.message;
  }

  private onClose(): void {
    if (!this.open) return;
    this.open = false;
    const attempt = this.attempt;
    this.attempt = undefined;
    if (attempt !== undefined) {
      const why = this.ending === 'kill' ? 'killed before CONNACK' : (this.lastError ?? 'connection closed before CONNACK');
      this.lastError = why;
      this.setState(this.ending === 'kill' ? 'killed' : 'error');
      attempt.reject(new Error(why));
    } else if (this.ending === 'kill') {
      this.setState('killed');
    } else if (this.ending === 'disconnect' || this.ending === 'remove') {
      this.setState('disconnected');
    } else if (this.current !== 'error') {
      this.lastError ??= 'connection closed by the broker or the network';
      this.setState('disconnected');
    }
    // Without a persistent session the unacknowledged messages are gone; nothing will complete them.
    if (this.options.clean) {
      for (const fail of [...this.pending]) {
        fail(new Error('connection closed before the QoS flow completed; clean session, so the message is discarded'));
      }
    }
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }

  private closed(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  private async closedWithin(closed: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    });
    const outcome = await Promise.race([closed.then(() => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.client?.stream.destroy();
      await closed;
    }
  }

  private discardSession(): void {
    const client = this.client;
    if (client !== undefined) {
      // Forget the callbacks too, or mqtt.js would wait for acknowledgements that can no longer come.
      for (const messageId of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(messageId));
    }
    this.outgoing.clear();
    this.incoming.clear();
  }

  private setState(state: ClientState): void {
    this.current = state;
    this.since = now();
    this.hooks.state(this.summary());
  }
}

function now(): number {
  return performance.timeOrigin + performance.now();
}
