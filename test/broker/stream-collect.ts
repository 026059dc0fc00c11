// What a stream end delivers, for tests of the ends that stand in for a socket (stream-pair, port-streams).
import type { Duplex } from 'node:stream';

export interface Collected {
  chunks: Buffer[];
  bytes: () => Buffer;
  ended: Promise<void>;
  closed: Promise<void>;
}

export function collect(s: Duplex): Collected {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return {
    chunks,
    bytes: () => Buffer.concat(chunks),
    ended: new Promise((resolve) => s.once('end', () => resolve())),
    closed: new Promise((resolve) => s.once('close', () => resolve())),
  };
}
