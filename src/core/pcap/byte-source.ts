// Random access to a capture's bytes. The memory source is pure (the offline viewer reads files the page
// was given); file-source.ts reads straight from disk in Node, so a multi-gigabyte capture is read block by
// block instead of being loaded whole.

export interface ByteSource {
  readonly size: number;
  /**
   * `length` bytes from `offset`, fewer only where the source ends. The returned view stays valid for as
   * long as the caller keeps it: sources never overwrite memory they have handed out.
   */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    close: () => {},
  };
}
