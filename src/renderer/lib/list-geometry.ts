// Vertical geometry of a virtual list whose rows may be taller, all together, than a browser lets an element
// be (Chromium stops near 33.5 million pixels; a million rows at 150 % zoom are 42 million). Up to a bound the
// spacer is the rows' true height; past it the spacer is capped and the scroll position is scaled, so the
// scrollbar still spans the whole view and its thumb says where in it one is.

/** Tallest spacer used; well under every browser's limit. */
export const MAX_SPACER_PX = 8_000_000;

export interface ListGeometry {
  /** Height of the scrolled element. */
  spacerH: number;
  /** Content pixels per scrolled pixel (1 when the rows fit). */
  ratio: number;
}

export function listGeometry(total: number, rowH: number, viewH: number, max = MAX_SPACER_PX): ListGeometry {
  const contentH = total * rowH;
  if (contentH <= max || viewH >= max) return { spacerH: contentH, ratio: 1 };
  return { spacerH: max, ratio: (contentH - viewH) / (max - viewH) };
}

/** The scrollTop that puts content pixel `y` at the top of the view. */
export function scrollTopFor(g: ListGeometry, y: number): number {
  return Math.max(0, y / g.ratio);
}
