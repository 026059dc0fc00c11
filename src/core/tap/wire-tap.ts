// A duplex in front of a raw client socket that lets the tap see every byte as it went on the wire before
// a protocol layer (TLS) consumes or produces it. Handing a TLS socket the raw socket itself would hide
// those bytes inside Node's native stream.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Direction } from '../../shared/lab.js';

export class WireTap extends Duplex {
  constructor(private readonly raw: Socket, private readonly seen: (dir: Direction, chunk: Buffer) => void) {
    super();
    raw.setNoDelay(true);
    raw.on('data', (chunk: Buffer) => {
      seen('toBroker', chunk);
      // Backpressure: stop reading the client while the layer above has not taken what it was given.
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (e) => this.destroy(e));
    raw.on('close', () => this.destroy());
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.seen('toClient', chunk);
    if (this.raw.destroyed) return done();
    this.raw.write(chunk, () => done());
  }

  override _final(done: (e?: Error | null) => void): void {
    this.raw.end(() => done());
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    this.raw.destroy();
    done(e);
  }
}
