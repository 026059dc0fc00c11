// The field trees built on demand, the most recently used few kept: a view opening packets one after
// another, a filter reading a page, a lesson judging its step all ask again for the trees they just built.

import type { DecodedPacket } from '../../shared/packet.js';

export const DEFAULT_TREES = 4096;

export class TreeCache {
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  private readonly map = new Map<number, DecodedPacket>();

  constructor(readonly max = DEFAULT_TREES) {}

  get(seq: number): DecodedPacket | undefined {
    const t = this.map.get(seq);
    if (t !== undefined) {
      this.map.delete(seq);
      this.map.set(seq, t);
    }
    return t;
  }

  put(seq: number, tree: DecodedPacket): void {
    this.map.delete(seq);
    this.map.set(seq, tree);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  delete(seq: number): void {
    if (this.map.size !== 0) this.map.delete(seq);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
