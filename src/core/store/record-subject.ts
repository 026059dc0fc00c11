// A store record as the display filter sees it (src/shared/filter), one object moved from seq to seq during
// a scan. Summary-level fields (type, header flags, a PUBLISH's topic, the lab.* facts) are answered from the
// store's columns and bytes; only a filter that reads deeper fields builds the tree, and only for the
// records it reaches.
import type { Direction, FaultRecord } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import type { FilterSubject, Scalar } from '../../shared/filter/evaluate.js';
import type { CaptureStore } from './capture-store.js';

type Values = Array<Scalar | null> | undefined;
const NONE: Values = [];
const PRESENT: Values = [null];

export class RecordSubject implements FilterSubject {
  seq = 0;

  constructor(private readonly store: CaptureStore) {}

  /** Points the subject at another record (which must be in the store). */
  at(seq: number): this {
    this.seq = seq;
    return this;
  }

  get connId(): number {
    return this.store.connIdOf(this.seq)!;
  }

  get clientId(): string | undefined {
    return this.store.clientIdOf(this.connId);
  }

  get direction(): Direction {
    return this.store.directionOf(this.seq)!;
  }

  get fault(): FaultRecord | undefined {
    return this.store.faultOf(this.seq);
  }

  /** Built for the test and not cached: a scan reaches every record once. */
  get decoded(): DecodedPacket {
    if (this.tree?.seq !== this.seq) this.tree = { seq: this.seq, decoded: this.store.tree(this.seq, false)! };
    return this.tree.decoded;
  }

  private tree: { seq: number; decoded: DecodedPacket } | undefined;

  known(field: string): Values {
    const s = this.store;
    const seq = this.seq;
    switch (field) {
      case 'lab.client': return one(this.clientId);
      case 'lab.direction': case 'lab.dir': return [this.direction];
      case 'lab.fault': return one(this.fault?.action);
      case 'lab.type': return [s.typeOf(seq)!];
      case 'lab.seq': return [seq];
      case 'lab.conn': return [this.connId];
      case 'lab.len': return [s.lengthOf(seq)!];
      case 'lab.issues': {
        const n = s.issuesOf(seq)!.count;
        return n > 0 ? [n] : NONE;
      }
    }
    // HTTP records carry their own tree (src/core/http): only it knows its fields.
    if (!field.startsWith('mqtt') || s.typeOf(seq) === 'HTTP') return undefined;
    const code = s.typeCodeOf(seq)!;
    if (field === 'mqtt') return code >= 0 ? PRESENT : NONE;
    if (code < 0) return NONE;
    const header = s.headerByteOf(seq)!;
    // As the dissector's fixed header shows the flags: PUBLISH always; PUBREL, SUBSCRIBE and UNSUBSCRIBE in MQTT 3.1.
    const flagged = code === 3 || (s.versionOf(seq) === (3 as MqttVersion) && (code === 6 || code === 8 || code === 10));
    switch (field) {
      case 'mqtt.msgtype': return [code];
      case 'mqtt.qos': return flagged ? [(header >> 1) & 3] : NONE;
      case 'mqtt.dupflag': return flagged ? [(header & 8) !== 0] : NONE;
      case 'mqtt.retain': return code === 3 ? [(header & 1) !== 0] : NONE;
      case 'mqtt.topic': {
        if (code === 8 || code === 10) return undefined;
        if (code !== 3) return NONE;
        const topic = s.publishTopicOf(seq);
        return topic === undefined ? undefined : [topic];
      }
    }
    return undefined;
  }
}

function one(v: Scalar | undefined): Values {
  return v === undefined ? NONE : [v];
}
