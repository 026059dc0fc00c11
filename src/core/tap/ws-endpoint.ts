// The tap's end of an MQTT-over-WebSocket connection: answers the opening handshake, then turns the
// client's frames into the MQTT byte stream the tap relays, and the tap's MQTT bytes into binary frames.
// Every frame, and the HTTP handshake, is logged with the stretch of the MQTT stream it carried.
import { Duplex } from 'node:stream';
import type { Direction } from '../../shared/lab.js';
import type { FieldNode } from '../../shared/packet.js';
import { readHandshake, refusal } from '../ws/handshake.js';
import { buildFrame, FrameReader, frameFields, OPCODES, type WsFrame } from '../ws/frames.js';
import type { FrontHooks } from './tls-front.js';

/** One WebSocket message may carry at most this much (a bigger MQTT packet is refused by the framer anyway). */
const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;
const OP_CONT = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

export function wsEndpoint(carrier: Duplex, hooks: FrontHooks, connId: () => number): Duplex {
  return new WsEndpoint(carrier, hooks, connId);
}

class WsEndpoint extends Duplex {
  private head: Uint8Array | null = new Uint8Array(0);
  private readonly reader = new FrameReader(MAX_FRAME_PAYLOAD);
  private readonly wire: Record<Direction, number> = { toBroker: 0, toClient: 0 };
  private readonly mqtt: Record<Direction, number> = { toBroker: 0, toClient: 0 };
  private closeSent = false;

  constructor(private readonly carrier: Duplex, private readonly hooks: FrontHooks, private readonly connId: () => number) {
    super({ allowHalfOpen: true });
    carrier.on('data', (c: Buffer) => this.onData(c));
    carrier.on('end', () => this.push(null));
    carrier.on('error', (e) => this.destroy(e));
    carrier.on('close', () => this.destroy());
  }

  /** The tap asks every client stream for no Nagle delay; the carrier below already has it. */
  setNoDelay(): this {
    return this;
  }

  override _read(): void {
    this.carrier.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    if (this.head !== null || this.closeSent) return done();
    // One MQTT write, one binary frame: the tap writes whole packets (MQTT-6.0.0-1: binary frames only).
    this.sendFrame(OP_BINARY, chunk, done);
  }

  override _final(done: (e?: Error | null) => void): void {
    if (this.head === null && !this.closeSent) this.sendClose(1000, 'the broker closed the connection');
    this.carrier.end();
    done();
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    this.carrier.destroy();
    done(e);
  }

  private onData(chunk: Buffer): void {
    if (this.head !== null) {
      this.head = concat(this.head, chunk);
      const h = readHandshake(this.head);
      if (h === null) return;
      const rest = this.head.subarray(h.headLength);
      this.logHttp('toBroker', this.head.subarray(0, h.headLength), `HTTP request: ${h.requestLine}`);
      this.head = null;
      if (!h.ok) {
        const reply = Buffer.from(refusal(h.status, h.reason), 'latin1');
        this.logHttp('toClient', reply, `HTTP ${h.status}: ${h.reason}`);
        this.closeSent = true;
        this.carrier.end(reply);
        return;
      }
      const reply = Buffer.from(h.response, 'latin1');
      this.logHttp('toClient', reply, `HTTP 101 Switching Protocols (subprotocol ${h.protocol})`);
      this.carrier.write(reply);
      if (rest.length === 0) return;
      chunk = Buffer.from(rest);
    }
    for (const ev of this.reader.push(chunk)) {
      if (ev.kind === 'too-big') {
        this.sendClose(1009, `a frame of ${ev.length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
        this.carrier.end();
        return;
      }
      this.onFrame(ev.frame);
    }
  }

  private onFrame(f: WsFrame): void {
    const isData = f.opcode === OP_BINARY || f.opcode === OP_CONT;
    const plain = isData ? this.advance('toBroker', f.payload.length) : undefined;
    this.logFrame('toBroker', f, plain);
    if (!f.masked) return this.fail(1002, 'a client frame must be masked (RFC 6455 §5.1)');
    if (f.rsv !== 0) return this.fail(1002, 'no extension was negotiated, so RSV bits must be 0');
    if (isData) {
      if (f.payload.length > 0 && !this.push(f.payload)) this.carrier.pause();
      return;
    }
    switch (f.opcode) {
      case OP_TEXT:
        return this.fail(1003, 'MQTT travels in binary frames; a text frame closes the connection (MQTT-6.0.0-1)');
      case OP_PING:
        this.sendFrame(OP_PONG, f.payload);
        return;
      case OP_PONG:
        return;
      case OP_CLOSE:
        // Echo the close (RFC 6455 §5.5.1), then the client's MQTT stream ends.
        if (!this.closeSent) {
          this.closeSent = true;
          this.sendFrame(OP_CLOSE, f.payload.subarray(0, 2));
        }
        this.push(null);
        this.carrier.end();
        return;
      default:
        return this.fail(1002, `opcode ${f.opcode} is reserved`);
    }
  }

  private fail(code: number, reason: string): void {
    this.sendClose(code, reason);
    this.push(null);
    this.carrier.end();
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    const text = Buffer.from(reason.slice(0, 120));
    const payload = Buffer.alloc(2 + text.length);
    payload.writeUInt16BE(code, 0);
    text.copy(payload, 2);
    this.sendFrame(OP_CLOSE, payload);
  }

  private sendFrame(opcode: number, payload: Uint8Array, done?: (e?: Error | null) => void): void {
    const bytes = buildFrame(opcode, payload);
    const plain = opcode === OP_BINARY ? this.advance('toClient', payload.length) : undefined;
    this.logFrame('toClient', { fin: true, rsv: 0, opcode, masked: false, headerLength: bytes.length - payload.length, payloadLength: payload.length, bytes, payload }, plain);
    if (this.carrier.destroyed || this.carrier.writableEnded) return done?.();
    if (this.carrier.write(bytes) || done === undefined) return done?.();
    this.carrier.once('drain', () => done());
  }

  private advance(dir: Direction, n: number): { start: number; end: number } {
    const start = this.mqtt[dir];
    this.mqtt[dir] += n;
    return { start, end: start + n };
  }

  private logFrame(dir: Direction, f: WsFrame, plain: { start: number; end: number } | undefined): void {
    const op = OPCODES[f.opcode] ?? `opcode ${f.opcode}`;
    const payloadName = plain !== undefined ? `${f.payloadLength} bytes of MQTT` : f.opcode === OP_CLOSE && f.payload.length >= 2
      ? `status ${(f.payload[0]! << 8) | f.payload[1]!}${f.payload.length > 2 ? `: ${Buffer.from(f.payload.subarray(2)).toString('utf8')}` : ''}` : `${f.payloadLength} bytes`;
    // Described when asked: a busy connection logs many frames that nobody opens.
    const frame = { ...f, payload: new Uint8Array(0) };
    this.log(dir, f.bytes, () => ({
      summary: `WebSocket ${op}${f.fin ? '' : ' (fragment)'}${f.masked ? ', masked' : ''}: ${payloadName}`,
      fields: frameFields(frame, payloadName),
    }), plain);
  }

  private logHttp(dir: Direction, bytes: Uint8Array, summary: string): void {
    const fields: FieldNode[] = [{ name: 'HTTP', filter: 'http', offset: 0, length: bytes.length, display: summary }];
    this.log(dir, bytes, () => ({ summary, fields }), undefined);
  }

  private log(dir: Direction, bytes: Uint8Array, describe: () => { summary: string; fields: FieldNode[] }, plain: { start: number; end: number } | undefined): void {
    const offset = this.wire[dir];
    this.wire[dir] += bytes.length;
    const unit = { connId: this.connId(), direction: dir, time: this.hooks.now(), layer: 'ws' as const, offset, bytes, describe };
    this.hooks.log.add(plain === undefined ? unit : { ...unit, plain });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}
