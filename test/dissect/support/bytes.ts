// Small builders for hand-written byte fixtures: they spell out strings and fillers, never lengths,
// so every length prefix in a fixture is still written (and checked) by hand.

/** The bytes of an ASCII string, one per character. */
export function ascii(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new Error(`ascii(): '${s}' has a non-ASCII character; use utf8()`);
    out.push(c);
  }
  return out;
}

/** The UTF-8 encoding of a string. */
export function utf8(s: string): number[] {
  return [...Buffer.from(s, 'utf8')];
}

/** `n` copies of one byte, for payloads whose content does not matter but whose length does. */
export function fill(n: number, byte: number): number[] {
  return new Array<number>(n).fill(byte);
}

export function hexOf(bytes: ArrayLike<number>): string {
  return Buffer.from(Uint8Array.from(bytes)).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}
