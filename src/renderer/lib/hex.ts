// Bytes travel as lowercase hex strings over the API (see WirePacket.bytes).

export function hexToBytes(hex: string): Uint8Array {
  const n = hex.length >> 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function byteHex(b: number): string {
  return HEX[b & 0xff]!;
}

/** The printable-ASCII column of a hex dump: anything else is a dot, as in Wireshark and xxd. */
export function byteAscii(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·';
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The text of a payload when it is valid UTF-8, else undefined. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}
