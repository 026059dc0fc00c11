// The Electron main process only wires a Lab to IPC; this drives that wiring with a fake ipcMain and a fake
// page (the same stream receiver the renderer runs), with a real Lab and with a 10,000 packets/s burst of real
// summaries on a clock the test moves, so it is tested without Electron.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import {
  bridgeLabToIpc, CALL_CHANNEL, CREDIT_CHANNEL, EVENT_CHANNEL, START_CHANNEL, type IpcMainLike,
} from '../../src/main/ipc-bridge.js';
import { menuTemplate } from '../../src/main/menu.js';
import type { EventName, LabApi, LabEvents, PacketSummary } from '../../src/shared/api.js';
import { EventReceiver } from '../../src/shared/event-stream/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { publishBurst } from '../stream/real-summaries.js';
import { accountFor, emptyReceived, readFrame, type Received } from '../stream/stream-check.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, Set<Listener>>();
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Listener): void {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
  }
  removeListener(channel: string, listener: Listener): void {
    this.listeners.get(channel)?.delete(listener);
  }
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (h === undefined) return Promise.reject(new Error(`no handler for ${channel}`));
    return Promise.resolve().then(() => h({}, ...args));
  }
  /** What ipcRenderer.send does: the main process's listeners run. */
  emit(channel: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l({}, ...args);
  }
  get listening(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}

/** The renderer's side: frames decoded and credit given back after `processMs` on the clock (or a macrotask). */
function fakePage(ipc: FakeIpcMain, later: (fn: () => void) => void): { got: Received; target: { send(ch: string, payload: unknown): void; isDestroyed(): boolean; destroyed: boolean } } {
  const got = emptyReceived();
  const receiver = new EventReceiver({ dispatch: () => undefined, grant: (n) => ipc.emit(CREDIT_CHANNEL, n), later });
  const target = {
    destroyed: false,
    send(channel: string, payload: unknown) {
      expect(channel).toBe(EVENT_CHANNEL);
      readFrame(got, payload as string);
      receiver.receive(payload);
    },
    isDestroyed() {
      return this.destroyed;
    },
  };
  return { got, target };
}

/** A LabApi that only emits: the burst's real summaries, replayed on the test's clock. */
class ReplayApi implements LabApi {
  #listeners = new Map<string, Set<(d: unknown) => void>>();
  call(): Promise<never> {
    return Promise.reject(new Error('not in this test'));
  }
  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event)!.add(listener as (d: unknown) => void);
    return () => this.#listeners.get(event)!.delete(listener as (d: unknown) => void);
  }
  emit(event: EventName, data: unknown): void {
    for (const l of this.#listeners.get(event) ?? []) l(data);
  }
}

/** Pushes `packets` at `perSecond` (in 1 ms steps), with a client event now and then, then lets `tailMs` pass. */
function replay(clock: ManualClock, api: ReplayApi, packets: PacketSummary[], perSecond: number, tailMs: number): void {
  const perMs = perSecond / 1000;
  let i = 0;
  for (let ms = 0; i < packets.length; ms++) {
    for (const due = Math.min(packets.length, Math.round((ms + 1) * perMs)); i < due; i++) api.emit('packet', packets[i]!);
    if (ms % 100 === 0) api.emit('client', { id: 'burst', clientId: 'burst', state: 'connected', protocolVersion: 4, clean: true, keepalive: 60 });
    clock.advance(1);
  }
  clock.advance(tailMs);
}

let lab: Lab | null = null;
afterEach(async () => {
  await lab?.stop();
  lab = null;
});

let burst: PacketSummary[] = [];
beforeAll(async () => {
  // 5,000 QoS 1 PUBLISH of 64 bytes and their PUBACKs (plus the session's own packets): a second at 10,000/s.
  burst = await publishBurst(5000);
}, 120_000);

describe('IPC bridge', () => {
  it('answers calls and streams every Lab event to the window', async () => {
    lab = await createLab({ port: 0 });
    const ipc = new FakeIpcMain();
    const page = fakePage(ipc, (fn) => setTimeout(fn, 0));
    const undo = bridgeLabToIpc(ipc, lab.api, () => page.target);
    ipc.emit(START_CHANNEL);

    const status = await ipc.invoke(CALL_CHANNEL, 'lab.status', {}) as { tap: { port: number } };
    expect(status.tap.port).toBe(lab.tapAddress.port);

    await ipc.invoke(CALL_CHANNEL, 'clients.create', { id: 'sensor' });
    await ipc.invoke(CALL_CHANNEL, 'clients.connect', { id: 'sensor' });
    await ipc.invoke(CALL_CHANNEL, 'clients.publish', { id: 'sensor', topic: 'home/temp', payload: '21.5', qos: 1 });
    await expect.poll(() => page.got.packets.map((p) => p.type)).toEqual(expect.arrayContaining(['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK']));
    expect(page.got.events.some((e) => e.event === 'client')).toBe(true);

    await expect(ipc.invoke(CALL_CHANNEL, 'no.such.command', {})).rejects.toThrow(/unknown command 'no.such.command'/);
    await expect(ipc.invoke(CALL_CHANNEL, 42, {})).rejects.toThrow(/needs a command name/);

    undo();
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.listening).toBe(0);
    const before = page.got.events.length;
    await lab.api.call('packets.clear', {});
    await new Promise((r) => setTimeout(r, 50));
    expect(page.got.events.length).toBe(before);
  });

  it('sends nothing to a destroyed window', async () => {
    lab = await createLab({ port: 0 });
    const ipc = new FakeIpcMain();
    let count = 0;
    bridgeLabToIpc(ipc, lab.api, () => ({ send: () => count++, isDestroyed: () => true }));
    await lab.api.call('packets.clear', {});
    await new Promise((r) => setTimeout(r, 50));
    expect(count).toBe(0);
  });

  it('carries a 10,000 packets/s burst of real summaries whole to a page that keeps up, with no marker', () => {
    expect(burst.length).toBeGreaterThanOrEqual(10_000);
    const clock = new ManualClock();
    const api = new ReplayApi();
    const ipc = new FakeIpcMain();
    // The page takes 5 ms to process each frame before its credit goes back.
    const page = fakePage(ipc, (fn) => clock.setTimeout(fn, 5));
    const bridge = bridgeLabToIpc(ipc, api, () => page.target, { clock });
    ipc.emit(START_CHANNEL);
    replay(clock, api, burst, 10_000, 100);
    expect(page.got.missed).toEqual([]);
    expect(page.got.packets).toStrictEqual(burst);
    expect(page.got.events.filter((e) => e.event === 'client').length).toBeGreaterThan(0);
    // One frame per 16 ms tick, not one per packet.
    expect(page.got.frames).toBeLessThanOrEqual(Math.ceil((burst.length / 10_000) * 1000 / 16) + 8);
    expect(bridge.sender.stats.markers).toBe(0);
    const perPacket = page.got.bytes / burst.length;
    expect(perPacket).toBeLessThan(200);
    bridge();
  });

  it('covers what a page too slow for the burst could not take with exact markers, and loses nothing else', () => {
    const clock = new ManualClock();
    const api = new ReplayApi();
    const ipc = new FakeIpcMain();
    // A page that needs 400 ms per frame: far behind a 10,000/s burst.
    const page = fakePage(ipc, (fn) => clock.setTimeout(fn, 400));
    bridgeLabToIpc(ipc, api, () => page.target, { clock, stream: { maxQueuedPackets: 2000 } });
    ipc.emit(START_CHANNEL);
    replay(clock, api, burst, 10_000, 5000);
    expect(page.got.missed.length).toBeGreaterThan(0);
    expect(accountFor(burst.map((p) => p.seq), page.got)).toEqual({ lost: [], twice: [], outOfOrder: false });
    // Markers are exact: no seq both delivered and in a marker, and each marker covers only pushed seqs.
    const delivered = new Set(page.got.packets.map((p) => p.seq));
    const pushed = new Set(burst.map((p) => p.seq));
    for (const m of page.got.missed) {
      for (let s = m.fromSeq; s <= m.toSeq; s++) {
        expect(delivered.has(s)).toBe(false);
        expect(pushed.has(s)).toBe(true);
      }
    }
    expect(page.got.packets.length + page.got.missed.reduce((n, m) => n + m.toSeq - m.fromSeq + 1, 0)).toBe(burst.length);
    // The client events of the whole burst (one state, replaced while queued) still arrive.
    expect(page.got.events.filter((e) => e.event === 'client').length).toBeGreaterThan(0);
  });

  it('starts afresh when the page (re)starts its stream: nothing stale, full credit', () => {
    const clock = new ManualClock();
    const api = new ReplayApi();
    const ipc = new FakeIpcMain();
    // A page that never gives credit back, then reloads.
    const page = fakePage(ipc, () => undefined);
    const bridge = bridgeLabToIpc(ipc, api, () => page.target, { clock, stream: { initialCredit: 2 } });
    ipc.emit(START_CHANNEL);
    replay(clock, api, burst.slice(0, 1000), 10_000, 100);
    expect(page.got.frames).toBe(2);
    expect(bridge.sender.credit).toBe(0);
    ipc.emit(START_CHANNEL);
    expect(bridge.sender.credit).toBe(2);
    expect(bridge.sender.queued).toBe(0);
    api.emit('packet', burst[1000]!);
    clock.advance(16);
    expect(page.got.packets.at(-1)).toStrictEqual(burst[1000]);
  });
});

describe('application menu', () => {
  it('offers capture open/save, the lessons folder and quit, each wired to its action', () => {
    const called: string[] = [];
    const menu = menuTemplate({
      openCapture: () => called.push('open'), saveCapture: () => called.push('save'),
      openLessonsFolder: () => called.push('lessons'), quit: () => called.push('quit'),
    });
    const items = menu.flatMap((m) => m.submenu ?? []);
    for (const label of ['Open Capture…', 'Save Capture as pcapng…', 'Open My Lessons Folder', 'Quit']) {
      items.find((i) => i.label === label)!.click!();
    }
    expect(called).toEqual(['open', 'save', 'lessons', 'quit']);
  });
});
