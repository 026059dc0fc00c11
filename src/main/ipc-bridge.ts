// Wires a LabApi to Electron's IPC without importing Electron, so the wiring is unit-tested against a
// fake ipcMain. Calls come in on one channel; Lab events go out as stream frames on another, through the same
// flow-controlled batcher as the browser mode's WebSocket (src/shared/event-stream), with the page's credit
// coming back on a third.
import { EVENT_NAMES, type LabApi } from '../shared/api.js';
import { checkCall } from '../shared/api-schemas.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { EventSender, FLOOD_ROWS_PER_S, type SenderOptions } from '../shared/event-stream/index.js';

export const CALL_CHANNEL = 'lab:call';
export const EVENT_CHANNEL = 'lab:event';
/** The page can take `n` more frames. */
export const CREDIT_CHANNEL = 'lab:credit';
/** A page (re)started listening: it reads the state by query, so the stream starts afresh with new credit. */
export const START_CHANNEL = 'lab:stream-start';

type Listener = (event: unknown, ...args: unknown[]) => void;

export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: Listener): unknown;
  removeListener(channel: string, listener: Listener): unknown;
}

export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface BridgeOptions {
  clock?: Clock;
  /** With `summaryAt`, and `packetSeqs` below, live packets are summarised when their frame is built. */
  stream?: Partial<SenderOptions>;
  /**
   * The Lab's live packets by seq (Lab.onPacketSeq), as the browser mode's server takes them: with
   * `stream.summaryAt`, no summary is made as a packet goes by, only for the packets a frame carries.
   */
  packetSeqs?: (listener: (seq: number) => void) => () => void;
}

export interface IpcBridge {
  (): void;
  /** The stream's sender, for its figures (frames, bytes, markers). */
  sender: EventSender;
}

/** Returns a function that undoes the wiring (used when the window or the Lab goes away). */
export function bridgeLabToIpc(ipc: IpcMainLike, api: LabApi, target: () => EventTarget | null, opts: BridgeOptions = {}): IpcBridge {
  ipc.handle(CALL_CHANNEL, (_event, method, params) => {
    // Checked against the contract before the Lab sees it: a bad call changes nothing.
    const checked = checkCall(method, params);
    return api.call(checked.method, checked.params as never);
  });
  let current: EventTarget | null = null;
  const sender: EventSender = new EventSender({
    clock: opts.clock ?? systemClock,
    floodRowsPerS: FLOOD_ROWS_PER_S,
    ...opts.stream,
    send: (frame) => {
      const t = target();
      // Nobody to tell (no window, or a new one that will read the state by query): the queue is dropped.
      if (t === null || t.isDestroyed() || (current !== null && t !== current)) {
        current = null;
        sender.reset();
        return;
      }
      current = t;
      t.send(EVENT_CHANNEL, frame);
    },
  });
  const onCredit: Listener = (_event, n) => {
    if (typeof n === 'number') sender.grant(n);
  };
  const onStart: Listener = () => {
    current = target();
    sender.reset();
  };
  ipc.on(CREDIT_CHANNEL, onCredit);
  ipc.on(START_CHANNEL, onStart);
  // A window that is gone is sent nothing; the events of a page that has not started its stream still queue.
  const listening = (): boolean => {
    const t = target();
    return t !== null && !t.isDestroyed();
  };
  const bySeq = opts.packetSeqs !== undefined && opts.stream?.summaryAt !== undefined;
  const offs = EVENT_NAMES.filter((event) => !(bySeq && event === 'packet')).map((event) => api.on(event, (data) => {
    if (listening()) sender.push(event, data);
  }));
  if (bySeq) offs.push(opts.packetSeqs!((seq) => {
    if (listening()) sender.pushPacketSeq(seq);
  }));
  const undo = (): void => {
    ipc.removeHandler(CALL_CHANNEL);
    ipc.removeListener(CREDIT_CHANNEL, onCredit);
    ipc.removeListener(START_CHANNEL, onStart);
    for (const off of offs) off();
    sender.close();
  };
  return Object.assign(undo, { sender });
}
