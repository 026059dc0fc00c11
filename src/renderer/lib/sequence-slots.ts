// Which SVG element draws which arrow. The diagram keys its arrow elements by slot, not by packet, so one keyed
// list serves both paces: while traffic is calm a new arrow gets an element of its own (its drawing animation
// runs when that element is inserted), while it is busy a new arrow takes over the element of one that has left
// the view (updated in place, nothing torn down). An arrow already on screen keeps its element whatever the pace,
// so the switch between the two is free: switching by re-keying every arrow rebuilt all of them at once, the
// one long task left at the end of a 10k/s burst.
import type { ArrowVM } from './sequence-geometry.js';

export class ArrowSlots {
  /** Slot of each arrow in the last frame, by packet seq, in that frame's order. */
  #slotOf = new Map<number, number>();
  /** Slots made for an arrow that draws itself in: only those may carry the drawing animation. */
  #drawing = new Set<number>();
  #next = 0;

  /**
   * Sets each arrow's `key` to its element's slot and clears `fresh` where the element was not made for it
   * (a reused or an older element must not draw again an arrow that is already on screen).
   * @param drawIn whether new arrows draw themselves in (following calm traffic).
   */
  assign(arrows: ArrowVM[], drawIn: boolean): void {
    const prev = this.#slotOf;
    const next = new Map<number, number>();
    const taken = new Set<number>();
    let pending: ArrowVM[] | null = null;
    for (const a of arrows) {
      const s = prev.get(a.seq);
      if (s !== undefined && !taken.has(s)) {
        this.#place(a, s, next, taken);
        if (!this.#drawing.has(s)) a.fresh = false;
      } else (pending ??= []).push(a);
    }
    if (pending) {
      // Freed elements in their old order, so a burst that replaces the whole view keeps the DOM order.
      const free: number[] = [];
      for (const s of prev.values()) if (!taken.has(s)) free.push(s);
      let f = 0;
      for (const a of pending) {
        let s: number;
        if (drawIn && a.fresh) {
          s = this.#next++;
          this.#drawing.add(s);
        } else {
          s = f < free.length ? free[f++]! : this.#next++;
          this.#drawing.delete(s);
          a.fresh = false;
        }
        this.#place(a, s, next, taken);
      }
    }
    for (const s of this.#drawing) if (!taken.has(s)) this.#drawing.delete(s);
    this.#slotOf = next;
  }

  #place(a: ArrowVM, s: number, next: Map<number, number>, taken: Set<number>): void {
    a.key = s;
    next.set(a.seq, s);
    taken.add(s);
  }
}
