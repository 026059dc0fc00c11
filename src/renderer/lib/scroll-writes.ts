/**
 * Programmatic scroll positions, written together once the current task's reactive updates are done.
 *
 * Writing `scrollTop` makes the browser lay the page out first. Written from each view's effect, the list's
 * write lays out a page whose diagram is still about to change, and the diagram's write lays it out again:
 * during a burst that is several layouts a batch. Queued here, every view's write lands after all of them
 * have updated the DOM, and the first write's layout serves the rest (a scroll offset dirties no layout).
 * A microtask still runs before the frame is painted, so the new rows are never shown at the old offset.
 */
const pending = new Map<HTMLElement, number>();
let queued = false;

export function writeScrollTop(el: HTMLElement, top: number): void {
  pending.set(el, top);
  if (queued) return;
  queued = true;
  // Two hops: the first lands after the reactive flush that queued this write, behind any flush it triggered.
  queueMicrotask(() => queueMicrotask(flush));
}

function flush(): void {
  queued = false;
  const writes = [...pending];
  pending.clear();
  for (const [el, top] of writes) if (el.isConnected) el.scrollTop = top;
}
