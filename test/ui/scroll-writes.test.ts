// The follow writes of the list and the diagram, and how their scroll events are told apart from a person's:
// an event that moves nothing vertically (a horizontal scroll, a second event at the same place) is not the
// person scrolling up, even when the view has grown since the write it echoes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cancelScrollWrite, isOwnScroll, writeScrollTop } from '../../src/renderer/lib/scroll-writes.js';

/** A scroller as far as the writes see it: the browser clamps scrollTop to the content. */
function scroller(contentH: number, viewH = 400): HTMLElement & { contentH: number } {
  let top = 0;
  const el = {
    isConnected: true,
    contentH,
    get scrollTop(): number {
      return top;
    },
    set scrollTop(v: number) {
      top = Math.max(0, Math.min(v, el.contentH - viewH));
    },
  };
  return el as unknown as HTMLElement & { contentH: number };
}

let frames: Array<() => void> = [];
const frame = (): void => {
  const run = frames;
  frames = [];
  for (const f of run) f();
};

beforeEach(() => {
  frames = [];
  (globalThis as { requestAnimationFrame?: unknown }).requestAnimationFrame = (f: () => void) => frames.push(f);
});
afterEach(() => {
  delete (globalThis as { requestAnimationFrame?: unknown }).requestAnimationFrame;
});

describe('follow writes and scroll events', () => {
  it('writes at the next frame, and takes the echo of the write as its own', () => {
    const el = scroller(10_000);
    writeScrollTop(el, 9_600);
    expect(el.scrollTop).toBe(0);
    frame();
    expect(el.scrollTop).toBe(9_600);
    expect(isOwnScroll(el, el.scrollTop)).toBe(true);
  });

  it('a second event at the same place (the view grown since) is not the person scrolling', () => {
    const el = scroller(10_000);
    writeScrollTop(el, 9_600);
    frame();
    expect(isOwnScroll(el, el.scrollTop)).toBe(true);
    // Rows arrive; before the next follow write lands, the element fires again without moving (its lanes
    // scrolled sideways, say). It is no longer at the end, yet nobody scrolled it.
    el.contentH = 12_000;
    expect(isOwnScroll(el, el.scrollTop)).toBe(true);
  });

  it("a person's move is theirs, and cancels a queued write that would take them back", () => {
    const el = scroller(10_000);
    writeScrollTop(el, 9_600);
    frame();
    expect(isOwnScroll(el, 9_600)).toBe(true);
    writeScrollTop(el, 9_800);
    el.contentH = 10_200;
    el.scrollTop = 9_000;
    expect(isOwnScroll(el, el.scrollTop)).toBe(false);
    cancelScrollWrite(el);
    frame();
    expect(el.scrollTop).toBe(9_000);
    // Then an event where they left it, and a move of theirs back down.
    expect(isOwnScroll(el, 9_000)).toBe(true);
    el.scrollTop = 9_700;
    expect(isOwnScroll(el, 9_700)).toBe(false);
  });

  it('reads the clamped position back, so the echo of a write past the end is still its own', () => {
    const el = scroller(1_000);
    writeScrollTop(el, 5_000);
    frame();
    expect(el.scrollTop).toBe(600);
    expect(isOwnScroll(el, 600)).toBe(true);
  });
});
