// Names of TLS record content types and handshake messages (RFC 8446 §5.1, §4; RFC 5246 §7.4), in the words
// Wireshark uses, so a student can match the lab's view with a Wireshark capture.

export const CONTENT_TYPES: Record<number, string> = {
  20: 'Change Cipher Spec',
  21: 'Alert',
  22: 'Handshake',
  23: 'Application Data',
  24: 'Heartbeat',
};

export const HANDSHAKE_TYPES: Record<number, string> = {
  0: 'Hello Request',
  1: 'Client Hello',
  2: 'Server Hello',
  4: 'New Session Ticket',
  5: 'End of Early Data',
  8: 'Encrypted Extensions',
  11: 'Certificate',
  12: 'Server Key Exchange',
  13: 'Certificate Request',
  14: 'Server Hello Done',
  15: 'Certificate Verify',
  16: 'Client Key Exchange',
  20: 'Finished',
  24: 'Key Update',
};

export const VERSIONS: Record<number, string> = {
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
};

export function versionName(v: number): string {
  return VERSIONS[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
}

/** The names of the handshake messages that start in `body`; a message cut by the record's end is named all the same. */
export function handshakeNames(body: Uint8Array): string[] {
  const names: string[] = [];
  let at = 0;
  while (at + 4 <= body.length) {
    const t = body[at]!;
    names.push(HANDSHAKE_TYPES[t] ?? `Handshake type ${t}`);
    at += 4 + ((body[at + 1]! << 16) | (body[at + 2]! << 8) | body[at + 3]!);
  }
  return names;
}
