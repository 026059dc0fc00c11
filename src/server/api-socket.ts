// The LabApi over one WebSocket: calls in, results and every Lab event out, as ServerFrames.
import type { WebSocket } from 'ws';
import { EVENT_NAMES, type ClientFrame, type EventName, type LabApi, type LabEvents, type ServerFrame } from '../shared/api.js';
import { checkCall } from '../shared/api-schemas.js';


/** Above this many buffered bytes, the page is not keeping up: events are dropped rather than queued forever. */
const MAX_BUFFERED = 32 * 1024 * 1024;
/** Largest message a page may send (a capture opened from a file travels as base64 in one call); larger closes with 1009. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Commands per socket: a burst of this many at once, refilled at RATE per second. */
export const BURST = 400;
export const RATE = 200;
/** Calls one socket may have unanswered at once. */
export const MAX_PENDING = 256;
const BATCH_MS = 16;
const MAX_BATCH = 500;

export function serveApi(ws: WebSocket, api: LabApi): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  // Events are gathered for one tick and sent as one frame: at 10,000 packets/s that is a few hundred
  // frames a second instead of ten thousand, which the page can follow live.
  let batch: Array<{ event: EventName; data: unknown }> = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    const events = batch;
    batch = [];
    if (events.length === 1) send({ kind: 'event', event: events[0]!.event, data: events[0]!.data });
    else if (events.length > 1) send({ kind: 'events', events });
  };
  const offs = EVENT_NAMES.map((event) => api.on(event, (data: LabEvents[typeof event]) => {
    // A page that cannot keep up loses events rather than the server its memory; the page notices the
    // gap in sequence numbers and fetches what it missed.
    if (ws.bufferedAmount > MAX_BUFFERED) return;
    batch.push({ event, data });
    if (batch.length >= MAX_BATCH) flush();
    else timer ??= setTimeout(flush, BATCH_MS);
  }));
  // ws closes the socket itself on a protocol error (1002), bad UTF-8 (1007) or an oversize message (1009)
  // and then emits 'error': without this listener that error would end the whole process.
  ws.on('error', () => undefined);
  const bucket = tokenBucket(BURST, RATE);
  let pending = 0;
  ws.on('close', () => {
    for (const off of offs) off();
    if (timer !== null) clearTimeout(timer);
  });
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return send({ kind: 'result', id: -1, ok: false, error: 'frames must be JSON text, not binary' });
    let frame: ClientFrame;
    try {
      frame = JSON.parse(String(raw)) as ClientFrame;
    } catch {
      return send({ kind: 'result', id: -1, ok: false, error: 'frame is not JSON' });
    }
    const id = typeof frame === 'object' && frame !== null && Number.isSafeInteger(frame.id) ? frame.id : -1;
    if (typeof frame !== 'object' || frame === null || frame.kind !== 'call' || id === -1 || typeof frame.method !== 'string') {
      return send({ kind: 'result', id, ok: false, error: 'expected {kind:"call", id, method, params} with an integer id' });
    }
    if (!bucket.take()) {
      return send({ kind: 'result', id, ok: false, error: `too many commands: at most ${BURST} at once and ${RATE} a second on one connection` });
    }
    if (pending >= MAX_PENDING) {
      return send({ kind: 'result', id, ok: false, error: `too many commands waiting for an answer (${MAX_PENDING}); wait for some to finish` });
    }
    pending++;
    let call: Promise<unknown>;
    try {
      // Checked against the contract before the Lab sees it: a bad call changes nothing.
      const checked = checkCall(frame.method, frame.params);
      call = Promise.resolve(api.call(checked.method, checked.params as never));
    } catch (e) {
      call = Promise.reject(e);
    }
    call.then(
      (result) => send({ kind: 'result', id, ok: true, result: result ?? null }),
      (e: unknown) => send({ kind: 'result', id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    ).finally(() => {
      pending--;
    });
  });
}

/** A token bucket on the monotonic clock: `take` is O(1) and needs no timer. */
function tokenBucket(burst: number, perSecond: number): { take(): boolean } {
  let tokens = burst;
  let last = performance.now();
  return {
    take() {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
