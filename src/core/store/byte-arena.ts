// The raw bytes of small captured packets, packed end to end in a queue of large chunks. A million records
// as a million Uint8Arrays cost ~100 bytes of object and backing-store header each and keep the socket chunks
// they were cut from alive; here a record is a position and a length, and memory is freed a chunk at a time
// as the oldest records go. Records are appended and released in the same (seq) order, so a FIFO of chunks
// is all the bookkeeping needed. Plain Uint8Array, no Buffer: the store also runs in the page (viewer).

export const CHUNK_BYTES = 1 << 20;
/**
 * Released chunks kept for the next ones, possibly shared by several arenas of one size (the capture store's:
 * as its budget cuts large records, the large arena releases chunks as fast as the cut arena fills new ones).
 * Once a capture is at its budget, chunks are released as fast as new ones fill; fresh memory costs a page
 * fault per 4 kB on first touch (about 10 ms per chunk on this kind of virtual machine, bench/tap-profile:
 * ByteArena.put at 4 kB), reused memory none. Stale bytes in a reused chunk are never read: positions are
 * not reused, and views are copied by whoever keeps them.
 */
export class SpareChunks {
  readonly list: Uint8Array[] = [];
  /** Chunks asked of the warmer and not yet come. */
  private coming = 0;
  /** A chunk was given back since the last take: the arenas are releasing as they fill. */
  private given = false;

  /** `warmer`: where chunks already touched come from, off this thread (warm-chunks.ts; Node only). */
  constructor(readonly max = 2, private readonly warmer?: ChunkWarmer) {}

  /**
   * A spare chunk, or undefined (the caller allocates). Asks the warmer to fill the list again while the
   * arenas grow (nothing given back since the last take) or when it runs low. Not for each take: a capture at
   * its budget gives a chunk back for each it takes, and chunks warmed then were dropped on arrival (the list
   * full again), a chunk of fresh memory touched, posted and collected for nothing.
   */
  take(): Uint8Array | undefined {
    const c = this.list.pop();
    if (!this.given || this.list.length * 2 < this.max) this.askWarmer();
    this.given = false;
    return c;
  }

  /**
   * Asks the warmer for `count` chunks kept whatever `max` says, for arenas that will grow into them: the
   * reservation of a capture's budget (CaptureStore.reserve). Taken before any other spare, so the list is
   * back within `max` once the arenas hold the reserve.
   */
  reserve(count: number): void {
    if (this.warmer === undefined || count <= 0) return;
    this.coming += count;
    this.warmer.warm(count, (chunk) => {
      this.coming--;
      if (chunk !== undefined) this.list.push(chunk);
    });
  }

  /** Chunks asked of the warmer and not yet come. */
  get pending(): number {
    return this.coming;
  }

  /** Lets go of every spare kept (collected as garbage); chunks still coming from the warmer arrive as usual. */
  drop(): void {
    this.list.length = 0;
  }

  /** Keeps a released chunk if there is room; true when kept. */
  give(chunk: Uint8Array): boolean {
    this.given = true;
    if (this.list.length >= this.max) return false;
    this.list.push(chunk);
    return true;
  }

  /** Chunk memory kept (for the memory figures). */
  get bytes(): number {
    let n = 0;
    for (const c of this.list) n += c.length;
    return n;
  }

  private askWarmer(): void {
    const missing = this.max - this.list.length - this.coming;
    if (this.warmer === undefined || missing <= 0) return;
    this.coming += missing;
    this.warmer.warm(missing, (chunk) => {
      this.coming--;
      if (chunk !== undefined) this.give(chunk);
    });
  }
}

/**
 * Makes chunks of CHUNK_BYTES whose pages are already touched, on another thread, and hands each to `got`
 * (undefined when it cannot: the arena then allocates as it would without one).
 */
export interface ChunkWarmer {
  warm(count: number, got: (chunk: Uint8Array | undefined) => void): void;
}

export class ByteArena {
  private chunks: Uint8Array[] = [];
  /** Global index of chunks[0]: positions are global and never reused, so a record's position stays valid. */
  private firstChunk = 0;
  /** Global position the next record is written at. */
  private end = 0;

  constructor(private readonly chunkBytes = CHUNK_BYTES, private readonly spares = new SpareChunks()) {}

  /** Copies `bytes` (at most one chunk long) in and returns their position. */
  put(bytes: Uint8Array): number {
    const n = bytes.length;
    if (n > this.chunkBytes) throw new Error(`a record of ${n} bytes does not fit an arena chunk of ${this.chunkBytes}`);
    let offset = this.end % this.chunkBytes;
    // A record never straddles two chunks: the tail of a chunk too short for it is left unused.
    if (offset + n > this.chunkBytes) {
      this.end += this.chunkBytes - offset;
      offset = 0;
    }
    const index = Math.floor(this.end / this.chunkBytes) - this.firstChunk;
    if (index === this.chunks.length) {
      const spare = this.spares.take();
      this.chunks.push(spare !== undefined && spare.length === this.chunkBytes ? spare : new Uint8Array(this.chunkBytes));
    }
    this.chunks[index]!.set(bytes, offset);
    const pos = this.end;
    this.end += n;
    return pos;
  }

  /** The bytes at `pos`, as a view into the arena: callers that keep them take a copy. */
  view(pos: number, length: number): Uint8Array {
    const chunk = this.chunks[Math.floor(pos / this.chunkBytes) - this.firstChunk];
    if (chunk === undefined) throw new Error(`arena position ${pos} was released`);
    const offset = pos % this.chunkBytes;
    return chunk.subarray(offset, offset + length);
  }

  /** One byte at `pos` (a record's header byte), without making a view. */
  byteAt(pos: number): number {
    return this.chunks[Math.floor(pos / this.chunkBytes) - this.firstChunk]![pos % this.chunkBytes]!;
  }

  /** The position the next record will be written at (releaseBefore it frees all but the current chunk). */
  get nextPosition(): number {
    return this.end;
  }

  /** Frees every chunk that lies wholly before `pos` (the position of the oldest record still held). */
  releaseBefore(pos: number): void {
    const keepFrom = Math.floor(pos / this.chunkBytes);
    const drop = keepFrom - this.firstChunk;
    if (drop <= 0) return;
    const gone = this.chunks.splice(0, drop);
    while (gone.length > 0 && this.spares.give(gone.pop()!));
    this.firstChunk = keepFrom;
  }

  /**
   * Forgets every record. `keepMemory` (a capture whose memory was reserved) hands the chunks to the spares
   * for the records to come; otherwise a cleared capture gives its memory back.
   */
  clear(keepMemory = false): void {
    // Positions keep growing, so a stale position can never read a new record's bytes.
    this.firstChunk = Math.ceil(this.end / this.chunkBytes);
    this.end = this.firstChunk * this.chunkBytes;
    if (keepMemory) this.spares.list.push(...this.chunks);
    else this.spares.list.length = 0;
    this.chunks = [];
  }

  /** Bytes of chunk memory allocated, its own (the spares are counted by sparesAllocated). */
  get allocated(): number {
    return this.chunks.length * this.chunkBytes;
  }

  /** Bytes of the spare chunks kept (shared by the arenas that share them). */
  get sparesAllocated(): number {
    return this.spares.bytes;
  }
}
