// The demo story the fake lab plays on start: a subscriber, a QoS 2 exchange, a PUBACK lost at the tap,
// a delayed delivery, a malformed PUBLISH and a sensor dying so that its Last Will is published.
import type { FakeLab } from '../fake-lab.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runDemo(lab: FakeLab): Promise<void> {
  const call = lab.call.bind(lab);
  await call('clients.create', { id: 'dashboard', options: { clientId: 'dashboard', keepalive: 30 } });
  await call('clients.connect', { id: 'dashboard' });
  await call('clients.subscribe', { id: 'dashboard', subscriptions: [{ filter: 'home/#', qos: 2 }] });
  await call('clients.create', {
    id: 'sensor',
    options: { clientId: 'sensor-kitchen', clean: false, keepalive: 10, will: { topic: 'home/kitchen/status', payload: 'offline', qos: 1, retain: true } },
  });
  await call('clients.connect', { id: 'sensor' });
  await sleep(300);
  await call('clients.publish', { id: 'sensor', topic: 'home/kitchen/temp', payload: '{"temperature": 21.5}', qos: 2 });
  await sleep(400);
  await call('faults.add', { match: { type: 'PUBACK', direction: 'toClient', clientId: 'sensor-kitchen' }, action: 'drop', times: 1 });
  await call('clients.publish', { id: 'sensor', topic: 'home/kitchen/humidity', payload: '{"humidity": 48}', qos: 1 });
  await sleep(400);
  await call('faults.add', { match: { type: 'PUBLISH', direction: 'toClient', clientId: 'dashboard' }, action: 'delay', ms: 600, times: 1 });
  await call('clients.publish', { id: 'sensor', topic: 'home/kitchen/temp', payload: '{"temperature": 21.9}', qos: 0 });
  await sleep(900);
  // A hand-made client that breaks the rules, so the detail view has a red field to show.
  const rogue = lab.openConn(null);
  lab.transmit(rogue, 'toBroker', { type: 'CONNECT', clientId: 'rogue', version: 4, clean: true, keepalive: 0 });
  await sleep(50);
  lab.transmit(rogue, 'toBroker', { type: 'PUBLISH', topic: 'home/+/temp', payload: new TextEncoder().encode('oops'), qos: 0, retain: false, dup: false });
  await sleep(300);
  await call('clients.kill', { id: 'sensor' });
}

export function startTelemetry(lab: FakeLab): void {
  let t = 0;
  let started = false;
  const timer = setInterval(() => {
    void (async () => {
      if (!started) {
        started = true;
        await lab.call('clients.create', { id: 'thermo', options: { clientId: 'thermo-livingroom' } });
        await lab.call('clients.connect', { id: 'thermo' });
      }
      t++;
      const temperature = Math.round((20 + 2 * Math.sin(t / 6) + Math.random() * 0.4) * 10) / 10;
      const humidity = Math.round(45 + 5 * Math.cos(t / 9));
      await lab.call('clients.publish', { id: 'thermo', topic: 'home/livingroom/climate', payload: JSON.stringify({ temperature, humidity }), qos: 0 });
    })().catch(() => {});
  }, 1500);
  lab.addTimer(() => clearInterval(timer));
}
