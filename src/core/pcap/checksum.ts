// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words.

/** Adds bytes[start..end) as big-endian 16-bit words to `sum`; an odd last byte is padded with zero. */
export function addWords(sum: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  // Folding now and then keeps the sum a small integer however long the data.
  return sum > 0xffffff ? (sum & 0xffff) + (sum >>> 16) : sum;
}

export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return finishChecksum(addWords(0, bytes, start, end));
}
