/**
 * Programmatic scroll positions, written together at the start of the next frame.
 *
 * Writing `scrollTop` makes the browser lay the page out first. Written from each view's effect, the list's
 * write lays out a page whose diagram is still about to change, and the diagram's write lays it out again:
 * during a burst that is several layouts a batch. Queued here, every view's write lands after all of them
 * have updated the DOM, and the first write's layout serves the rest (a scroll offset dirties no layout).
 *
 * The writes wait for the next animation frame rather than the end of the current task: live events are
 * applied in a task of their own after a frame (LabStore), and a write there would lay the page out in that
 * task, making it as long as before. In the frame's callbacks the layout is the one the frame needs anyway,
 * and it comes before the frame is painted, so new rows are never shown at the old offset.
 */
const pending = new Map<HTMLElement, number>();
/**
 * The position each element was last given here, until its scroll event comes. Live events are applied
 * between a write and its event (the event comes with the next frame), and may queue the next write
 * meanwhile: the event must be told apart from a person's scroll by what was written, not what is queued.
 */
const written = new Map<HTMLElement, number>();
/**
 * Where each element's scroll events last found it (or a write here left it). An element fires scroll events
 * that are no vertical move at all: a horizontal scroll (the diagram's lanes), or a second event at the
 * position already reported. In a burst the views grow between events, so such an event, taken for the
 * person's, read as "scrolled up from the end" and switched following off (bench/ui: the Live button showed
 * and the list stayed seconds behind, in 11 of 11 loaded runs before the burst pacing, 5 of 11 after).
 */
const seen = new WeakMap<HTMLElement, number>();
/** Each element's height at its last scroll event. */
const heights = new WeakMap<HTMLElement, number>();
let queued = false;

export function writeScrollTop(el: HTMLElement, top: number): void {
  pending.set(el, top);
  if (queued) return;
  queued = true;
  requestAnimationFrame(flush);
}

/**
 * Whether a scroll event at `top` is not the person moving the view up or down: the echo of a write made here
 * (then it is consumed), or an event at the position the element was already known to be at.
 */
export function isOwnScroll(el: HTMLElement, top: number): boolean {
  const before = seen.get(el);
  seen.set(el, top);
  // The element changed size (the window was resized): the browser moved the offset, not the person; a view
  // following the newest packets went on following only if this is not read as scrolling up.
  const height = el.clientHeight;
  const heightBefore = heights.get(el);
  heights.set(el, height);
  if (heightBefore !== undefined && heightBefore !== height) {
    written.delete(el);
    return true;
  }
  const w = written.get(el);
  if (w !== undefined && Math.abs(top - w) <= 2) {
    written.delete(el);
    return true;
  }
  return before !== undefined && Math.abs(top - before) <= 1;
}

/**
 * The person scrolled this element before a queued write landed (the write waits for the next frame, and a
 * wheel step's scroll event comes first): the write would take the view back to where they scrolled from.
 */
export function cancelScrollWrite(el: HTMLElement): void {
  pending.delete(el);
  written.delete(el);
}

function flush(): void {
  queued = false;
  const writes = [...pending];
  pending.clear();
  for (const [el, top] of writes) {
    if (!el.isConnected) {
      written.delete(el);
      seen.delete(el);
      continue;
    }
    el.scrollTop = top;
    // Read back (the browser clamps it); the layout the write needed is still clean, so this costs nothing.
    written.set(el, el.scrollTop);
  }
}
