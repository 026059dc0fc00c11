// The LabApi over one WebSocket: calls in, results and every Lab event out, as ServerFrames.
import { systemClock, type Clock, type TimerHandle } from '../shared/clock.js';
import type { WebSocket } from 'ws';
import { EVENT_NAMES, type ClientFrame, type EventName, type LabApi, type LabEvents, type ServerFrame } from '../shared/api.js';


/** Above this many buffered bytes, the page is not keeping up: events are dropped rather than queued forever. */
const MAX_BUFFERED = 32 * 1024 * 1024;
const BATCH_MS = 16;
const MAX_BATCH = 500;

/** `clock` times the batching of events (tests move it by hand). */
export function serveApi(ws: WebSocket, api: LabApi, clock: Clock = systemClock): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  // Events are gathered for one tick and sent as one frame: at 10,000 packets/s that is a few hundred
  // frames a second instead of ten thousand, which the page can follow live.
  let batch: Array<{ event: EventName; data: unknown }> = [];
  let timer: TimerHandle | null = null;
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
    else timer ??= clock.setTimeout(flush, BATCH_MS);
  }));
  ws.on('close', () => {
    for (const off of offs) off();
    if (timer !== null) clock.clearTimeout(timer);
  });
  ws.on('message', (raw) => {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(String(raw)) as ClientFrame;
    } catch {
      return send({ kind: 'result', id: -1, ok: false, error: 'frame is not JSON' });
    }
    if (frame === null || frame.kind !== 'call' || typeof frame.id !== 'number' || typeof frame.method !== 'string') {
      return send({ kind: 'result', id: typeof frame?.id === 'number' ? frame.id : -1, ok: false, error: 'expected {kind:"call", id, method, params}' });
    }
    api.call(frame.method, (frame.params ?? {}) as never).then(
      (result) => send({ kind: 'result', id: frame.id, ok: true, result: result ?? null }),
      (e: unknown) => send({ kind: 'result', id: frame.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
