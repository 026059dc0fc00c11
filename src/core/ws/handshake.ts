// The opening handshake of MQTT over WebSocket (RFC 6455 §4.2; MQTT 3.1.1 and 5.0 §6): a GET on /mqtt
// asking to upgrade, answered by 101 with the accept key and the subprotocol "mqtt".
import { createHash } from 'node:crypto';

export const WS_PATH = '/mqtt';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A request head bigger than this is refused rather than buffered. */
export const MAX_REQUEST_HEAD = 16 * 1024;

export type Handshake =
  | { ok: true; response: string; protocol: string; requestLine: string; headLength: number }
  | { ok: false; status: number; reason: string; requestLine: string; headLength: number };

/** Reads a request head from `buf`; null while it is incomplete. */
export function readHandshake(buf: Uint8Array): Handshake | null {
  const text = Buffer.from(buf).toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > MAX_REQUEST_HEAD) return { ok: false, status: 431, reason: `the request head exceeds ${MAX_REQUEST_HEAD} bytes`, requestLine: text.slice(0, 80), headLength: buf.length };
    return null;
  }
  const headLength = end + 4;
  const [requestLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const fail = (status: number, reason: string): Handshake => ({ ok: false, status, reason, requestLine, headLength });
  const m = /^(\S+) (\S+) HTTP\/1\.1$/.exec(requestLine);
  if (m === null) return fail(400, `'${requestLine.slice(0, 60)}' is not an HTTP/1.1 request line`);
  if (m[1] !== 'GET') return fail(405, `the WebSocket handshake is a GET, not ${m[1]}`);
  const path = m[2]!.split('?')[0];
  if (path !== WS_PATH) return fail(404, `MQTT over WebSocket is served on ${WS_PATH}, not ${path}`);
  if (!/\bwebsocket\b/i.test(headers.get('upgrade') ?? '')) return fail(426, 'the request does not ask to upgrade to websocket');
  if (!/\bupgrade\b/i.test(headers.get('connection') ?? '')) return fail(400, "the Connection header does not include 'Upgrade'");
  if (headers.get('sec-websocket-version') !== '13') return fail(426, 'only WebSocket version 13 is spoken (RFC 6455)');
  const key = headers.get('sec-websocket-key') ?? '';
  if (Buffer.from(key, 'base64').length !== 16) return fail(400, 'Sec-WebSocket-Key must be 16 bytes in base64');
  const offered = (headers.get('sec-websocket-protocol') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  // The client must offer "mqtt" and the server must answer it (MQTT-6.0.0-3, MQTT-6.0.0-4); MQTT 3.1
  // clients (paho with MQTTv31) offer the older name "mqttv3.1", accepted as such.
  const protocol = offered.includes('mqtt') ? 'mqtt' : offered.includes('mqttv3.1') ? 'mqttv3.1' : null;
  if (protocol === null) return fail(400, `the client must offer the subprotocol "mqtt" (MQTT-6.0.0-3); it offered ${offered.length === 0 ? 'none' : offered.join(', ')}`);
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`;
  return { ok: true, response, protocol, requestLine, headLength };
}

export function refusal(status: number, reason: string): string {
  const body = `${reason}\n`;
  const names: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 426: 'Upgrade Required', 431: 'Request Header Fields Too Large' };
  return `HTTP/1.1 ${status} ${names[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
