// The packet list's window over the lab's capture (state/list-window.svelte.ts), fed live batches the way the
// view feeds it during a burst: the tail rows are all there and right, and the rows that fell behind are let
// go as they fall, a batch's worth at a time, so no batch has to pass over thousands of held rows.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PacketSummary } from '../../src/shared/api.js';
import type { ViewBatch } from '../../src/renderer/state/view.svelte.js';
import type { ListWindow as ListWindowT } from '../../src/renderer/state/list-window.svelte.js';
import { encodePacket, summaryOf } from './support/real-packets.js';
import { loadSvelteModule } from './support/svelte-module.js';

type Mod = { ListWindow: typeof ListWindowT; WINDOW_ROWS: number };
let mod: Mod;
beforeAll(async () => {
  mod = await loadSvelteModule<Mod>('src/renderer/state/list-window.svelte.ts');
});

/** A view that the test drives: its total and the batches it hands the list. */
function fakeView() {
  const listeners = new Set<(b: ViewBatch) => void>();
  return {
    total: 0,
    query: undefined as string | undefined,
    subscribe(fn: (b: ViewBatch) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit(b: ViewBatch) {
      if (!b.reset) this.total += b.added.length - b.trimmed;
      for (const l of listeners) l(b);
    },
  };
}

// Real PUBLISH summaries (encoded and dissected), given consecutive seqs.
const { bytes, decoded } = encodePacket({ type: 'PUBLISH', topic: 'bench/sensor1', payload: new Uint8Array(64).fill(0x61), qos: 0, retain: false, dup: false });
const template = summaryOf({ seq: 1, time: 0, connId: 1, clientId: 'burst-0', direction: 'toBroker', bytes, decoded });
const packet = (seq: number): PacketSummary => ({ ...template, seq, time: seq });

describe('list window while following a burst', () => {
  it('holds every tail row, and lets rows go as they fall behind rather than all at once', async () => {
    const view = fakeView();
    const calls: unknown[] = [];
    const api = { call: async (...a: unknown[]) => (calls.push(a), { offset: 0, rows: [], total: 0 }) };
    const win = new mod.ListWindow(api as never, view as never, { selectedSummary: null } as never);
    const half = mod.WINDOW_ROWS >> 1;
    let seq = 0;
    let most = 0;
    // 20,000 packets in batches of 160: a 10,000 packets/s burst at 60 frames a second.
    for (let b = 0; b < 125; b++) {
      const added = Array.from({ length: 160 }, () => packet(++seq));
      view.emit({ added, updated: [], notes: [], reset: false, offset: 0, trimmed: 0 });
      most = Math.max(most, win.held);
      // The newest screenful is there, each row the packet at its position.
      for (let i = view.total - 40; i < view.total; i++) expect(win.rowAt(i)?.seq).toBe(i + 1);
    }
    // Never more than half a window behind the end (plus the batch that just came): the old way held up to
    // a window and a half, then dropped two thirds of it in one pass.
    expect(most).toBeLessThanOrEqual(half + 160);
    expect(win.held).toBeGreaterThanOrEqual(half);
    expect(win.indexOfSeq(seq)).toBe(view.total - 1);
    expect(win.indexOfSeq(seq - half + 1)).toBe(view.total - half);
    expect(win.indexOfSeq(1)).toBe(-1);
    // Nothing was fetched: following, the rows come with the stream.
    expect(calls).toEqual([]);
    // The batches came faster than a burst's redraw pace: the length the list is drawn with catches up with
    // the view within one redraw interval of the last batch.
    await new Promise((r) => setTimeout(r, 120));
    expect(win.total).toBe(view.total);
  });

  it('keeps the rows of a reset view and trims from where it starts, also after the store dropped packets', () => {
    const view = fakeView();
    const api = { call: async () => ({ offset: 0, rows: [], total: 0 }) };
    const win = new mod.ListWindow(api as never, view as never, { selectedSummary: null } as never);
    // A reset deep into a big capture: the view's last 5,000 of 1,000,000.
    const tail = Array.from({ length: 5000 }, (_, k) => packet(995_001 + k));
    view.total = 1_000_000;
    view.emit({ added: tail, updated: [], notes: [], reset: true, offset: 995_000, trimmed: 0 });
    expect(win.rowAt(999_999)?.seq).toBe(1_000_000);
    // The store is full: each batch pushes out as many old packets as it brings.
    let seq = 1_000_000;
    for (let b = 0; b < 50; b++) {
      const added = Array.from({ length: 160 }, () => packet(++seq));
      view.emit({ added, updated: [], notes: [], reset: false, offset: 0, trimmed: 160 });
    }
    expect(view.total).toBe(1_000_000);
    for (let i = view.total - 100; i < view.total; i++) expect(win.rowAt(i)?.seq).toBe(seq - (view.total - 1 - i));
    expect(win.held).toBeLessThanOrEqual((mod.WINDOW_ROWS >> 1) + 160);
  });
});

describe('list window when the same view is read again', () => {
  /** A core holding packets `first`..`first + total - 1` in its view, each at time `t0 + seq`. */
  function core(state: { first: number; t0: number }) {
    const asked: Array<{ offset: number; limit: number; filter?: string }> = [];
    const at = (seq: number): PacketSummary => ({ ...packet(seq), time: state.t0 + seq });
    const api = {
      call: async (_m: string, a: { offset: number; limit: number; filter?: string }) => {
        asked.push(a);
        return { offset: a.offset, rows: Array.from({ length: a.limit }, (_, k) => at(state.first + a.offset + k)), total: 50_000 };
      },
    };
    const tail = () => Array.from({ length: 5000 }, (_, k) => at(state.first + 45_000 + k));
    return { api, asked, tail };
  }
  const settle = () => new Promise((r) => setTimeout(r, 10));

  async function scrolledToMiddle(state: { first: number; t0: number }) {
    const view = fakeView();
    const c = core(state);
    const win = new mod.ListWindow(c.api as never, view as never, { selectedSummary: null } as never);
    view.total = 50_000;
    view.emit({ added: c.tail(), updated: [], notes: [], reset: true, offset: 45_000, trimmed: 0 });
    win.follow = false;
    win.ensure(25_000, 25_030);
    await settle();
    expect(win.rowAt(25_000)?.seq).toBe(state.first + 25_000);
    return { view, win, ...c };
  }

  it('keeps the rows it holds, moved by what the store trimmed, and reads those on screen again', async () => {
    const state = { first: 1, t0: 1_765_000_000_000 };
    const { view, win, asked, tail } = await scrolledToMiddle(state);
    // The page resynchronises after the store trimmed 100 packets and took 100 new ones.
    state.first += 100;
    asked.length = 0;
    view.emit({ added: tail(), updated: [], notes: [], reset: true, offset: 45_000, trimmed: 0 });
    // At once, not after a round trip: the row a person was reading is there, at its new position.
    expect(win.rowAt(24_900)?.seq).toBe(25_001);
    expect(win.rowAt(-1)).toBeUndefined();
    await settle();
    // And the rows around the screen were read again all the same (events may have been missed).
    expect(asked.some((a) => a.offset <= 25_000 && a.offset + a.limit >= 25_030)).toBe(true);
    expect(win.rowAt(25_000)?.seq).toBe(state.first + 25_000);
  });

  it('drops them when the lab behind the page is another one (same seqs, other packets) or the filter changed', async () => {
    const state = { first: 1, t0: 1_765_000_000_000 };
    const a = await scrolledToMiddle(state);
    // The server was restarted: its packets are numbered from 1 again, and are not the ones held.
    state.t0 += 3_600_000;
    a.view.emit({ added: a.tail(), updated: [], notes: [], reset: true, offset: 45_000, trimmed: 0 });
    expect(a.win.rowAt(25_000)).toBeUndefined();

    const b = await scrolledToMiddle({ first: 1, t0: 1_765_000_000_000 });
    b.view.query = 'mqtt.qos == 1';
    b.view.emit({ added: b.tail(), updated: [], notes: [], reset: true, offset: 45_000, trimmed: 0 });
    expect(b.win.rowAt(25_000)).toBeUndefined();
  });
});
