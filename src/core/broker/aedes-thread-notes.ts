// What the lab's thread and the embedded broker's thread tell each other besides the connections' bytes.
import type { BrokerEvent, BrokerInfo } from '../../shared/lab.js';
import type { AuthOptions } from './broker-host.js';

export type ToBrokerThread = { kind: 'auth'; auth: AuthOptions } | { kind: 'stop' };

export type FromBrokerThread =
  | { kind: 'ready'; info: BrokerInfo }
  | { kind: 'failed'; message: string }
  | { kind: 'event'; event: BrokerEvent }
  | { kind: 'stopped' };
