// A packet as the lesson engine sees it: the live stream's summary, with the field tree and the bytes read
// only when an expectation looks at them. Matching by type, client, topic, QoS or packet id, the bulk of a
// lesson's checks, never builds a tree, so a student's flood during a lesson costs no dissection here.
import type { PacketSummary, WirePacket } from '../../shared/api.js';
import type { Direction, FaultRecord } from '../../shared/lab.js';
import type { DecodedPacket, FieldNode, PacketInfo, PacketTypeName } from '../../shared/packet.js';

/** Where the whole packet comes from, synchronously (the Lab's store in process). */
export type PacketSource = (seq: number) => Pick<WirePacket, 'decoded' | 'bytes'> | null;

/** DecodedPacket whose summary-level facts come from the summary and whose tree is fetched on first use. */
class DecodedView implements DecodedPacket {
  readonly type: PacketTypeName;
  readonly typeCode: number;
  readonly version: DecodedPacket['version'];
  readonly length: number;
  readonly summary: string;
  readonly info: PacketInfo;

  constructor(s: PacketSummary, private readonly whole: () => Pick<WirePacket, 'decoded'> | null) {
    this.type = s.type;
    this.typeCode = s.typeCode;
    this.version = s.version;
    this.length = s.length;
    this.summary = s.summary;
    this.info = s.info;
  }

  get fields(): FieldNode[] {
    return this.whole()?.decoded.fields ?? [];
  }

  get issues(): DecodedPacket['issues'] {
    return this.whole()?.decoded.issues ?? [];
  }
}

export class ObservedPacket implements WirePacket {
  readonly seq: number;
  readonly time: number;
  readonly connId: number;
  readonly clientId?: string;
  readonly direction: Direction;
  readonly fault?: FaultRecord;
  readonly fullLength?: number;
  readonly decoded: DecodedPacket;

  constructor(s: PacketSummary, private readonly source: PacketSource) {
    this.seq = s.seq;
    this.time = s.time;
    this.connId = s.connId;
    if (s.clientId !== undefined) this.clientId = s.clientId;
    this.direction = s.direction;
    if (s.fault !== undefined) this.fault = s.fault;
    this.decoded = new DecodedView(s, () => this.source(this.seq));
  }

  /** Hex, as WirePacket has it; empty when the store no longer holds the packet. */
  get bytes(): string {
    return this.source(this.seq)?.bytes ?? '';
  }
}
