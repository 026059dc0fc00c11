// The LabApi over one WebSocket: calls in, results and every Lab event out, as ServerFrames.
import type { WebSocket } from 'ws';
import { EVENT_NAMES, type ClientFrame, type LabApi, type LabEvents, type ServerFrame } from '../shared/api.js';


/** Above this many buffered bytes, the page is not keeping up: events are dropped rather than queued forever. */
const MAX_BUFFERED = 32 * 1024 * 1024;

export function serveApi(ws: WebSocket, api: LabApi): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const offs = EVENT_NAMES.map((event) => api.on(event, (data: LabEvents[typeof event]) => {
    if (ws.bufferedAmount > MAX_BUFFERED) return;
    send({ kind: 'event', event, data });
  }));
  ws.on('close', () => {
    for (const off of offs) off();
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
