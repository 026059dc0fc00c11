// LabApi over the browser mode's WebSocket. The server is on the same origin as the page, and the per-run
// token that gates the API arrives in the page's own URL (`/?token=…`), so nothing is configured by hand.
import type { ClientFrame, CommandName, EventName, LabApi, LabEvents, ParamsOf, ResultOf, ServerFrame } from '../../shared/api.js';
import { EventReceiver } from '../../shared/event-stream/receiver.js';

export type LinkState = 'connecting' | 'open' | 'closed';

/** WebSocket.OPEN, spelled out so the module also loads where there is no global WebSocket (tests in Node). */
const OPEN = 1;

export interface LinkStatus {
  state: LinkState;
  /** Why the last socket closed, for the banner that says the lab went away. */
  reason?: string;
  /** Milliseconds until the next attempt while closed. */
  retryInMs?: number;
  /** Date.now() of the next attempt, for a countdown that moves. */
  retryAt?: number;
  /**
   * The server answered but refused the token (HTTP 403): the lab restarted with a new one, so retrying
   * cannot help; the page must be opened at the new address.
   */
  refused?: boolean;
  /** Increments on each successful (re)open, so views know to resynchronise. */
  generation: number;
}

/** A LabApi that also reports the health of its link, so the UI can say "reconnecting…" and resync. */
export interface LinkedLabApi extends LabApi {
  readonly status: LinkStatus;
  onStatus(listener: (s: LinkStatus) => void): () => void;
  close(): void;
  /** Tries to connect now instead of waiting for the next attempt. */
  retry?(): void;
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
  /**
   * After a handshake fails: the HTTP status the server gives the page with this token, or 0 when it does
   * not answer. A browser hides the status of a refused WebSocket, so this is how a 403 is told apart.
   */
  probe?: () => Promise<number>;
}

/** Asks the page's own server for `/?token=…`: 403 means the token is refused, 0 that nobody answers. */
export function probeFromApiUrl(apiUrl: string): () => Promise<number> {
  const u = new URL(apiUrl);
  const page = `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/${u.search}`;
  return () =>
    fetch(page, { method: 'HEAD', cache: 'no-store' }).then(
      (r) => r.status,
      () => 0,
    );
}

export function apiUrlFromLocation(loc: Location = location): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api?token=${encodeURIComponent(token)}`;
}

export class WsLabApi implements LinkedLabApi {
  #opts: Required<Omit<WsOptions, 'socketFactory' | 'probe'>> & Pick<WsOptions, 'socketFactory' | 'probe'>;
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
      else if (this.status.state === 'closed') {
        // Between attempts a click must say why nothing happens, not wait silently for a lab that is gone.
        this.#pending.delete(id);
        reject(new Error(this.#closedByUs ? 'The connection to the lab is closed' : `The lab is not connected (${this.status.reason ?? 'reconnecting'})`));
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

  retry(): void {
    if (this.#closedByUs || this.#ws !== null) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#delay = this.#opts.minDelayMs;
    this.#open();
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
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#delay = this.#opts.minDelayMs;
      this.#setStatus({ state: 'open', generation: this.status.generation + 1 });
      for (const p of this.#pending.values()) if (!p.sent) this.#send(p);
    };
    // One receiver per socket: the credit it gives back is for the frames this socket brought.
    const receiver = new EventReceiver({
      dispatch: (event, data) => this.#dispatch(event, data),
      grant: (n) => {
        if (this.#ws === ws && ws.readyState === OPEN) ws.send(JSON.stringify({ kind: 'credit', n } satisfies ClientFrame));
      },
    });
    ws.onmessage = (ev) => this.#onFrame(ev.data, receiver);
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      // A call that was sent may or may not have run; its answer is lost with the socket, so it fails
      // rather than hangs. Unsent ones stay queued for the next socket.
      this.#rejectAll('The connection to the lab was lost', true);
      if (this.#closedByUs) return;
      const reason = ev.code === 1008 || ev.code === 4401 ? 'refused (bad or missing token?)' : ev.reason || `closed (code ${ev.code})`;
      if (opened || !this.#opts.probe) {
        this.#scheduleReconnect(opened ? 'the lab stopped answering' : reason);
        return;
      }
      // The handshake failed: a server that answers 403 has a new token (it restarted); one that does not
      // answer is down, and the attempts go on.
      void this.#opts.probe().then((status) => {
        if (this.#closedByUs || this.#ws !== null) return;
        if (status === 403) this.#rejectAll('The lab restarted: open its new address');
        if (status === 403) this.#setStatus({ state: 'closed', refused: true, reason: 'the lab restarted with a new token', generation: this.status.generation });
        else this.#scheduleReconnect(status === 0 ? 'the lab is not running' : reason);
      });
    };
  }

  #scheduleReconnect(reason: string): void {
    this.#rejectAll(`The lab is not connected (${reason})`);
    const wait = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#opts.maxDelayMs);
    this.#setStatus({ state: 'closed', reason, retryInMs: wait, retryAt: Date.now() + wait, generation: this.status.generation });
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

  #onFrame(raw: unknown, receiver: EventReceiver): void {
    if (typeof raw !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      console.error('the lab sent a frame that is not JSON');
      return;
    }
    if (frame.kind === 'result') {
      const p = this.#pending.get(frame.id);
      if (!p) return;
      this.#pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.result);
      else p.reject(new Error(frame.error));
    } else if (!receiver.receive(frame)) {
      console.error('the lab sent a frame of an unknown kind', (frame as { kind?: unknown }).kind);
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
