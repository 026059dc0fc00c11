import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { AedesBroker } from '../../src/core/broker/aedes-broker.js';
import { AedesThreadBroker } from '../../src/core/broker/aedes-thread.js';
import { createBroker, threadPays } from '../../src/core/broker/create-broker.js';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { MosquittoBroker } from '../../src/core/broker/mosquitto-broker.js';
import { UpstreamBroker, parseHostPort } from '../../src/core/broker/upstream-broker.js';
import { extraResources } from './resources.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('parseHostPort', () => {
  it('reads host:port and [v6]:port', () => {
    expect(parseHostPort('broker.local:1883')).toEqual({ host: 'broker.local', port: 1883 });
    expect(parseHostPort('[::1]:8883')).toEqual({ host: '::1', port: 8883 });
  });
  it.each(['broker.local', 'broker.local:', ':1883', 'h:0', 'h:70000', 'h:12ab'])('refuses %s', (text) => {
    expect(() => parseHostPort(text)).toThrow(/upstream must be host:port/);
  });
});

describe('UpstreamBroker', () => {
  it('refuses a closed port with a clear message', async () => {
    const port = await closedPort();
    await expect(new UpstreamBroker(`127.0.0.1:${port}`).start()).rejects.toThrow(
      `upstream broker 127.0.0.1:${port} does not accept TCP connections (connection refused: is the broker running and listening there?)`,
    );
  });

  it('accepts a listening broker, learns it speaks only 3.1.1 (aedes), and leaves nothing open', async () => {
    const aedes = new AedesBroker();
    const { port } = await aedes.start();
    stops.push(() => aedes.stop());
    const before = process.getActiveResourcesInfo();
    const up = new UpstreamBroker(`127.0.0.1:${port}`);
    expect(await up.start()).toEqual({ host: '127.0.0.1', port, kind: 'upstream', mqtt5: false });
    await up.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(extraResources(before)).toEqual([]);
  });

  it.skipIf(findExecutable('mosquitto') === undefined)('learns that mosquitto speaks MQTT 5', async () => {
    const m = new MosquittoBroker();
    const { port } = await m.start();
    stops.push(() => m.stop());
    expect(await new UpstreamBroker(`127.0.0.1:${port}`).start()).toMatchObject({ kind: 'upstream', mqtt5: true });
    expect(await new UpstreamBroker(`127.0.0.1:${port}`, { probeMqtt5: false }).start()).toMatchObject({ mqtt5: false });
  });
});

describe('createBroker', () => {
  it('makes each kind', () => {
    // From the sources (as here) the embedded broker gets a thread of its own where a core is to spare;
    // false keeps it in this one on any machine.
    expect(createBroker({ kind: 'aedes' })).toBeInstanceOf(threadPays(availableParallelism()) ? AedesThreadBroker : AedesBroker);
    expect(createBroker({ kind: 'aedes', brokerThread: false })).toBeInstanceOf(AedesBroker);
    expect(createBroker({ kind: 'mosquitto', users: { a: 'b' } })).toBeInstanceOf(MosquittoBroker);
    expect(createBroker({ kind: 'upstream', upstream: 'localhost:1883' })).toBeInstanceOf(UpstreamBroker);
  });
  it('gives aedes a thread of its own only where a core is to spare', () => {
    expect([1, 2, 3, 4, 16].map(threadPays)).toEqual([false, false, true, true, true]);
  });
  it('says what an upstream broker needs', () => {
    expect(() => createBroker({ kind: 'upstream' })).toThrow('an upstream broker needs its address: --upstream host:port');
    expect(() => createBroker({ kind: 'upstream', upstream: 'h:1', users: {} })).toThrow(/configured on that broker/);
  });
});
