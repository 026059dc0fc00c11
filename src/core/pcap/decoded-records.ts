// Every MQTT packet of a capture file, decoded: the TCP streams reassembled and framed, the protocol version
// tracked per stream from its CONNECT, as Wireshark does.
import type { PacketRecord } from '../../shared/lab.js';
import type { MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import { readCapture } from './capture-reader.js';
import { mqttStreams } from './mqtt-streams.js';
import { SECRETS_TLS_KEY_LOG } from './pcapng-reader.js';
import { KeyLog } from '../tls/key-log.js';

/** Connection ids of packets loaded from a file into a live lab start here, apart from the tap's. */
export const FILE_CONN_BASE = 1_000_000;

export interface LoadedRecord {
  /** connId is the tcp.stream index; `frame` the 1-based record holding the packet's last byte. */
  record: Omit<PacketRecord, 'seq'>;
  frame: number;
  clientId?: string;
}

/** Decodes every MQTT packet of a capture, tracking the protocol version per TCP stream as Wireshark does. */
/** `defaultVersion` decodes streams whose CONNECT was not captured (Wireshark's 'default version' preference). */
export function readCaptureRecords(bytes: Uint8Array, ports: number[], defaultVersion: MqttVersion = 4): LoadedRecord[] {
  const versions = new Map<number, MqttVersion>();
  const clientIds = new Map<number, string>();
  const out: LoadedRecord[] = [];
  // The capture's own TLS key log (Decryption Secrets Blocks) opens its TLS connections.
  const keyLog = new KeyLog();
  const frames = readCapture(bytes, { onSecrets: (type, data) => type === SECRETS_TLS_KEY_LOG && keyLog.add(data) });
  for (const p of mqttStreams(frames, { ports, keyLog })) {
    const decoded = dissect(p.bytes, { version: versions.get(p.stream) ?? defaultVersion });
    if (decoded.typeCode === 1 && p.direction === 'toBroker') {
      versions.set(p.stream, decoded.version);
      if (decoded.info.clientId !== undefined) clientIds.set(p.stream, decoded.info.clientId);
    }
    if (p.broken !== undefined) {
      const issue = { severity: 'error' as const, message: `Framing: ${p.broken}` };
      (decoded.fields[0]!.issues ??= []).unshift(issue);
      decoded.issues.unshift({ ...issue, filter: decoded.fields[0]!.filter, offset: 0 });
    }
    const loaded: LoadedRecord = { record: { time: p.time, connId: p.stream, direction: p.direction, bytes: p.bytes, decoded }, frame: p.frame };
    const id = clientIds.get(p.stream);
    if (id !== undefined) loaded.clientId = id;
    out.push(loaded);
  }
  return out;
}
