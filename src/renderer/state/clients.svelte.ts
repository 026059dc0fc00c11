// Embedded clients: their summaries (kept current by `client` events) and the received messages of the
// one the panel shows.
import type { WireMessage } from '../../shared/api.js';
import type { ClientOptions, ClientSummary, QoS } from '../../shared/lab.js';
import type { LabStore } from './lab.svelte.js';

const MAX_MESSAGES = 2000;

export class ClientsStore {
  list = $state.raw<ClientSummary[]>([]);
  selectedId = $state<string | null>(null);
  messages = $state.raw<WireMessage[]>([]);
  /** Subscriptions made from this panel, per client (the API has no way to list a broker's). */
  subs = $state<Record<string, Array<{ filter: string; qos: number; code: number }>>>({});

  constructor(private readonly lab: LabStore) {}

  get selected(): ClientSummary | undefined {
    return this.list.find((c) => c.id === this.selectedId);
  }

  setAll(list: ClientSummary[]): void {
    this.list = list;
    if (this.selectedId && !list.some((c) => c.id === this.selectedId)) this.selectedId = null;
    if (this.selectedId) void this.loadMessages(this.selectedId);
  }

  upsert(s: ClientSummary): void {
    const i = this.list.findIndex((c) => c.id === s.id);
    // A new session (no session present) starts with no subscriptions at the broker.
    if (s.state === 'connected' && this.list[i]?.state !== 'connected' && s.sessionPresent === false && this.subs[s.id]) {
      delete this.subs[s.id];
    }
    this.list = i >= 0 ? this.list.with(i, s) : [...this.list, s];
  }

  onMessage(id: string, m: WireMessage): void {
    // Counts move with every message, between the Lab's own client events.
    const i = this.list.findIndex((c) => c.id === id);
    if (i >= 0) this.list = this.list.with(i, { ...this.list[i]!, received: this.list[i]!.received + 1 });
    if (id !== this.selectedId) return;
    const next = this.messages.length >= MAX_MESSAGES ? this.messages.slice(-MAX_MESSAGES + 1) : this.messages.slice();
    next.push(m);
    this.messages = next;
  }

  /** Re-reads every summary: in-flight counts change on acknowledgements, which raise no client event. */
  async refresh(): Promise<void> {
    try {
      const list = await this.lab.api.call('clients.list', {});
      for (const c of list) this.upsert(c);
      this.list = this.list.filter((c) => list.some((x) => x.id === c.id));
    } catch {
      // the link is down; the next resync brings the list
    }
  }

  /** Refreshes shortly after an action, when its acknowledgements have had time to arrive. */
  #settle(): void {
    for (const ms of [250, 1200]) setTimeout(() => void this.refresh(), ms);
  }

  async select(id: string | null): Promise<void> {
    this.selectedId = id;
    this.messages = [];
    if (id) await this.loadMessages(id);
  }

  async loadMessages(id: string): Promise<void> {
    const list = await this.lab.run('Loading messages', () => this.lab.api.call('clients.messages', { id }));
    if (list && this.selectedId === id) this.messages = list.slice(-MAX_MESSAGES);
  }

  async create(id: string, options: ClientOptions, connect: boolean): Promise<boolean> {
    const api = this.lab.api;
    const made = await this.lab.run(`Creating ${id}`, () => api.call('clients.create', { id, options }));
    if (!made) return false;
    this.upsert(made);
    this.selectedId = id;
    this.messages = [];
    if (connect) await this.connect(id);
    return true;
  }

  async connect(id: string): Promise<void> {
    const r = await this.lab.run(`Connecting ${id}`, () => this.lab.api.call('clients.connect', { id }));
    if (r && r.reasonCode !== 0) this.lab.notices.push(`${id}: the broker refused the connection (reason code ${r.reasonCode})`, 'error');
  }

  async reconnect(id: string): Promise<void> {
    const r = await this.lab.run(`Reconnecting ${id}`, () => this.lab.api.call('clients.reconnect', { id }));
    this.#settle();
    if (r && r.reasonCode !== 0) this.lab.notices.push(`${id}: the broker refused the connection (reason code ${r.reasonCode})`, 'error');
  }

  async publish(id: string, topic: string, payload: string, qos: QoS, retain: boolean): Promise<void> {
    await this.lab.run(`Publishing from ${id}`, () => this.lab.api.call('clients.publish', { id, topic, payload, qos, retain }));
    this.#settle();
  }

  async subscribe(id: string, filter: string, qos: QoS): Promise<void> {
    const g = await this.lab.run(`Subscribing ${id}`, () => this.lab.api.call('clients.subscribe', { id, subscriptions: [{ filter, qos }] }));
    if (g) {
      const kept = (this.subs[id] ?? []).filter((s) => !g.some((x) => x.filter === s.filter));
      this.subs[id] = [...kept, ...g.filter((x) => x.code < 0x80).map((x) => ({ filter: x.filter, qos, code: x.code }))];
    }
    const bad = g?.find((x) => x.code >= 0x80);
    if (bad) this.lab.notices.push(`${id}: the broker refused the subscription to ${bad.filter} (code 0x${bad.code.toString(16)})`, 'error');
  }

  async unsubscribe(id: string, filter: string): Promise<void> {
    const ok = await this.lab.run(`Unsubscribing ${id}`, () => this.lab.api.call('clients.unsubscribe', { id, filters: [filter] }));
    if (ok === null) this.subs[id] = (this.subs[id] ?? []).filter((s) => s.filter !== filter);
  }

  async disconnect(id: string): Promise<void> {
    await this.lab.run(`Disconnecting ${id}`, () => this.lab.api.call('clients.disconnect', { id }));
    this.#settle();
  }

  async kill(id: string): Promise<void> {
    await this.lab.run(`Killing ${id}`, () => this.lab.api.call('clients.kill', { id }));
    this.#settle();
  }

  async remove(id: string): Promise<void> {
    const ok = await this.lab.run(`Removing ${id}`, () => this.lab.api.call('clients.remove', { id }));
    if (ok === null) {
      this.list = this.list.filter((c) => c.id !== id);
      if (this.selectedId === id) await this.select(null);
    }
  }
}
