import type { Clock } from '../../shared/clock.js';
import type { AclRule, BrokerKind } from '../../shared/lab.js';
import type { PcapngFileWriter } from '../pcap/index.js';

export interface LabOptions {
  /** Which broker sits behind the tap. Default the embedded aedes. */
  broker?: BrokerKind;
  /** `host:port` of an upstream broker (broker 'upstream'). */
  upstream?: string;
  users?: Record<string, string>;
  acl?: AclRule[];
  /**
   * Where the embedded broker's thread starts from: the compiled aedes-worker.js of a built app. Default the
   * sources' (aedes-thread.ts sourceWorkerEntry). Used where a core is to spare (create-broker.ts
   * threadPays); false keeps aedes in the lab's thread.
   */
  brokerThread?: URL | false;
  /** The port students connect to (the tap). Default 1883; 0 picks a free port. */
  port?: number;
  /** Bind the tap to all interfaces so an ESP32 or phone on the LAN can connect. */
  lan?: boolean;
  /** Packets the capture keeps (oldest dropped first). Default 1,000,000 (store/capture-store.ts). */
  capacity?: number;
  maxPacketSize?: number;
  /** A TLS port on the tap (MQTT over TLS 1.3, the lab's own certificate); 0 picks a free one. Off when absent. */
  tlsPort?: number;
  /** MQTT over WebSocket on path /mqtt; 0 picks a free port. Off when absent. */
  wsPort?: number;
  /** MQTT over WebSocket inside TLS (wss://, same certificate as the TLS port). Off when absent. */
  wssPort?: number;
  /** Where the lab's CA and server certificate are kept; default MQTT_LAB_TLS_DIR or tls/ in the user's data folder. */
  tlsDir?: string;
  /** Folders of lessons: the built-in course (default: the checkout's lessons/) and a lecturer's own. */
  lessonDirs?: Array<{ dir: string; origin: 'built-in' | 'yours' }>;
  /**
   * The lab's time: record times, fault delays, lesson waits and expectation windows, client message times
   * and the browser mode's event batching. Default the wall clock; tests pass one they move by hand.
   */
  clock?: Clock;
  /** The user's data folder: lesson progress and the student's name are saved there. None: not saved. */
  dataDir?: string;
  /**
   * Writes every packet that travels into this file as it happens (`mqtt-lab broker --pcap`); TLS and
   * WebSocket connections as their wire bytes with their keys. The file stays open: its owner closes it
   * after stop().
   */
  pcap?: PcapngFileWriter;
  /**
   * Touch the capture's memory (its byte budget, 128 MiB) on a worker thread as soon as the lab starts, so
   * that the first busy minute of traffic does not pay for fresh memory on the cores the relay needs
   * (CaptureStore.reserve), and lets the heap grow further between full collections (heap-headroom.ts).
   * The CLI and the app set it; tests, which start many labs, leave it off.
   */
  reserveCapture?: boolean;
}
