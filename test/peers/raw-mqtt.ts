// A bare TCP client that speaks MQTT bytes exactly as given: for packets no library would send
// (DUP on a first send, odd flags), and for controlling how packets fall into TCP segments.
import { connect, type Socket } from 'node:net';
import { sleep } from './run.js';

export interface RawMqtt {
  socket: Socket;
  /** Write bytes as one segment (Nagle is off, and each call waits `gapMs` so writes are not merged). */
  send(bytes: Uint8Array, gapMs?: number): Promise<void>;
  /** The next complete MQTT packet from the peer (first byte + remaining length decoded), or throws on timeout. */
  next(timeoutMs?: number): Promise<Uint8Array>;
  /** Everything received so far that `next` has not consumed. */
  pending(): Uint8Array;
  /** Resolves once the peer closed the connection. */
  closed(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function rawMqtt(port: number, host = '127.0.0.1'): Promise<RawMqtt> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    socket.setNoDelay(true);
    // Chunks join only when a packet is read: joining at every chunk is quadratic, and a reader that resumes
    // after a flood receives tens of megabytes (that took 20 s).
    let head: Buffer = Buffer.alloc(0);
    let chunks: Buffer[] = [];
    const joined = (): Buffer => {
      if (chunks.length > 0) {
        head = Buffer.concat([head, ...chunks]);
        chunks = [];
      }
      return head;
    };
    let ended = false;
    const waiters: Array<() => void> = [];
    const wake = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      wake();
    });
    socket.on('close', () => {
      ended = true;
      wake();
    });
    socket.once('error', reject);
    const waitFor = async (ready: () => boolean, timeoutMs: number, what: string): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!ready()) {
        const left = deadline - Date.now();
        if (left <= 0 || ended) {
          if (ready()) return;
          throw new Error(`raw MQTT client: ${ended ? 'connection closed' : 'timed out'} waiting for ${what}`);
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    };
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined); // a reset by the broker shows up as 'close'
      resolve({
        socket,
        async send(bytes, gapMs = 30) {
          await new Promise<void>((r, j) => socket.write(bytes, (err) => (err ? j(err) : r())));
          await sleep(gapMs);
        },
        async next(timeoutMs = 3000) {
          let total = -1;
          await waitFor(
            () => {
              const buf = joined();
              total = packetLength(buf);
              return total > 0 && buf.length >= total;
            },
            timeoutMs,
            'a packet',
          );
          const buf = joined();
          const pkt = buf.subarray(0, total);
          head = buf.subarray(total);
          return new Uint8Array(pkt);
        },
        pending: () => new Uint8Array(joined()),
        closed: (timeoutMs = 3000) => waitFor(() => ended, timeoutMs, 'close'),
        async close() {
          if (ended) return;
          socket.end();
          await waitFor(() => ended, 2000, 'close').catch(() => socket.destroy());
        },
      });
    });
  });
}

/** Total length of the packet at the start of `b`, or -1 when its fixed header is not complete yet. */
export function packetLength(b: Uint8Array): number {
  let value = 0;
  for (let i = 1; i < 5; i++) {
    if (i >= b.length) return -1;
    value += (b[i]! & 0x7f) * 128 ** (i - 1);
    if ((b[i]! & 0x80) === 0) return 1 + i + value;
  }
  return -1;
}

// Encoders for hand-built packets. Deliberately minimal: the point of raw bytes is full control.

export function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

export function str(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [b.length >> 8, b.length & 0xff, ...b];
}

export function u16(n: number): number[] {
  return [n >> 8, n & 0xff];
}

export function u32(n: number): number[] {
  return [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** First byte + remaining length + body. */
export function packet(firstByte: number, body: readonly number[] | Uint8Array): Uint8Array {
  return new Uint8Array([firstByte, ...varint(body.length), ...body]);
}

/** MQTT 5 property block: its varint length, then the properties. */
export function props(...items: number[][]): number[] {
  const flat = items.flat();
  return [...varint(flat.length), ...flat];
}
