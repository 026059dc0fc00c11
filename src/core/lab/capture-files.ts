// Saving the capture as pcapng (tshark reads it as ordinary TCP streams) and opening a pcap/pcapng into
// the same store the live views read.
import type { Connection, PacketRecord } from '../../shared/lab.js';
import { FILE_CONN_BASE, readCaptureRecords } from '../pcap/decoded-records.js';
import { captureTls } from '../tls/capture-tls.js';
import { pcapngToBuffer, type RecordedConnection, type RecordedPacket } from '../pcap/index.js';
import type { HttpWire } from './http-side.js';
import type { LabParts } from './lab-parts.js';


/**
 * The pcapng holds what travelled on the wire: packets the tap dropped, or cut off by a sever, never
 * reached the other side and are left out (their records stay in the lab's own view). So are packets held
 * or stepped and not (yet) released: still waiting, or discarded when their connection ended.
 * A TLS or WebSocket connection is saved as its wire bytes (records, frames), and the TLS session keys go
 * in a Decryption Secrets Block, so Wireshark decrypts it with no key file.
 * `brokerPort` names the broker's port in the file (default: the tap's real port); a recording made on a
 * free port can so be shared as the 1883 that Wireshark and the viewer recognise. TLS and WebSocket
 * connections keep the real port they came in on, and so does HTTP (the HTTP tap's port): Wireshark reads
 * it as HTTP with `-d tcp.port==PORT,http`, and capture.open, which reads MQTT ports only, passes it by.
 */
export function captureSave(lab: LabParts, brokerPort = lab.tapAddress.port): Uint8Array {
  const log = lab.transports.log;
  const plain = lab.store.query({}).filter((r) => travelled(r) && !log.has(r.connId));
  const outer: RecordedPacket[] = [];
  const keyLines: string[] = [];
  const outerConns = new Set<number>();
  for (const u of log.kept()) {
    if (u.layer !== log.layersOf(u.connId)?.[0]) continue;
    outer.push({ time: u.time, connId: u.connId, direction: u.direction, bytes: u.bytes });
    if (!outerConns.has(u.connId)) {
      outerConns.add(u.connId);
      keyLines.push(...log.keyLog(u.connId));
    }
  }
  const packets: RecordedPacket[] = [...plain, ...outer].sort((a, b) => a.time - b.time);
  const live = new Map(lab.tap.connections().map((c) => [c.connId, c]));
  const ports = lab.status();
  const conns = new Map<number, RecordedConnection>();
  for (const r of packets) {
    if (conns.has(r.connId)) continue;
    const layers = log.layersOf(r.connId)?.join('+');
    const port = layers === 'tls' ? ports.tls?.port : layers === 'ws' ? ports.ws?.port : layers === 'tls+ws' ? ports.wss?.port : undefined;
    const http = lab.http.wire(r.connId);
    conns.set(r.connId, http !== undefined ? httpEndpoints(r.connId, http) : endpoints(r.connId, live.get(r.connId), port ?? brokerPort, r.time));
  }
  return pcapngToBuffer(packets, conns.values(), keyLines.length > 0 ? { tlsKeyLog: keyLines.map((l) => `${l}\n`).join('') } : {});
}

function travelled(r: PacketRecord): boolean {
  // A packet the store kept only the start of cannot be written whole; a cut-off segment would break the
  // file's TCP stream for every packet after it, so it is left out (the lab's own view still shows it).
  if (r.fullLength !== undefined) return false;
  const f = r.fault;
  if (f === undefined) return true;
  if (f.action === 'drop' || f.action === 'sever') return false;
  if (f.action === 'hold' || f.action === 'step') return f.released === true;
  return true;
}

function endpoints(connId: number, c: Connection | undefined, brokerPort: number, firstTime: number): RecordedConnection {
  const [ip, port] = splitRemote(c?.remote) ?? ['127.0.0.1', 40000 + (connId % 20000)];
  const rec: RecordedConnection = { connId, client: { ip, port }, broker: { ip: '127.0.0.1', port: brokerPort }, openedAt: c?.since ?? firstTime };
  if (c?.state === 'closed') {
    rec.closed = {
      time: c.endedAt,
      by: c.ended === 'broker-closed' || c.ended === 'keepalive-timeout' ? 'broker' : 'client',
      reset: c.ended === 'severed',
    };
  }
  return rec;
}

/**
 * An HTTP conversation goes on its real ports (the client's, and the HTTP tap's it connected to), a TCP
 * stream of its own: written on the broker's port it would be read as MQTT, malformed, and its bytes would
 * share a stream with nothing it belongs to.
 */
function httpEndpoints(connId: number, w: HttpWire): RecordedConnection {
  const rec: RecordedConnection = { connId, client: w.client, broker: w.server, openedAt: w.since };
  if (w.end !== undefined) rec.closed = { time: w.end.time, by: w.end.by === 'server' ? 'broker' : 'client', reset: w.end.reset };
  return rec;
}

function splitRemote(remote: string | undefined): [string, number] | null {
  const m = remote === undefined ? null : /^(.*):(\d+)$/.exec(remote);
  if (m === null) return null;
  const ip = m[1]!.replace(/^::ffff:/, '');
  // The synthetic capture is IPv4; an IPv6 peer is shown at loopback rather than mangled.
  return [ip.includes(':') ? '127.0.0.1' : ip, Number(m[2])];
}

/** Replaces the capture with the MQTT packets of a pcap or pcapng file; returns how many were loaded. */
export function captureOpen(lab: LabParts, bytes: Uint8Array, ports?: number[]): number {
  const st = lab.status();
  const own = [st.tap, st.tls, st.wss].filter((a) => a !== undefined).map((a) => a.port);
  const records = readCaptureRecords(bytes, ports ?? [1883, 8883, ...own], 4, { tls: captureTls() }).map((r) => ({ ...r, record: { ...r.record, connId: FILE_CONN_BASE + r.record.connId } }));
  lab.store.clear();
  for (const r of records) {
    if (r.clientId !== undefined) lab.store.setClientId(r.record.connId, r.clientId);
    lab.store.append(r.record);
  }
  return records.length;
}
