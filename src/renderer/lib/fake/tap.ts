// The fake lab's tap: every packet is recorded, matched against the fault rules, and then forwarded,
// dropped, delayed, held for release, corrupted or the connection severed, as the real tap does.
import type { WirePacket } from '../../../shared/api.js';
import type { Direction, FaultRecord, FaultRule } from '../../../shared/lab.js';
import { encodePacket, toHex, type FakePacket } from './encode.js';
import type { FakeConn, World } from './world.js';

export type RuleState = FaultRule & { fired: number; seen: number };

interface Waiting {
  rec: WirePacket;
  forward: () => void;
}

export class FakeTap {
  packets: WirePacket[] = [];
  rules: RuleState[] = [];
  stepOn = false;
  waiting: Waiting[] = [];
  capacity = 200_000;
  #seq = 0;
  #ruleId = 0;

  constructor(
    private readonly world: World,
    private readonly deliver: (conn: FakeConn, dir: Direction, p: FakePacket) => void,
    private readonly sever: (conn: FakeConn) => void,
  ) {}

  addRule(r: Omit<FaultRule, 'id'> & { id?: string }): FaultRule {
    const rule: RuleState = { ...r, id: r.id ?? `r${++this.#ruleId}`, fired: 0, seen: 0 };
    this.rules = [...this.rules.filter((x) => x.id !== rule.id), rule];
    this.#emitRules();
    const { fired: _f, seen: _s, ...plain } = rule;
    return plain;
  }

  removeRule(id: string): void {
    this.rules = this.rules.filter((r) => r.id !== id);
    this.#emitRules();
  }

  clearRules(): void {
    this.rules = [];
    this.#emitRules();
  }

  listRules(): Array<FaultRule & { fired: number }> {
    return this.rules.map(({ seen: _s, ...r }) => ({ ...r }));
  }

  setStep(on: boolean): void {
    this.stepOn = on;
    if (!on) this.releaseAll();
    this.#emitStep();
  }

  next(): WirePacket | null {
    const w = this.waiting.shift();
    if (!w) return null;
    this.#release(w);
    this.#emitStep();
    return w.rec;
  }

  release(seq: number): boolean {
    const i = this.waiting.findIndex((w) => w.rec.seq === seq);
    if (i < 0) return false;
    const [w] = this.waiting.splice(i, 1);
    this.#release(w!);
    this.#emitStep();
    return true;
  }

  releaseAll(): number {
    const all = this.waiting.splice(0);
    for (const w of all) this.#release(w);
    if (all.length) this.#emitStep();
    return all.length;
  }

  /** Records a packet straight into the capture, bypassing rules: the burst generator's fast path. */
  record(rec: Omit<WirePacket, 'seq'>): WirePacket {
    const full = { ...rec, seq: ++this.#seq } as WirePacket;
    this.packets.push(full);
    if (this.packets.length > this.capacity) this.packets.splice(0, this.packets.length - this.capacity);
    return full;
  }

  transmit(conn: FakeConn, direction: Direction, p: FakePacket): void {
    if (conn.info.state === 'closed') return;
    const { bytes, decoded } = encodePacket(p, conn.version);
    const rec: Omit<WirePacket, 'seq'> = { time: this.world.now(), connId: conn.info.connId, direction, bytes: toHex(bytes), decoded };
    if (conn.info.clientId) rec.clientId = conn.info.clientId;
    else if (p.type === 'CONNECT') rec.clientId = p.clientId;
    const rule = this.#match(rec, conn, p);
    const forward = (): void => this.deliver(conn, direction, p);
    if (rule) {
      rule.fired++;
      rec.fault = { action: rule.action, ruleId: rule.id } satisfies FaultRecord;
      if (rule.action === 'delay') rec.fault.ms = rule.ms ?? 500;
      if (rule.action === 'corrupt') rec.fault.field = rule.field ?? 'mqtt.msgid';
      if (rule.times !== undefined && rule.fired >= rule.times) this.rules = this.rules.filter((r) => r !== rule);
      this.#emitRules();
    } else if (this.stepOn) {
      rec.fault = { action: 'step' };
    }
    const full = this.record(rec);
    this.world.emit('packet', full);
    switch (full.fault?.action) {
      case 'drop':
        return;
      case 'sever':
        this.sever(conn);
        return;
      case 'delay':
        setTimeout(forward, full.fault.ms);
        return;
      case 'hold': case 'step':
        this.waiting.push({ rec: full, forward });
        this.#emitStep();
        return;
      case 'corrupt':
        // The receiver of a corrupted ack cannot match it to anything, so nothing follows from it.
        if (p.type === 'PUBLISH' || p.type === 'PUBACK' || p.type === 'PUBREC' || p.type === 'PUBREL' || p.type === 'PUBCOMP') {
          this.deliver(conn, direction, { ...p, packetId: ((p.packetId ?? 0) ^ 0xff) || 1 });
        }
        return;
      default:
        // A little latency, so arrows do not all land in the same instant.
        setTimeout(forward, 1);
    }
  }

  #release(w: Waiting): void {
    w.rec.fault = { ...w.rec.fault!, released: true, ms: Math.round(this.world.now() - w.rec.time) };
    this.world.emit('packet-update', w.rec);
    w.forward();
  }

  #match(rec: Omit<WirePacket, 'seq'>, conn: FakeConn, p: FakePacket): RuleState | undefined {
    for (const r of this.rules) {
      const m = r.match;
      if (m.direction && m.direction !== rec.direction) continue;
      if (m.type && m.type !== p.type) continue;
      if (m.clientId && m.clientId !== (conn.info.clientId ?? rec.clientId)) continue;
      if (m.topic && !(p.type === 'PUBLISH' && p.topic === m.topic)) continue;
      if (m.qos !== undefined && !(p.type === 'PUBLISH' && p.qos === m.qos)) continue;
      r.seen++;
      if (m.nth !== undefined && r.seen !== m.nth) continue;
      return r;
    }
    return undefined;
  }

  #emitRules(): void {
    this.world.emit('rules', this.listRules());
  }

  #emitStep(): void {
    this.world.emit('step', { on: this.stepOn, waiting: this.waiting.map((w) => w.rec.seq) });
  }
}
