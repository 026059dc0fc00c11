// A captured packet whose field tree is built the first time someone reads it. Relaying and recording
// stay cheap when nobody is looking (a headless capture, a burst faster than any view), and the tree is
// built once, then kept, when a view, a query or a lesson asks for it.
import type { PacketRecord } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';

export type NewRecord = Omit<PacketRecord, 'seq'>;

/** Once built (or set), the tree becomes a plain field of the record. */
function settle(r: object, tree: DecodedPacket): DecodedPacket {
  Object.defineProperty(r, 'decoded', { value: tree, writable: true, enumerable: true, configurable: true });
  return tree;
}

/**
 * One accessor pair per protocol version, shared by every record: a getter and setter made per record
 * (closures) gave each record its own hidden class, and creating them was the tap's largest own cost on the
 * relay path (bench/tap profile; about 7 times this). Nothing else is added to the record, so comparisons
 * and copies see only its fields. The getter reads `bytes` when first asked: the capture store reads the
 * tree before it shortens the bytes of a large packet.
 */
const ACCESSORS: Record<MqttVersion, PropertyDescriptor> = { 3: accessor(3), 4: accessor(4), 5: accessor(5) };

function accessor(version: MqttVersion): PropertyDescriptor {
  return {
    enumerable: true, // spreads and JSON see `decoded` like any other field
    configurable: true,
    get(this: { bytes: Uint8Array }): DecodedPacket {
      return settle(this, dissect(this.bytes, { version }));
    },
    set(this: object, v: DecodedPacket) {
      settle(this, v);
    },
  };
}

export function lazyRecord(base: Omit<NewRecord, 'decoded'>, version: MqttVersion): NewRecord {
  return Object.defineProperty(base, 'decoded', ACCESSORS[version]) as NewRecord;
}

/**
 * The version a lazy record's tree would be built for, while nobody has built it: its tree is then exactly
 * `dissect(bytes, { version })`, so the capture store keeps the bytes alone and builds the tree when asked.
 */
export function unbuiltVersion(r: object): MqttVersion | undefined {
  const get = Object.getOwnPropertyDescriptor(r, 'decoded')?.get;
  if (get === undefined) return undefined;
  for (const v of [4, 5, 3] as const) if (ACCESSORS[v].get === get) return v;
  return undefined;
}
