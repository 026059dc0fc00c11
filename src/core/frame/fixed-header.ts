// Reading the MQTT fixed header: one type/flags byte, then the remaining length as a little-endian base-128
// varint of at most four bytes (MQTT 3.1.1 §2.2.3, MQTT 5 §1.5.5).

/** The spec's limit on remaining-length bytes; a fifth continuation byte makes the stream unframeable. */
export const MAX_LENGTH_BYTES = 4;

/** Longest fixed header: the type byte plus four length bytes. */
export const MAX_HEADER_BYTES = 1 + MAX_LENGTH_BYTES;

/** Outcomes of scanFixedHeader (plain numbers: this runs once per packet on the live path). */
export const HEADER_INCOMPLETE = 0;
export const HEADER_COMPLETE = 1;
export const HEADER_TOO_LONG = 2;
export type HeaderState = typeof HEADER_INCOMPLETE | typeof HEADER_COMPLETE | typeof HEADER_TOO_LONG;

/** Filled in by scanFixedHeader; reused so that the hot path allocates nothing per packet. */
export interface HeaderScan {
  headerLength: number;
  remainingLength: number;
}

/**
 * Scans a fixed header starting at `start` without reading at or past `end`.
 * On HEADER_COMPLETE, `out` holds the header length and remaining length.
 */
export function scanFixedHeader(buf: Uint8Array, start: number, end: number, out: HeaderScan): HeaderState {
  let value = 0;
  let multiplier = 1;
  for (let i = 1; i <= MAX_LENGTH_BYTES; i++) {
    if (start + i >= end) return HEADER_INCOMPLETE;
    const b = buf[start + i]!;
    value += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) {
      out.headerLength = 1 + i;
      out.remainingLength = value;
      return HEADER_COMPLETE;
    }
    multiplier *= 128;
  }
  return HEADER_TOO_LONG;
}
