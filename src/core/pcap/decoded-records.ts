// Every MQTT packet of a capture file, decoded: the TCP streams reassembled and framed, the protocol version
// tracked per stream from its CONNECT, as Wireshark does.
import type { PacketRecord } from '../../shared/lab.js';
import type { MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import type { CaptureRecord } from './capture-record.js';
import { readCapture } from './capture-reader.js';
import { mqttStreams, type MqttStreamOptions, type TlsUnwrap } from './mqtt-streams.js';
import { SECRETS_TLS_KEY_LOG } from './pcapng-reader.js';

/** Connection ids of packets loaded from a file into a live lab start here, apart from the tap's. */
export const FILE_CONN_BASE = 1_000_000;

export interface LoadedRecord {
  /** connId is the tcp.stream index; `frame` the 1-based record holding the packet's last byte. */
  record: Omit<PacketRecord, 'seq'>;
  frame: number;
  clientId?: string;
  /** The client's end of the connection, `ip:port`. */
  client: string;
}

export type ReadRecordsOptions = Pick<MqttStreamOptions, 'detectConnect' | 'onNote' | 'onEnd'> & {
  /** Opens the capture's TLS connections with the keys of its Decryption Secrets Blocks (see core/tls/capture-tls.ts). */
  tls?: TlsUnwrap & { addSecrets(keyLog: Uint8Array): void };
};

/**
 * Decodes every MQTT packet of a capture, tracking the protocol version per TCP stream as Wireshark does.
 * `defaultVersion` decodes streams whose CONNECT was not captured (Wireshark's 'default version' preference).
 */
export function readCaptureRecords(capture: Uint8Array | Iterable<CaptureRecord>, ports: number[], defaultVersion: MqttVersion = 4, opts: ReadRecordsOptions = {}): LoadedRecord[] {
  const versions = new Map<number, MqttVersion>();
  const clientIds = new Map<number, string>();
  const out: LoadedRecord[] = [];
  const tls = opts.tls;
  const secrets = { onSecrets: (type: number, data: Uint8Array) => type === SECRETS_TLS_KEY_LOG && tls?.addSecrets(data) };
  for (const p of mqttStreams(capture instanceof Uint8Array ? readCapture(capture, secrets) : capture, { ports, ...opts })) {
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
    const loaded: LoadedRecord = { record: { time: p.time, connId: p.stream, direction: p.direction, bytes: p.bytes, decoded },
      frame: p.frame,
      client: p.direction === 'toBroker' ? `${p.src}:${p.srcPort}` : `${p.dst}:${p.dstPort}`,
    };
    const id = clientIds.get(p.stream);
    if (id !== undefined) loaded.clientId = id;
    out.push(loaded);
  }
  return out;
}
