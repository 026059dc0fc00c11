// The stories behind lessons/captures/: each drives a real Lab (aedes behind the tap, mqtt.js clients) and
// ends with every connection closed, so the saved file shows whole TCP conversations.
import type { Lab } from '../../src/core/lab/index.js';
import type { ClientOptions } from '../../src/shared/lab.js';
import { connOf, waitClientState, waitEnded, waitMessages, waitRecord, waitRecords } from '../lab/support/records.js';

export interface Scenario {
  /** File name under lessons/captures/, without extension. */
  name: string;
  /** One line for the README of the folder and for the viewer's demo. */
  about: string;
  run(lab: Lab): Promise<void>;
}

async function client(lab: Lab, id: string, options: ClientOptions = {}): Promise<void> {
  await lab.api.call('clients.create', { id, options });
  await lab.api.call('clients.connect', { id });
}

/** DISCONNECT for each client still connected, and waits until the tap saw each connection close. */
async function closeAll(lab: Lab, ids: string[]): Promise<void> {
  for (const id of ids) {
    const conn = (await connOf(lab, id));
    if (conn.state === 'closed') continue;
    await lab.api.call('clients.disconnect', { id });
    await waitEnded(lab, conn.connId);
  }
}

const qosTour: Scenario = {
  name: 'qos-tour',
  about: 'sensor publishes one reading at QoS 0, 1 and 2; phone, subscribed at QoS 2, receives all three',
  async run(lab) {
    await client(lab, 'phone');
    await lab.api.call('clients.subscribe', { id: 'phone', subscriptions: [{ filter: 'home/#', qos: 2 }] });
    await client(lab, 'sensor');
    for (const qos of [0, 1, 2] as const) {
      await lab.api.call('clients.publish', { id: 'sensor', topic: 'home/livingroom/temp', payload: JSON.stringify({ celsius: 21 + qos / 2 }), qos });
      await waitMessages(lab, 'phone', qos + 1);
    }
    // The phone's side of the QoS 2 exchange ends with its PUBCOMP; wait for it before closing.
    await waitRecord(lab, { clientId: 'phone', type: 'PUBCOMP', direction: 'toBroker' });
    await closeAll(lab, ['sensor', 'phone']);
  },
};

const pubackDropped: Scenario = {
  name: 'puback-dropped',
  about: 'the tap drops the PUBACK for a QoS 1 PUBLISH; only after a sever and a reconnect does sensor resend it with DUP=1',
  async run(lab) {
    await client(lab, 'phone');
    await lab.api.call('clients.subscribe', { id: 'phone', subscriptions: [{ filter: 'home/#', qos: 1 }] });
    await client(lab, 'sensor', { clean: false });
    const first = (await connOf(lab, 'sensor')).connId;
    await lab.api.call('faults.add', { match: { type: 'PUBACK', direction: 'toClient', clientId: 'sensor' }, action: 'drop', times: 1 });
    const acked = lab.api.call('clients.publish', { id: 'sensor', topic: 'home/door', payload: 'open', qos: 1 });
    await waitRecord(lab, { connId: first, type: 'PUBACK', direction: 'toClient', fault: 'drop' });
    await waitMessages(lab, 'phone', 1);
    // The phone's PUBACK goes out before anything else happens, so every recording has the same order.
    await waitRecords(lab, { clientId: 'phone', type: 'PUBACK', direction: 'toBroker' }, 1);
    await lab.api.call('connections.sever', { connId: first });
    await waitClientState(lab, 'sensor', 'disconnected');
    await lab.api.call('clients.reconnect', { id: 'sensor' });
    await acked;
    // At least once: the phone gets the message a second time.
    await waitMessages(lab, 'phone', 2);
    await closeAll(lab, ['sensor', 'phone']);
  },
};

const willAfterSever: Scenario = {
  name: 'will-after-sever',
  about: 'patient connects with a Last Will; the tap severs its connection and the broker publishes the will to nurse',
  async run(lab) {
    await client(lab, 'nurse');
    await lab.api.call('clients.subscribe', { id: 'nurse', subscriptions: [{ filter: 'care/#', qos: 1 }] });
    await client(lab, 'patient', { will: { topic: 'care/patient/status', payload: 'offline', qos: 1 } });
    await lab.api.call('clients.publish', { id: 'patient', topic: 'care/patient/heart', payload: '72', qos: 1 });
    await waitMessages(lab, 'nurse', 1);
    // The heart rate's PUBACK goes on the wire before the sever, so the recording's order does not race it.
    await waitRecords(lab, { clientId: 'nurse', type: 'PUBACK', direction: 'toBroker' }, 1);
    const conn = (await connOf(lab, 'patient')).connId;
    await lab.api.call('connections.sever', { connId: conn });
    await waitRecord(lab, { clientId: 'nurse', type: 'PUBLISH', direction: 'toClient', topic: 'care/patient/status' });
    // nurse acknowledges the heart rate and the will (both QoS 1) before it leaves.
    await waitRecords(lab, { clientId: 'nurse', type: 'PUBACK', direction: 'toBroker' }, 2);
    await closeAll(lab, ['nurse']);
  },
};

export const SCENARIOS: readonly Scenario[] = [qosTour, pubackDropped, willAfterSever];
