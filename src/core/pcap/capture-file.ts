// Reading a capture straight from disk (Node only); the format logic itself is pure, in capture-reader.ts.
import type { CaptureRecord } from './capture-record.js';
import { readCapture } from './capture-reader.js';
import { fileSource } from './file-source.js';

/** Iterates the frames of a capture file, reading it block by block; the file is closed when iteration ends. */
export function* readCaptureFile(path: string): Generator<CaptureRecord> {
  const src = fileSource(path);
  try {
    yield* readCapture(src);
  } finally {
    src.close();
  }
}
