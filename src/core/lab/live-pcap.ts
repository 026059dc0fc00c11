// A pcapng written while the lab runs (`mqtt-lab broker --pcap`): every packet that travelled, as TCP
// connections between each client and the broker port; a TLS or WebSocket connection as its wire bytes,
// with its TLS keys, as capture.save writes them.
import type { Connection, PacketRecord } from '../../shared/lab.js';
import type { PcapngFileWriter } from '../pcap/index.js';
import type { KeptUnit } from '../transport/transport-log.js';
import type { LabParts } from './lab-parts.js';

/** Starts writing; returns the function that stops listening (the file stays open: its owner closes it). */
export function recordLive(lab: Pick<LabParts, 'tap' | 'transports' | 'status' | 'tapAddress'>, file: PcapngFileWriter): () => void {
  const recorder = pcapRecorder(file, lab.tapAddress.port);
  const log = lab.transports.log;
  // tap.connections() copies every connection: asked only for a connection's first packet, not for each
  // packet (with a class of 200 students, 200 copies per relayed packet slowed the relay).
  const connOf = (connId: number) => lab.tap.connections().find((c) => c.connId === connId);
  const onPacket = (r: PacketRecord): void => {
    if (!log.has(r.connId)) recorder.packet(r, () => connOf(r.connId));
  };
  const write = (u: KeptUnit): void => {
    const port = (c: Connection | undefined): number | undefined => {
      const st = lab.status();
      const t = c?.transport;
      return t === 'tls' ? st.tls?.port : t === 'ws' ? st.ws?.port : st.wss?.port;
    };
    recorder.packet({ seq: 0, time: u.time, connId: u.connId, direction: u.direction, bytes: u.bytes } as PacketRecord, () => connOf(u.connId), port);
  };
  // A TLS connection's records wait until its keys are written: Wireshark reads a Decryption Secrets
  // Block only for records after it, and Node learns the client's traffic secret after the client's
  // Finished record has gone by.
  const held = new Map<number, KeptUnit[]>();
  const flush = (connId: number): void => {
    for (const u of held.get(connId) ?? []) write(u);
    held.delete(connId);
  };
  const keysDone = new Set<number>();
  // The log keeps its followers for its whole life, which is the lab's.
  log.follow((u) => {
    if (u.layer !== log.layersOf(u.connId)?.[0]) return;
    if (u.layer !== 'tls' || keysDone.has(u.connId)) return write(u);
    held.set(u.connId, [...(held.get(u.connId) ?? []), u]);
  }, (connId, line) => {
    file.writeTlsKeyLog(`${line}\n`);
    if (!line.startsWith('CLIENT_TRAFFIC_SECRET_0 ')) return;
    keysDone.add(connId);
    flush(connId);
  });
  const onConnection = (c: Connection): void => {
    if (c.state !== 'closed') return;
    // Records still waiting for keys go in before the connection's close.
    flush(c.connId);
    recorder.closed(c);
  };
  lab.tap.on('packet', onPacket);
  lab.tap.on('connection', onConnection);
  return () => {
    lab.tap.off('packet', onPacket);
    lab.tap.off('connection', onConnection);
  };
}

function pcapRecorder(file: PcapngFileWriter, brokerPort: number) {
  return {
    /** `conn` is asked only for a connection's first packet; `portOf` gives the broker port to show (default brokerPort). */
    packet(pk: PacketRecord, conn: () => Connection | undefined, portOf?: (c: Connection | undefined) => number | undefined): void {
      if (pk.fault?.action === 'drop' || pk.fault?.action === 'sever') return;
      if (!file.hasConnection(pk.connId)) {
        const c = conn();
        const port = portOf === undefined ? brokerPort : portOf(c) ?? brokerPort;
        const m = /^(?:::ffff:)?([\d.]+):(\d+)$/.exec(c?.remote ?? '');
        const client = m === null ? { ip: '127.0.0.1', port: 40000 + (pk.connId % 20000) } : { ip: m[1]!, port: Number(m[2]) };
        file.openConnection(pk.connId, { client, broker: { ip: '127.0.0.1', port } }, c?.since ?? pk.time);
      }
      file.write(pk);
    },
    closed(c: Connection): void {
      if (!file.hasConnection(c.connId)) return;
      file.closeConnection(c.connId, c.endedAt ?? Date.now(), {
        by: c.ended === 'broker-closed' || c.ended === 'keepalive-timeout' ? 'broker' : 'client',
        reset: c.ended === 'severed',
      });
    },
  };
}
