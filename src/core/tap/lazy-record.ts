// A captured packet whose field tree is built the first time someone reads it. Relaying and recording
// stay cheap when nobody is looking (a headless capture, a burst faster than any view), and the tree is
// built once, then kept, when a view, a query or a lesson asks for it.
import type { PacketRecord } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';

export type NewRecord = Omit<PacketRecord, 'seq'>;

/** Lazy records whose tree nobody has built yet, with the version to build it for (the capture store reads it). */
const unbuilt = new WeakMap<object, MqttVersion>();

export function lazyRecord(base: Omit<NewRecord, 'decoded'>, version: MqttVersion): NewRecord {
  let cached: DecodedPacket | undefined;
  const bytes = base.bytes;
  unbuilt.set(base, version);
  // An own enumerable accessor, so spreads and JSON see `decoded` like any other field.
  return Object.defineProperty(base, 'decoded', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (cached === undefined) {
        cached = dissect(bytes, { version });
        unbuilt.delete(base);
      }
      return cached;
    },
    set: (v: DecodedPacket) => {
      cached = v;
      unbuilt.delete(base);
    },
  }) as NewRecord;
}

/**
 * The version a lazy record's tree would be built for, while nobody has built it: its tree is then exactly
 * `dissect(bytes, { version })`, so a store may drop the record and build the tree again when asked.
 */
export function unbuiltVersion(r: object): MqttVersion | undefined {
  return unbuilt.get(r);
}
