// What the two brokers the lab runs answer about sessions, on a bare socket: the embedded aedes (with the
// lab's corrections) must answer exactly as the specification says, and as mosquitto does.
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Packet } from 'mqtt-packet';
import { AedesBroker } from '../../src/core/broker/aedes-broker.js';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { MosquittoBroker } from '../../src/core/broker/mosquitto-broker.js';
import type { BrokerHost } from '../../src/core/broker/broker-host.js';
import { RawMqtt } from './raw-mqtt.js';

const open: RawMqtt[] = [];
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const r of open.splice(0)) r.destroy();
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function started(broker: BrokerHost): Promise<number> {
  stops.push(() => broker.stop());
  return (await broker.start()).port;
}

async function raw(port: number, version: 3 | 4 = 4): Promise<RawMqtt> {
  const r = await RawMqtt.open(port, version);
  open.push(r);
  return r;
}

type Connack = Packet & { returnCode: number; sessionPresent: boolean };

/**
 * A CONNECT with an empty client id, written out byte by byte because mqtt-packet refuses to generate one
 * that a server must refuse: protocol name, level, connect flags (only clean session, or none), keepalive 0,
 * and a zero-length client id.
 */
function emptyIdConnect(version: 3 | 4, clean: boolean): Uint8Array {
  const name = version === 3 ? 'MQIsdp' : 'MQTT';
  const variable = [0, name.length, ...Buffer.from(name), version, clean ? 0x02 : 0x00, 0, 0];
  const payload = [0, 0];
  return Uint8Array.from([0x10, variable.length + payload.length, ...variable, ...payload]);
}

/** Connects on a new socket and returns the CONNACK; `end` sends DISCONNECT afterwards. */
async function connack(port: number, clientId: string, clean: boolean, opts: { end?: boolean; version?: 3 | 4 } = {}): Promise<{ ack: Connack; socket: RawMqtt }> {
  const socket = await raw(port, opts.version ?? 4);
  if (clientId === '') socket.write(emptyIdConnect(opts.version ?? 4, clean));
  else await socket.connect({ clientId, clean });
  const ack = (await socket.next('connack')) as Connack;
  if (opts.end === true) {
    socket.send({ cmd: 'disconnect' });
    await socket.waitClosed();
  }
  return { ack, socket };
}

const brokers: Array<[string, () => BrokerHost]> = [['aedes (embedded)', () => new AedesBroker()]];
if (findExecutable('mosquitto') !== undefined) brokers.push(['mosquitto', () => new MosquittoBroker()]);

describe.each(brokers)('%s and sessions', (_name, make) => {
  it('says session present 1 when a session with no subscription was kept [MQTT-3.2.2-2], 0 after a clean one [MQTT-3.2.2-1]', async () => {
    const port = await started(make());
    expect((await connack(port, 'sp-publisher', false, { end: true })).ack).toMatchObject({ returnCode: 0, sessionPresent: false });
    expect((await connack(port, 'sp-publisher', false, { end: true })).ack).toMatchObject({ returnCode: 0, sessionPresent: true });
    // A clean connection discards the session; the next persistent one starts a new, empty session.
    expect((await connack(port, 'sp-publisher', true, { end: true })).ack).toMatchObject({ returnCode: 0, sessionPresent: false });
    expect((await connack(port, 'sp-publisher', false, { end: true })).ack).toMatchObject({ returnCode: 0, sessionPresent: false });
    expect((await connack(port, 'sp-publisher', false, { end: true })).ack).toMatchObject({ returnCode: 0, sessionPresent: true });
  });

  it('keeps the session of a connection that ended without DISCONNECT', async () => {
    const port = await started(make());
    const first = await connack(port, 'sp-killed', false);
    first.socket.destroy();
    await first.socket.waitClosed();
    expect((await connack(port, 'sp-killed', false)).ack).toMatchObject({ returnCode: 0, sessionPresent: true });
  });

  it('refuses a zero-length client id with clean session 0: CONNACK 2, then closes [MQTT-3.1.3-8]', async () => {
    const port = await started(make());
    const { ack, socket } = await connack(port, '', false);
    expect(ack).toMatchObject({ returnCode: 2, sessionPresent: false });
    await socket.waitClosed();
    // With clean session 1 the server may accept it and assign an id [MQTT-3.1.3-6]; both brokers do.
    expect((await connack(port, '', true)).ack).toMatchObject({ returnCode: 0, sessionPresent: false });
  });

  it('refuses a zero-length client id in MQTT 3.1, which wants 1 to 23 characters', async () => {
    const port = await started(make());
    const { ack, socket } = await connack(port, '', true, { version: 3 });
    expect(ack.returnCode).toBe(2);
    await socket.waitClosed();
  });
});

describe('aedes on its own, without the corrections', () => {
  // Shows what the lab corrects, so that a new aedes that fixes it is noticed (and the correction can go).
  it('says session present 0 for a kept session without subscriptions, and accepts an empty id with clean session 0', async () => {
    const aedes = await Aedes.createBroker();
    const server: Server = createServer((s) => aedes.handle(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(async () => {
      for (const r of open.splice(0)) r.destroy();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const port = (server.address() as AddressInfo).port;
    await connack(port, 'plain', false, { end: true });
    expect((await connack(port, 'plain', false, { end: true })).ack.sessionPresent).toBe(false);
    expect((await connack(port, '', false)).ack.returnCode).toBe(0);
  });
});

describe('the corrected aedes with users', () => {
  it('keeps session present 0 on a refused CONNACK even when a session is kept [MQTT-3.2.2-4]', async () => {
    const broker = new AedesBroker();
    const port = await started(broker);
    await connack(port, 'sp-refused', false, { end: true });
    broker.configureAuth({ users: { nurse: 'night' } });
    const socket = await raw(port);
    expect(await socket.connect({ clientId: 'sp-refused', clean: false, username: 'nurse', password: 'wrong' })).toBe(4);
    expect(((await socket.next('connack')) as Connack).sessionPresent).toBe(false);
  });
});
