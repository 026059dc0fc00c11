// The fault stage: what the tap does with one packet, decided from the packet's facts, the lecturer's fault
// rules and step mode. It builds a field tree only when a corrupt rule needs one to find its field. Pure: the
// relay (tap-connection.ts) carries the verdict out with its sockets and queues (outbox.ts).
import type { Direction, FaultRecord } from '../../shared/lab.js';
import type { DecodedPacket, MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import { corruptField } from './corrupt.js';
import type { FaultRules } from './fault-rules.js';
import type { PacketFacts } from './packet-facts.js';

export type Verdict =
  /** On to the other side: `bytes` may be a corrupted copy; `fault` says what a rule did or could not do. */
  | { act: 'forward'; bytes: Uint8Array; fault?: FaultRecord; decoded?: DecodedPacket }
  | { act: 'drop'; fault: FaultRecord }
  /** Record it, then cut both sides. */
  | { act: 'sever'; fault: FaultRecord }
  /** Wait: `ms` for a delay (released by a timer), else until a person releases it (hold, step). */
  | { act: 'wait'; fault: FaultRecord; ms?: number };

const FORWARD_AS_IS = (bytes: Uint8Array): Verdict => ({ act: 'forward', bytes });

export class FaultStage {
  private stepOn = false;
  private stepPings = false;

  constructor(readonly rules: FaultRules) {}

  /** Step mode: every packet waits for its release; keepalive pings pass unless `pings`. */
  setStep(on: boolean, pings: boolean): void {
    this.stepOn = on;
    this.stepPings = pings;
  }

  get stepping(): boolean {
    return this.stepOn;
  }

  /** False when no rule and no step mode can act: the relay forwards without asking. */
  get active(): boolean {
    return this.stepOn || this.rules.size > 0;
  }

  judge(dir: Direction, clientId: string | undefined, bytes: Uint8Array, f: PacketFacts, version: MqttVersion): Verdict {
    // Fault rules act first, so a drop rule still drops in step mode.
    const rule = this.rules.size === 0 ? null : this.rules.decide({ direction: dir, clientId, type: f.type, info: f.info });
    if (rule === null) {
      const ping = f.typeCode === 12 || f.typeCode === 13;
      return this.stepOn && (this.stepPings || !ping) ? { act: 'wait', fault: { action: 'step' } } : FORWARD_AS_IS(bytes);
    }
    const fault: FaultRecord = { action: rule.action, ruleId: rule.id };
    switch (rule.action) {
      case 'drop': return { act: 'drop', fault };
      case 'sever': return { act: 'sever', fault };
      case 'hold': return { act: 'wait', fault };
      case 'delay': {
        fault.ms = rule.ms ?? 0;
        return { act: 'wait', fault, ms: fault.ms };
      }
      case 'corrupt': {
        // The one action that needs the tree: the field's place in the bytes.
        const decoded = dissect(bytes, { version });
        const c = corruptField(bytes, decoded, rule.field);
        if (typeof c === 'string') {
          // The rule cannot act on this packet: it passes untouched, and the record says why.
          return { act: 'forward', bytes, decoded, fault: { ...fault, ...(rule.field === undefined ? {} : { field: rule.field }), note: c } };
        }
        return { act: 'forward', bytes: c.bytes, decoded: dissect(c.bytes, { version }), fault: { ...fault, field: c.field } };
      }
    }
  }
}

/** A held or stepped packet's fault once let go: how long it waited. A delay's record keeps its rule's ms. */
export function releasedFault(f: FaultRecord, since: number, now: number): FaultRecord | null {
  if (f.action === 'delay') return null;
  return { ...f, released: true, ms: Math.round(now - since) };
}
