// LabApi over the browser mode's WebSocket. The server is on the same origin as the page, and the per-run
// token that gates the API arrives in the page's own URL (`/?token=…`), so nothing is configured by hand.
import type { ClientFrame, CommandName, EventName, LabApi, LabEvents, ParamsOf, ResultOf, ServerFrame } from '../../shared/api.js';

export type LinkState = 'connecting' | 'open' | 'closed';

/** WebSocket.OPEN, spelled out so the module also loads where there is no global WebSocket (tests in Node). */
const OPEN = 1;

export interface LinkStatus {
  state: LinkState;
  /** Why the last socket closed, for the banner that says the lab went away. */
  reason?: string;
  /** Milliseconds until the next attempt while closed. */
  retryInMs?: number;
  /** Increments on each successful (re)open, so views know to resynchronise. */
  generation: number;
}

/** A LabApi that also reports the health of its link, so the UI can say "reconnecting…" and resync. */
export interface LinkedLabApi extends LabApi {
  readonly status: LinkStatus;
  onStatus(listener: (s: LinkStatus) => void): () => void;
  close(): void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  frame: string;
  sent: boolean;
}

export interface WsOptions {
  url: string;
  /** Backoff bounds for reconnecting; the delay doubles from min up to max. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests; defaults to the browser's WebSocket. */
  socketFactory?: (url: string) => WebSocket;
}

export function apiUrlFromLocation(loc: Location = location): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api?token=${encodeURIComponent(token)}`;
}

export class WsLabApi implements LinkedLabApi {
  #opts: Required<Omit<WsOptions, 'socketFactory'>> & Pick<WsOptions, 'socketFactory'>;
  #ws: WebSocket | null = null;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<(data: unknown) => void>>();
  #statusListeners = new Set<(s: LinkStatus) => void>();
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closedByUs = false;
  status: LinkStatus = { state: 'connecting', generation: 0 };

  constructor(opts: WsOptions) {
    this.#opts = { minDelayMs: 250, maxDelayMs: 5000, ...opts };
    this.#delay = this.#opts.minDelayMs;
    this.#open();
  }

  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    const id = this.#nextId++;
    const frame: ClientFrame = { kind: 'call', id, method, params };
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject, frame: JSON.stringify(frame), sent: false };
      this.#pending.set(id, p);
      // Calls made while (re)connecting wait for the socket rather than fail: the UI issues its first
      // queries before the handshake completes.
      if (this.#ws?.readyState === OPEN) this.#send(p);
      else if (this.status.state === 'closed' && this.#closedByUs) {
        this.#pending.delete(id);
        reject(new Error('The connection to the lab is closed'));
      }
    });
  }

  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onStatus(listener: (s: LinkStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  close(): void {
    this.#closedByUs = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ws?.close();
    this.#rejectAll('The connection to the lab was closed');
    this.#setStatus({ state: 'closed', generation: this.status.generation, reason: 'closed' });
  }

  #send(p: Pending): void {
    p.sent = true;
    this.#ws?.send(p.frame);
  }

  #open(): void {
    this.#setStatus({ state: 'connecting', generation: this.status.generation });
    let ws: WebSocket;
    try {
      ws = this.#opts.socketFactory ? this.#opts.socketFactory(this.#opts.url) : new WebSocket(this.#opts.url);
    } catch (e) {
      this.#scheduleReconnect(e instanceof Error ? e.message : String(e));
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      this.#delay = this.#opts.minDelayMs;
      this.#setStatus({ state: 'open', generation: this.status.generation + 1 });
      for (const p of this.#pending.values()) if (!p.sent) this.#send(p);
    };
    ws.onmessage = (ev) => this.#onFrame(ev.data);
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      // A call that was sent may or may not have run; its answer is lost with the socket, so it fails
      // rather than hangs. Unsent ones stay queued for the next socket.
      this.#rejectAll('The connection to the lab was lost', true);
      if (this.#closedByUs) return;
      const reason = ev.code === 1008 || ev.code === 4401 ? 'refused (bad or missing token?)' : ev.reason || `closed (code ${ev.code})`;
      this.#scheduleReconnect(reason);
    };
  }

  #scheduleReconnect(reason: string): void {
    const wait = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#opts.maxDelayMs);
    this.#setStatus({ state: 'closed', reason, retryInMs: wait, generation: this.status.generation });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#open();
    }, wait);
  }

  #rejectAll(message: string, onlySent = false): void {
    for (const [id, p] of this.#pending) {
      if (onlySent && !p.sent) continue;
      this.#pending.delete(id);
      p.reject(new Error(message));
    }
  }

  #onFrame(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return;
    }
    if (frame.kind === 'result') {
      const p = this.#pending.get(frame.id);
      if (!p) return;
      this.#pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.result);
      else p.reject(new Error(frame.error));
    } else if (frame.kind === 'event') {
      this.#dispatch(frame.event, frame.data);
    } else if (frame.kind === 'events') {
      for (const e of frame.events) this.#dispatch(e.event, e.data);
    }
  }

  #dispatch(event: string, data: unknown): void {
    const set = this.#listeners.get(event as never);
    if (!set) return;
    for (const l of set) {
      try {
        l(data);
      } catch (e) {
        console.error(`listener for ${event} failed`, e);
      }
    }
  }

  #setStatus(s: LinkStatus): void {
    this.status = s;
    for (const l of this.#statusListeners) l(s);
  }
}
