// What a saved capture holds: which records travelled on the wire, and each connection's endpoints as the
// file shows them (the client's real address and port when known; the broker on the port the save names).
import type { LabStatus } from '../../shared/api.js';
import type { Connection } from '../../shared/lab.js';
import type { RecordedConnection } from '../pcap/index.js';
import type { CaptureStore } from '../store/capture-store.js';
import type { HttpWire } from './http-side.js';
import type { LabParts } from './lab-parts.js';

/**
 * A connection as the file shows it: HTTP on its own ports; TLS and WebSocket on the tap's port for them;
 * plain MQTT on `brokerPort`. `live` is the tap's view of the connection, `ports` the lab's status, both as
 * they were when the save started.
 */
export function connectionFor(lab: LabParts, connId: number, firstTime: number, live: Connection | undefined, ports: LabStatus, brokerPort: number): RecordedConnection {
  const layers = lab.transports.log.layersOf(connId)?.join('+');
  const port = layers === 'tls' ? ports.tls?.port : layers === 'ws' ? ports.ws?.port : layers === 'tls+ws' ? ports.wss?.port : undefined;
  const http = lab.http.wire(connId);
  return http !== undefined ? httpEndpoints(connId, http) : endpoints(connId, live, port ?? brokerPort, firstTime);
}

export function travelled(store: CaptureStore, seq: number): boolean {
  // A packet the store kept only the start of cannot be written whole; a cut-off segment would break the
  // file's TCP stream for every packet after it, so it is left out (the lab's own view still shows it).
  if (store.isCut(seq)) return false;
  const f = store.faultOf(seq);
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
