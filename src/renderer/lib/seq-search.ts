/** Index of the first item whose seq is ≥ `seq` in a list sorted by seq (binary search). */
export function lowerBoundSeq(list: ReadonlyArray<{ seq: number }>, seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
