// A captured packet whose field tree is built the first time someone reads it. Relaying and recording
// stay cheap when nobody is looking (a headless capture, a burst faster than any view), and the tree is
// built once, then kept, when a view, a query or a lesson asks for it.
import type { PacketRecord } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';

export type NewRecord = Omit<PacketRecord, 'seq'>;

export function lazyRecord(base: Omit<NewRecord, 'decoded'>, version: MqttVersion): NewRecord {
  let cached: DecodedPacket | undefined;
  const bytes = base.bytes;
  // An own enumerable accessor, so spreads and JSON see `decoded` like any other field.
  return Object.defineProperty(base, 'decoded', {
    enumerable: true,
    configurable: true,
    get: () => (cached ??= dissect(bytes, { version })),
    set: (v: DecodedPacket) => {
      cached = v;
    },
  }) as NewRecord;
}
