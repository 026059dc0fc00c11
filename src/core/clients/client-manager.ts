// The lab's embedded clients, addressed by a name the lesson gives them. Every client connects to one address,
// the tap's, so its packets are captured like anyone else's.
import { EventEmitter } from 'node:events';
import type {
  ClientOptions, ClientSummary, ConnackResult, PublishRequest, PublishResult, ReceivedMessage, SubscribeGrant,
  SubscribeRequest, UserProperties,
} from '../../shared/lab.js';
import { ManagedClient, type DisconnectOptions } from './managed-client.js';
import { normalizeOptions, type Target, type TargetFor } from './mqtt-options.js';

/**
 * 'client-error' rather than 'error': an 'error' event nobody listens to would throw, and a client being
 * refused is an ordinary event in a lesson, not a crash of the lab.
 */
export interface ClientManagerEvents {
  'client-state': [summary: ClientSummary];
  message: [id: string, message: ReceivedMessage];
  'client-error': [id: string, message: string];
}

export interface ClientManagerOptions {
  /** Received messages kept per client (oldest dropped first). Default 1000. */
  maxMessages?: number;
  /** Where clients with a TLS or WebSocket transport connect; without it only TCP clients can connect. */
  targetFor?: TargetFor;
}

export class ClientManager extends EventEmitter<ClientManagerEvents> {
  private readonly clients = new Map<string, ManagedClient>();
  private readonly maxMessages: number;
  private readonly target: Target;

  /** `target` is where every client connects: the tap's address (in tests, the broker's). */
  constructor(target: Target, options: ClientManagerOptions = {}) {
    super();
    if (typeof target.host !== 'string' || !Number.isInteger(target.port)) throw new Error('the client target needs a host and a port');
    this.target = { host: target.host, port: target.port };
    this.maxMessages = options.maxMessages ?? 1000;
    this.targetFor = options.targetFor;
  }

  private readonly targetFor: TargetFor | undefined;

  /** A TLS or WebSocket client learns where to connect before its first connection. */
  private async aim(client: ManagedClient): Promise<void> {
    if (client.started || client.transport === 'tcp') return;
    if (this.targetFor === undefined) throw new Error(`client '${client.id}' asks for transport ${client.transport}, which this lab does not offer`);
    client.retarget(await this.targetFor(client.transport));
  }

  /** Registers a client; it does not connect until connect(id). */
  create(id: string, opts: ClientOptions = {}): ClientSummary {
    if (id === '') throw new Error('a client needs a name');
    if (this.clients.has(id)) throw new Error(`a client named '${id}' already exists`);
    const client = new ManagedClient(id, normalizeOptions(id, opts), this.target, {
      state: (summary) => this.emit('client-state', summary),
      message: (cid, m) => this.emit('message', cid, m),
      error: (cid, message) => this.emit('client-error', cid, message),
    }, this.maxMessages);
    this.clients.set(id, client);
    return client.summary();
  }

  has(id: string): boolean {
    return this.clients.has(id);
  }

  /** Resolves on CONNACK 0; rejects with the refusal in words, e.g. "refused: bad user name or password (4)". */
  async connect(id: string): Promise<ConnackResult> {
    const client = this.get(id);
    await this.aim(client);
    return client.connect();
  }

  /**
   * A new TCP connection with the same client id and options. With clean = false the session survives: the
   * client re-sends its unacknowledged PUBLISH (DUP=1) and PUBREL, and the broker its queued messages.
   */
  async reconnect(id: string): Promise<ConnackResult> {
    const client = this.get(id);
    if (client.state === 'created') throw new Error(`client '${id}' has never connected; use connect`);
    return client.connect();
  }

  /** Resolves when the QoS flow completes: written (0), PUBACK (1), PUBCOMP (2). */
  async publish(id: string, req: PublishRequest): Promise<PublishResult> {
    return this.get(id).publish(req);
  }

  /** Resolves with the SUBACK code per filter: the granted QoS, or a failure code (0x80 and up). */
  async subscribe(id: string, req: SubscribeRequest | SubscribeRequest[], properties?: { subscriptionIdentifier?: number; userProperties?: UserProperties }): Promise<SubscribeGrant[]> {
    return this.get(id).subscribe(Array.isArray(req) ? req : [req], properties);
  }

  async unsubscribe(id: string, filters: string | string[], properties?: { userProperties?: UserProperties }): Promise<number[]> {
    return this.get(id).unsubscribe(Array.isArray(filters) ? filters : [filters], properties);
  }

  async disconnect(id: string, opts?: DisconnectOptions): Promise<void> {
    return this.get(id).disconnect(opts);
  }

  async kill(id: string): Promise<void> {
    return this.get(id).kill();
  }

  summary(id: string): ClientSummary {
    return this.get(id).summary();
  }

  list(): ClientSummary[] {
    return [...this.clients.values()].map((c) => c.summary());
  }

  messages(id: string): ReceivedMessage[] {
    return this.get(id).messages();
  }

  clearMessages(id: string): void {
    this.get(id).clearMessages();
  }

  /** Disconnects (gracefully, if connected) and forgets the client and its session. */
  async remove(id: string): Promise<void> {
    const client = this.get(id);
    this.clients.delete(id);
    await client.dispose();
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.dispose()));
  }

  private get(id: string): ManagedClient {
    const client = this.clients.get(id);
    if (client === undefined) throw new Error(`no client named '${id}'`);
    return client;
  }
}
