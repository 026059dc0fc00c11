// `mqtt-lab broker`: a headless broker behind the tap that prints every packet, both directions, as it
// happens; `--pcap` records the traffic (the lab writes it live, core/lab/live-pcap.ts); Ctrl-C stops
// everything and flushes the file.
import type { LabOptions } from '../core/lab/index.js';
import { PcapngFileWriter } from '../core/pcap/index.js';
import { UsageError, one, parseArgs, type FlagSpec } from './args.js';
import { LAB_FLAGS, labOptionsFrom, startLab, transportLines } from './lab-flags.js';
import type { LineBatch } from './line-batch.js';
import { liveLog, type LiveLog } from './log-thread.js';
import { connectionLine, packetLine } from './packet-line.js';
import { untilSignal } from './web.js';

/** `--port` is the students' port here (web's `--broker-port`). */
export const BROKER_FLAGS: FlagSpec = { values: ['port', 'pcap', ...LAB_FLAGS.values.filter((v) => v !== 'broker-port')], booleans: LAB_FLAGS.booleans };

/** `lines` is the batch the command's `out` writes to: the live log takes over from it (log-thread.ts). */
export async function brokerCommand(argv: string[], _out: (line: string) => void, lines: LineBatch): Promise<number> {
  const p = parseArgs(argv, BROKER_FLAGS);
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
  // Every line from here on goes through the live log, which may make them on a thread of its own.
  const log = liveLog(lines, (bytes) => process.stdout.write(bytes), (opts.broker ?? 'aedes') === 'aedes');
  try {
    return await serve(opts, one(p, 'port') !== undefined, pcap, pcapPath, log);
  } finally {
    log.close();
  }
}

async function serve(opts: LabOptions, portGiven: boolean, pcap: PcapngFileWriter | null, pcapPath: string | undefined, log: LiveLog): Promise<number> {
  const out = (line: string): void => log.out(line);
  const lab = await startLab(pcap === null ? opts : { ...opts, pcap }, portGiven, out);
  const tap = lab.tapAddress;
  out(`MQTT Lab broker on mqtt://${tap.host}:${tap.port} (${lab.brokerInfo.kind}${lab.brokerInfo.mqtt5 ? ', MQTT 5' : ', MQTT 3.1/3.1.1'} behind the tap)${pcap ? `, recording to ${pcapPath}` : ''}. Ctrl-C stops.`);
  for (const line of transportLines(lab)) out(line);
  if (opts.lan) out('!! --lan: the broker port is open to your local network. Anyone on it can connect.');
  // By seq, in order among the other events: the line needs no payload preview, so none is made.
  lab.onPacketSeq((seq) => log.packet(seq, lab));
  lab.api.on('packet-update', (pk) => out(packetLine(pk)));
  lab.api.on('connection', (c) => {
    const line = connectionLine(c);
    if (line !== '') out(line);
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
