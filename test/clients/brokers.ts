// The brokers client tests run against: the embedded aedes always, mosquitto when it is installed.
import type { BrokerInfo } from '../../src/shared/lab.js';
import { AedesBroker } from '../../src/core/broker/aedes-broker.js';
import type { AuthOptions, BrokerHost } from '../../src/core/broker/broker-host.js';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { MosquittoBroker } from '../../src/core/broker/mosquitto-broker.js';

export type TestBrokerKind = 'aedes' | 'mosquitto';

export const HAVE_MOSQUITTO = findExecutable('mosquitto') !== undefined;

/** Kinds to run a suite over; mosquitto is left out (and the tests skip) where it is not installed. */
export const BROKER_KINDS: TestBrokerKind[] = HAVE_MOSQUITTO ? ['aedes', 'mosquitto'] : ['aedes'];

export async function startBroker(kind: TestBrokerKind, auth: AuthOptions = {}): Promise<{ info: BrokerInfo; host: BrokerHost }> {
  const host: BrokerHost = kind === 'aedes' ? new AedesBroker(auth) : new MosquittoBroker(auth);
  const info = await host.start();
  return { info, host };
}
