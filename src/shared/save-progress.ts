// How much of a save is done, as one fraction for a progress bar (the page's and the desktop taskbar's).
import type { SaveProgress } from './api.js';

/** Reading the capture's records is quick beside writing them out: it gets the first 15 % of the bar. */
const READING_SHARE = 0.15;

export function saveFraction(p: SaveProgress | null): number {
  if (p === null || p.total === 0) return 0;
  if (p.phase === 'reading') return (READING_SHARE * p.done) / p.total;
  return READING_SHARE + ((1 - READING_SHARE) * p.done) / p.total;
}
