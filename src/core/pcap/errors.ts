/**
 * A capture file that cannot be read any further. The message names the byte offset and what was expected
 * there, so the CLI can print it as one line.
 */
export class CaptureFormatError extends Error {
  readonly offset: number;

  constructor(offset: number, message: string) {
    super(`${message} (at byte offset ${offset})`);
    this.name = 'CaptureFormatError';
    this.offset = offset;
  }
}
