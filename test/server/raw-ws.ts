// A WebSocket client made of a bare TCP socket: it completes the handshake, then writes whatever frame
// bytes a test builds (unmasked, reserved opcodes, bad lengths…) and reports the close code the server sent.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWs {
  socket: Socket;
  /** Resolves with the server's close code (or null if the socket closed without a close frame). */
  closeCode(timeoutMs?: number): Promise<number | null>;
}

/** Opens /api?token=…; `headers` may replace Host or add Origin. Resolves with the HTTP status line when not 101. */
export function rawWs(port: number, token: string, headers: Record<string, string> = {}): Promise<RawWs | string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const waiters: Array<() => void> = [];
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buf.subarray(0, buf.indexOf('\r\n')).toString();
        buf = buf.subarray(end + 4);
        if (!status.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          resolve(status);
          return;
        }
        upgraded = true;
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve({ socket, closeCode });
      }
      for (const w of waiters.splice(0)) w();
    });
    socket.on('close', () => {
      for (const w of waiters.splice(0)) w();
    });
    const all = { Host: `127.0.0.1:${port}`, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Version': '13', ...headers };
    socket.write(`GET /api?token=${token} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);

    /** Scans the frames the server sent for its close frame. */
    function findClose(): number | null | undefined {
      let pos = 0;
      while (pos + 2 <= buf.length) {
        const op = buf[pos]! & 0x0f;
        let len = buf[pos + 1]! & 0x7f;
        let at = pos + 2;
        if (len === 126) {
          if (at + 2 > buf.length) return undefined;
          len = buf.readUInt16BE(at);
          at += 2;
        } else if (len === 127) {
          if (at + 8 > buf.length) return undefined;
          len = Number(buf.readBigUInt64BE(at));
          at += 8;
        }
        if (at + len > buf.length) return undefined;
        if (op === 0x8) return len >= 2 ? buf.readUInt16BE(at) : null;
        pos = at + len;
      }
      return undefined;
    }
    function closeCode(timeoutMs = 5000): Promise<number | null> {
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no close frame from the server in time')), timeoutMs);
        const check = (): void => {
          const code = findClose();
          if (code !== undefined) {
            clearTimeout(timer);
            res(code);
          } else if (socket.destroyed || socket.readableEnded) {
            clearTimeout(timer);
            res(null);
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    }
  });
}

/** A client frame: FIN + opcode (plus any extra first-byte bits), masked unless `mask` is false. */
export function frame(first: number, payload: Uint8Array, opts: { mask?: boolean; length?: bigint } = {}): Buffer {
  const mask = opts.mask ?? true;
  const len = opts.length ?? BigInt(payload.length);
  const head: number[] = [first];
  const m = mask ? 0x80 : 0;
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) head.push(m | 126, Number(len >> 8n) & 0xff, Number(len) & 0xff);
  else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) head.push(Number((len >> BigInt(8 * i)) & 0xffn));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, body]);
}
