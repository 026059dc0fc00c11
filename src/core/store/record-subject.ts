// A store record as the display filter sees it (src/shared/filter), one object moved from seq to seq during
// a scan. Summary-level fields (type, header flags, a PUBLISH's topic, the lab.* facts) are answered from the
// store's columns and bytes; the other mqtt.* fields the filter names are read from the bytes by the lean
// reader (lean-fields.ts); only a packet that reader cannot read (malformed, cut) builds its tree.
import type { Direction, FaultRecord } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import type { FilterSubject, Scalar } from '../../shared/filter/evaluate.js';
import { FIELDS } from '../dissect/fields.js';
import type { CaptureStore } from './capture-store.js';
import { readLeanFields, type FieldValues } from './lean-fields.js';

type Values = Array<Scalar | null> | undefined;
const NONE: Values = [];
const PRESENT: Values = [null];

export class RecordSubject implements FilterSubject {
  seq = 0;

  /** The fields the filter being evaluated names: the lean reader reads these and no others. */
  private wanted: ReadonlySet<string> = new Set();
  /** The lean reader's answer for `leanSeq` (null: only the tree can say). */
  private lean: FieldValues | null = null;
  private leanSeq = -1;
  private readonly leanOut: FieldValues = new Map();

  constructor(private readonly store: CaptureStore) {}

  /** Points the subject at another record (which must be in the store). */
  at(seq: number): this {
    this.seq = seq;
    return this;
  }

  /** Sets the fields the next evaluations may read (fieldsOf the expression). */
  wants(fields: ReadonlySet<string>): this {
    if (fields !== this.wanted) {
      this.wanted = fields;
      this.leanSeq = -1;
    }
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
    if (code < 0) return field === FIELDS.notMqtt.filter ? undefined : NONE;
    const header = s.headerByteOf(seq)!;
    // As the dissector's fixed header shows the flags: PUBLISH always; PUBREL, SUBSCRIBE and UNSUBSCRIBE in MQTT 3.1.
    const flagged = code === 3 || (s.versionOf(seq) === (3 as MqttVersion) && (code === 6 || code === 8 || code === 10));
    switch (field) {
      case 'mqtt.msgtype': return [code];
      case 'mqtt.qos': return flagged ? [(header >> 1) & 3] : NONE;
      case 'mqtt.dupflag': return flagged ? [(header & 8) !== 0] : NONE;
      case 'mqtt.retain': return code === 3 ? [(header & 1) !== 0] : NONE;
      case 'mqtt.topic': {
        if (code !== 3 && code !== 8 && code !== 10) return NONE;
        const topic = code === 3 ? s.publishTopicOf(seq) : undefined;
        if (topic !== undefined) return [topic];
      }
    }
    return this.leanValues(field);
  }

  /** The field's values read from the bytes, or undefined when the filter did not name it or the bytes are irregular. */
  private leanValues(field: string): Values {
    if (!this.wanted.has(field)) return undefined;
    if (this.leanSeq !== this.seq) {
      const s = this.store;
      this.leanSeq = this.seq;
      this.lean = readLeanFields(s.bytesOf(this.seq)!, s.versionOf(this.seq)!, this.wanted, this.leanOut);
    }
    return this.lean === null ? undefined : this.lean.get(field) ?? NONE;
  }
}

function one(v: Scalar | undefined): Values {
  return v === undefined ? NONE : [v];
}
