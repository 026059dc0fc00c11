// A step's packets, kept with its result: the report shows them (decoded again by the real dissector)
// and attaches them as pcapng, even after the app restarted and the live capture is gone.
import { createHash } from 'node:crypto';
import type { Connection, PacketRecord } from '../../shared/lab.js';
import type { Lesson } from '../../shared/lesson.js';
import type { MqttVersion } from '../../shared/packet.js';
import type { StepResult } from '../../shared/lesson-results.js';
import type { SavedConnection, SavedPacket, SavedStep } from '../../shared/progress.js';
import { dissect } from '../dissect/index.js';
import { toHex } from '../dissect/utf8.js';
import { pcapngToBuffer, type RecordedConnection } from '../pcap/index.js';
import type { CaptureStore } from '../store/index.js';

/** A classroom broker can be busy; a step keeps this many of its packets, and says how many it left out. */
export const MAX_STEP_PACKETS = 2000;

/** Identifies the lesson as it was run: the same file gives the same digest on any machine. */
export function lessonVersion(lesson: Lesson): string {
  const { file: _file, ...rest } = lesson;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

export function snapshotStep(result: StepResult, store: CaptureStore, connections: Connection[], brokerPort: number): SavedStep {
  const packets: SavedPacket[] = [];
  let leftOut = 0;
  for (let seq = result.afterSeq + 1; seq <= result.lastSeq; seq++) {
    if (!store.has(seq)) continue;
    if (packets.length >= MAX_STEP_PACKETS) {
      leftOut++;
      continue;
    }
    const r = store.get(seq)!;
    // The version the store decodes it for: no tree is built to save a packet.
    packets.push(savedPacket(r, store.clientIdOf(r.connId), store.versionOf(seq)!));
  }
  const byId = new Map(connections.map((c) => [c.connId, c]));
  const conns = [...new Set(packets.map((p) => p.connId))].map((id) => savedConnection(id, byId.get(id), brokerPort, packets.find((p) => p.connId === id)!.time));
  return { result, packets, packetsLeftOut: leftOut, connections: conns };
}

function savedPacket(r: PacketRecord, clientId: string | undefined, version: MqttVersion): SavedPacket {
  const p: SavedPacket = { seq: r.seq, time: r.time, connId: r.connId, direction: r.direction, bytes: toHex(r.bytes), version };
  if (clientId !== undefined) p.clientId = clientId;
  if (r.fault !== undefined) p.fault = r.fault;
  return p;
}

function savedConnection(connId: number, c: Connection | undefined, brokerPort: number, firstTime: number): SavedConnection {
  const m = c === undefined ? null : /^(.*):(\d+)$/.exec(c.remote);
  const ip = m === null ? '127.0.0.1' : m[1]!.replace(/^::ffff:/, '');
  const s: SavedConnection = {
    connId,
    // The synthetic capture is IPv4; an IPv6 peer is shown at loopback rather than mangled.
    client: { ip: ip.includes(':') ? '127.0.0.1' : ip, port: m === null ? 40000 + (connId % 20000) : Number(m[2]) },
    broker: { ip: '127.0.0.1', port: brokerPort },
    openedAt: c?.since ?? firstTime,
  };
  if (c?.state === 'closed' && c.endedAt !== undefined) {
    s.closedAt = c.endedAt;
    s.closedBy = c.ended === 'broker-closed' || c.ended === 'keepalive-timeout' ? 'broker' : 'client';
    if (c.ended === 'severed') s.reset = true;
  }
  return s;
}

/** Whether the packet went on the wire: dropped, severed or never-released packets did not. */
function travelled(p: SavedPacket): boolean {
  const f = p.fault;
  if (f === undefined) return true;
  if (f.action === 'drop' || f.action === 'sever') return false;
  if (f.action === 'hold' || f.action === 'step') return f.released === true;
  return true;
}

/** The step's packets as a pcapng file that Wireshark and tshark read as ordinary TCP streams. */
export function stepPcapng(step: SavedStep): Uint8Array {
  const packets = step.packets.filter(travelled).map((p) => ({ ...recordOf(p) }));
  const conns: RecordedConnection[] = step.connections.map((c) => {
    const rc: RecordedConnection = { connId: c.connId, client: c.client, broker: c.broker, openedAt: c.openedAt };
    if (c.closedAt !== undefined) rc.closed = { time: c.closedAt, by: c.closedBy ?? 'client', reset: c.reset === true };
    return rc;
  });
  return pcapngToBuffer(packets, conns);
}

/** A saved packet as a record again, decoded afresh by the dissector (never trusted from the file). */
export function recordOf(p: SavedPacket): PacketRecord {
  const bytes = Uint8Array.from(Buffer.from(p.bytes, 'hex'));
  const r: PacketRecord = { seq: p.seq, time: p.time, connId: p.connId, direction: p.direction, bytes, decoded: dissect(bytes, { version: p.version }) };
  if (p.fault !== undefined) r.fault = p.fault;
  return r;
}
