// A ByteSource over a file on disk (Node only), read in blocks so a large capture is never loaded whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from './byte-source.js';

const BLOCK_SIZE = 1 << 20;

/** Reads a file in 1 MiB blocks; each block is freshly allocated, so earlier views are never overwritten. */
export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let blockStart = 0;
  let block: Uint8Array = new Uint8Array(0);
  let closed = false;

  const load = (offset: number, length: number): Uint8Array => {
    const want = Math.max(0, Math.min(size - offset, length));
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === want ? buf : buf.subarray(0, got);
  };

  return {
    size,
    read(offset, length) {
      if (offset >= blockStart && offset + length <= blockStart + block.length) {
        return block.subarray(offset - blockStart, offset - blockStart + length);
      }
      // A request bigger than half a block gets its own buffer rather than evicting the block for it.
      if (length > BLOCK_SIZE / 2) return load(offset, length);
      blockStart = offset;
      block = load(offset, BLOCK_SIZE);
      return block.subarray(0, Math.min(length, block.length));
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}
