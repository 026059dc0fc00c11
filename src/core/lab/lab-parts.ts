// The Lab's parts as its command handlers and capture files see them. Only code inside src/core/lab/ gets
// this (from the Lab, at construction); everything else drives a Lab through `lab.api`.
import type { PacketSummary, LabStatus, WirePacket } from '../../shared/api.js';
import type { BrokerInfo, PacketRecord } from '../../shared/lab.js';
import type { BrokerHost } from '../broker/index.js';
import type { ClassTracker } from '../class/index.js';
import type { ClientManager } from '../clients/index.js';
import type { CaptureStore, FilterViews } from '../store/index.js';
import type { Tap } from '../tap/tap.js';
import type { ConnectionActivityIndex } from './connection-activity.js';
import type { HttpSide } from './http-side.js';
import type { LessonHost } from './lesson-host.js';
import type { Transports } from './transports.js';

export interface LabParts {
  readonly store: CaptureStore;
  /** The capture through display filters, by position (packets.window, packets.indexOf, filtered queries). */
  readonly views: FilterViews;
  readonly tap: Tap;
  readonly clients: ClientManager;
  readonly lessons: LessonHost;
  /** Which client ids completed which class exercises, from every packet through the tap. */
  readonly class: ClassTracker;
  /** Packets and last activity per connection, for finding and grouping many students' connections. */
  readonly activity: ConnectionActivityIndex;
  /** HTTP beside MQTT, for comparing the two (started on first use). */
  readonly http: HttpSide;
  /** The TLS and WebSocket ports, their log of records and frames, and the CA file clients need. */
  readonly transports: Transports;
  readonly tapAddress: { host: string; port: number };
  /** The broker new connections reach: the lab's own, or the one a running lesson asked for. */
  readonly broker: BrokerHost;
  readonly brokerInfo: BrokerInfo;
  status(): LabStatus;
  /** A packet whole (bytes and tree), as packets.get answers it. */
  packet(r: PacketRecord): WirePacket;
  /** The summary of a record the store holds, by seq. */
  summaryAt(seq: number): PacketSummary | undefined;
}
