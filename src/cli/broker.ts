// `mqtt-lab broker`: a headless broker behind the tap that prints every packet, both directions, as it
// happens; `--pcap` records the traffic; Ctrl-C stops everything and flushes the file.
import type { Connection, PacketRecord } from '../shared/lab.js';
import { PcapngFileWriter } from '../core/pcap/index.js';
import type { KeptUnit } from '../core/transport/transport-log.js';
import { UsageError, one, parseArgs } from './args.js';
import { LAB_FLAGS, labOptionsFrom, startLab, transportLines } from './lab-flags.js';
import { connectionLine, packetLine } from './packet-line.js';
import { untilSignal } from './web.js';

export async function brokerCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const p = parseArgs(argv, { values: ['port', 'pcap', ...LAB_FLAGS.values.filter((v) => v !== 'broker-port')], booleans: LAB_FLAGS.booleans });
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const opts = labOptionsFrom(p, 'port');
  const pcapPath = one(p, 'pcap');
  let pcap: PcapngFileWriter | null = null;
  if (pcapPath !== undefined) {
    try {
      pcap = new PcapngFileWriter(pcapPath);
    } catch (e) {
      throw new UsageError(`cannot write ${pcapPath}: ${(e as Error).message}`);
    }
  }
  const lab = await startLab(opts, one(p, 'port') !== undefined, out);
  const tap = lab.tapAddress;
  out(`MQTT Lab broker on mqtt://${tap.host}:${tap.port} (${lab.brokerInfo.kind}${lab.brokerInfo.mqtt5 ? ', MQTT 5' : ', MQTT 3.1/3.1.1'} behind the tap)${pcap ? `, recording to ${pcapPath}` : ''}. Ctrl-C stops.`);
  for (const line of transportLines(lab)) out(line);
  if (opts.lan) out('!! --lan: the broker port is open to your local network. Anyone on it can connect.');
  const recorder = pcap === null ? null : pcapRecorder(pcap, tap.port);
  lab.api.on('packet', (pk) => out(packetLine(pk)));
  let flushHeld: ((connId: number) => void) | undefined;
  const connOf = (connId: number) => lab.tap.connections().find((c) => c.connId === connId);
  if (recorder !== null) {
    const log = lab.transports.log;
    // A TLS or WebSocket connection is recorded as its wire bytes, with its TLS keys, like capture.save.
    lab.tap.on('packet', (r) => {
      if (!log.has(r.connId)) recorder.packet(r, connOf(r.connId));
    });
    const write = (u: KeptUnit): void => {
      const st = lab.status();
      const t = connOf(u.connId)?.transport;
      const port = t === 'tls' ? st.tls?.port : t === 'ws' ? st.ws?.port : st.wss?.port;
      recorder.packet({ seq: 0, time: u.time, connId: u.connId, direction: u.direction, bytes: u.bytes } as PacketRecord, connOf(u.connId), port);
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
    log.follow((u) => {
      if (u.layer !== log.layersOf(u.connId)?.[0]) return;
      if (u.layer !== 'tls' || keysDone.has(u.connId)) return write(u);
      held.set(u.connId, [...(held.get(u.connId) ?? []), u]);
    }, (connId, line) => {
      pcap!.writeTlsKeyLog(`${line}\n`);
      if (!line.startsWith('CLIENT_TRAFFIC_SECRET_0 ')) return;
      keysDone.add(connId);
      flush(connId);
    });
    flushHeld = flush;
  }
  lab.api.on('packet-update', (pk) => out(packetLine(pk)));
  lab.api.on('connection', (c) => {
    const line = connectionLine(c);
    if (line !== '') out(line);
    if (c.state === 'closed') {
      // Records still waiting for keys go in before the connection's close.
      flushHeld?.(c.connId);
      recorder?.closed(c);
    }
  });
  lab.api.on('broker', (e) => {
    if (e.kind === 'will-published') out(`${new Date(e.time).toISOString().slice(11, 23)}  broker publishes the Last Will of ${e.clientId} on '${e.topic}' (q${e.qos}, r${e.retain ? 1 : 0})`);
  });
  await untilSignal();
  await lab.stop();
  pcap?.close();
  if (pcap !== null) out(`Saved ${pcapPath}`);
  return 0;
}

/** Streams delivered packets into the pcapng as TCP connections between each client and the broker port. */
function pcapRecorder(file: PcapngFileWriter, brokerPort: number) {
  return {
    packet(pk: PacketRecord, c: Connection | undefined, port = brokerPort): void {
      if (pk.fault?.action === 'drop' || pk.fault?.action === 'sever') return;
      if (!file.hasConnection(pk.connId)) {
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
