import type { WirePacket } from '../../shared/api.js';

/** Index of the first packet whose seq is ≥ `seq` in a list sorted by seq (binary search). */
export function lowerBoundSeq(list: readonly WirePacket[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
