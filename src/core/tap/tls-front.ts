// Terminates TLS for one client of the tap: the raw bytes pass a WireTap, where every record is logged as
// an observer sees it, before Node's TLS socket decrypts them. The TLS socket's `keylog` secrets open the
// logged records too, so the lab can show which record carried which MQTT packet.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Direction } from '../../shared/lab.js';
import { KeyLog } from '../tls/key-log.js';
import { TlsSession, type TlsUnit } from '../tls/tls-session.js';
import { describeTlsUnit } from '../transport/tls-unit-view.js';
import type { TransportLog } from '../transport/transport-log.js';
import { WireTap } from './wire-tap.js';

export interface FrontHooks {
  log: TransportLog;
  now(): number;
}

/** Wraps a raw client socket in a server-side TLS socket whose traffic is logged under `connId()`. */
export function tlsFront(raw: Socket, context: SecureContext, hooks: FrontHooks, connId: () => number): TLSSocket {
  const keys = new KeyLog();
  const session = new TlsSession(keys, {
    unit: (u) => keep(hooks.log, connId(), u),
    notTls: (n) => hooks.log.add({
      connId: connId(), direction: n.direction, time: n.time, layer: 'tls', offset: n.offset, bytes: n.bytes,
      describe: () => ({ summary: `Not TLS: ${n.reason} (${n.bytes.length} bytes)`, fields: [] }),
    }),
  });
  const wire = new WireTap(raw, (dir: Direction, chunk: Buffer) => session.push(dir, chunk, hooks.now()));
  const socket = new TLSSocket(wire, { isServer: true, secureContext: context });
  socket.on('keylog', (line: Buffer) => {
    const text = line.toString('latin1');
    keys.add(text);
    hooks.log.keyLogLine(connId(), text);
    session.keysChanged();
  });
  socket.once('close', () => session.finish());
  return socket;
}

function keep(log: TransportLog, connId: number, u: TlsUnit): void {
  log.add({
    connId, direction: u.direction, time: u.time, layer: 'tls', offset: u.record.offset, bytes: u.record.bytes,
    // Opened later when the keys arrive after the record: read at the time of asking.
    get plain() {
      return u.plain;
    },
    describe: () => describeTlsUnit(u),
  });
}
