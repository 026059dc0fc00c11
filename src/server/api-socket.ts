// The LabApi over one WebSocket: calls in, results and every Lab event out, as ServerFrames.
import { systemClock, type Clock } from '../shared/clock.js';
import type { WebSocket } from 'ws';
import { EVENT_NAMES, type ClientFrame, type LabApi, type LabEvents, type ServerFrame } from '../shared/api.js';
import { EventSender, FLOOD_ROWS_PER_S, type SenderOptions } from '../shared/event-stream/index.js';
import { checkCall } from '../shared/api-schemas.js';


/** Largest message a page may send (a capture opened from a file travels as base64 in one call); larger closes with 1009. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Commands per socket: a burst of this many at once, refilled at RATE per second. */
export const BURST = 400;
export const RATE = 200;
/** Calls one socket may have unanswered at once. */
export const MAX_PENDING = 256;
/** Close code when a page stopped reading: its queue of non-packet events passed the stream's bound. */
export const CLOSE_NOT_READING = 4408;

/**
 * `clock` times the batching of events (tests move it by hand); `stream` tunes the flow control. With
 * `packetSeqs` (the Lab's onPacketSeq) and `stream.summaryAt`, live packets come as seqs and are summarised
 * only when their frame is built, instead of through the API's 'packet' event.
 */
export function serveApi(
  ws: WebSocket, api: LabApi, clock: Clock = systemClock, stream: Partial<SenderOptions> = {},
  packetSeqs?: (listener: (seq: number) => void) => () => void,
): EventSender {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  // Events go through the one flow-controlled stream: a frame per tick, sent only on the page's credit; a page
  // that falls behind is told which packets it missed instead of the server holding them all.
  const sender = new EventSender({
    clock,
    floodRowsPerS: FLOOD_ROWS_PER_S,
    ...stream,
    send: (frame) => {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    },
    onOverflow: () => ws.close(CLOSE_NOT_READING, 'the page stopped reading events'),
  });
  const bySeq = packetSeqs !== undefined && stream.summaryAt !== undefined;
  const offs = EVENT_NAMES.filter((event) => !(bySeq && event === 'packet'))
    .map((event) => api.on(event, (data: LabEvents[typeof event]) => sender.push(event, data)));
  if (bySeq) offs.push(packetSeqs((seq) => sender.pushPacketSeq(seq)));
  // ws closes the socket itself on a protocol error (1002), bad UTF-8 (1007) or an oversize message (1009)
  // and then emits 'error': without this listener that error would end the whole process.
  ws.on('error', () => undefined);
  const bucket = tokenBucket(BURST, RATE);
  let pending = 0;
  ws.on('close', () => {
    for (const off of offs) off();
    sender.close();
  });
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return send({ kind: 'result', id: -1, ok: false, error: 'frames must be JSON text, not binary' });
    let frame: ClientFrame;
    try {
      frame = JSON.parse(String(raw)) as ClientFrame;
    } catch {
      return send({ kind: 'result', id: -1, ok: false, error: 'frame is not JSON' });
    }
    if (typeof frame === 'object' && frame !== null && frame.kind === 'credit') {
      // Flow control needs no answer; a credit that is not a positive count is refused like any bad frame.
      if (Number.isSafeInteger(frame.n) && frame.n > 0) return sender.grant(frame.n);
      return send({ kind: 'result', id: -1, ok: false, error: 'expected {kind:"credit", n} with a positive integer n' });
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
  return sender;
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
