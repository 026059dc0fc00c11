export { CaptureFormatError } from './errors.js';
export { memorySource, type ByteSource } from './byte-source.js';
export { fileSource } from './file-source.js';
export type { CaptureRecord, CaptureTimestamp } from './capture-record.js';
export { detectCaptureFormat, readCapture, type CaptureFormat } from './capture-reader.js';
export { readCaptureFile } from './capture-file.js';
export { readPcap, readPcapHeader, type PcapHeader } from './pcap-reader.js';
export { readPcapng } from './pcapng-reader.js';
export * from './link-layers.js';
export { parseIp, parseIpv4, parseIpv6, formatIpv4, formatIpv6, IPPROTO_TCP, type IpPacket, type IpResult } from './ip.js';
export * from './tcp.js';
export { TcpReassembler, type FrameRef, type ReassemblyEvent, type ReassemblerOptions } from './tcp-reassembly.js';
export { ConversationTable, type Conversation, type Endpoint } from './tcp-conversations.js';
export {
  mqttStreams,
  DEFAULT_MQTT_PORTS,
  type MqttStreamRecord,
  type MqttStreamOptions,
  type CaptureNote,
} from './mqtt-streams.js';
export {
  PcapngWriter,
  PcapngFileWriter,
  CaptureWriter,
  pcapngToBuffer,
  writePcapng,
  type PacketSource,
  type PcapngWriterOptions,
  type PcapngFileOptions,
  type RecordedPacket,
  type RecordedConnection,
  type ConnectionEndpoints,
  type CloseOptions,
} from './pcapng-writer.js';
export { buildTcpFrame, MAX_TCP_PAYLOAD, type SyntheticLink, type TcpPacketSpec } from './packet-builder.js';
export { parseIpAddress, type IpAddress } from './ip-address.js';
