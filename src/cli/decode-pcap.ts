// `decode --pcap`: every MQTT packet of a capture, one line each (or one JSON object per line), with the
// frame where it ends, as tshark numbers frames.
import { readCaptureRecords } from '../core/pcap/decoded-records.js';
import { captureTls } from '../core/tls/capture-tls.js';
import { CaptureFormatError } from '../core/pcap/index.js';
import type { MqttVersion } from '../shared/packet.js';
import { UsageError } from './args.js';
import { toJson } from './decode.js';

export function decodePcapFile(bytes: Uint8Array, ports: number[], version: MqttVersion | undefined, json: boolean,
  out: (line: string) => void): number {
  let records;
  try {
    records = readCaptureRecords(bytes, ports, version, { tls: captureTls() });
  } catch (e) {
    if (e instanceof CaptureFormatError) throw new UsageError(e.message);
    throw e;
  }
  for (const r of records) {
    const dir = r.record.direction === 'toBroker' ? '→' : '←';
    if (json) out(JSON.stringify({ frame: r.frame, stream: r.record.connId, direction: r.record.direction, time: r.record.time, ...toJson(r.record.decoded) }));
    else out(`${String(r.frame).padStart(6)}  stream ${r.record.connId} ${dir}  ${r.record.decoded.summary}`);
  }
  if (records.length === 0 && !json) out(`no MQTT packets on port${ports.length > 1 ? "s" : ""} ${ports.join(", ")} (use --port to name the broker's port)`);
  return 0;
}
