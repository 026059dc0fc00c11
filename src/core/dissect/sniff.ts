// Recognises the two things most often sent to an MQTT port by mistake, so the student is told what
// happened ("your client speaks TLS") instead of reading "reserved flags set".

const HTTP_METHODS = ['GET ', 'POST ', 'PUT ', 'HEAD ', 'DELETE ', 'OPTIONS ', 'PATCH ', 'CONNECT ', 'TRACE ', 'PRI * '];

export function sniffForeign(buf: Uint8Array): string | null {
  if (buf.length >= 3 && buf[0] === 0x16 && buf[1] === 0x03 && buf[2]! <= 0x04) {
    const hello = buf.length >= 6 && buf[5] === 0x01 ? 'a TLS ClientHello' : 'a TLS handshake record';
    return `This looks like ${hello} (bytes 16 03 ${hex(buf[2]!)}), not MQTT: the client is speaking MQTT over TLS ` +
      '(usually port 8883) to a plain MQTT port. Connect without TLS, or to the TLS port.';
  }
  // Every method starts with a capital C..T (0x43..0x54): this one-byte test spares the common path
  // from building strings for each packet.
  const b0 = buf[0];
  if (b0 === undefined || b0 < 0x43 || b0 > 0x54) return null;
  const start = ascii(buf, 0, Math.min(buf.length, 8));
  for (const m of HTTP_METHODS) {
    if (!start.startsWith(m)) continue;
    const head = ascii(buf, 0, Math.min(buf.length, 200));
    const line = head.split('\r\n', 1)[0]!;
    // 'P' is also a PUBREC with flags 0: only a request line naming HTTP is taken for one.
    if (!/^[A-Z]+ \S+ HTTP\/\d/.test(line) && !(m === 'PRI * ' && line.startsWith('PRI * HTTP/2'))) return null;
    const ws = /upgrade:\s*websocket/i.test(ascii(buf, 0, Math.min(buf.length, 2000)));
    return `This looks like an HTTP request ('${line}'), not MQTT: ` + (ws
      ? 'a WebSocket client (MQTT over WebSockets) is talking to the plain TCP MQTT port; use the broker\'s WebSocket listener.'
      : 'a web browser or HTTP client was pointed at the MQTT port.');
  }
  return null;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
