// TCP delivers bytes, not packets: however a client's writes fall into segments, the tap must record the
// same packets and the broker must receive the same stream.
import { generate } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/shared/lab.js';
import { hasError, of, sleep, startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** A conversation as one byte stream: CONNECT, SUBSCRIBE, publishes of all sizes, PINGREQ. */
function script(clientId: string): Uint8Array[] {
  const pub = (topic: string, size: number, qos: 0 | 1, messageId?: number): Uint8Array =>
    generate({ cmd: 'publish', topic, payload: Buffer.alloc(size, 0x41 + (size % 26)), qos, messageId, dup: false, retain: false });
  return [
    generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 60 }),
    generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'split/#', qos: 0 }] }),
    pub('split/empty', 0, 0),
    pub('split/small', 10, 1, 2),
    // 127 and 128 bytes of remaining length sit either side of the 1→2 byte varint boundary.
    pub('split/edge', 127 - 2 - 'split/edge'.length, 0),
    pub('split/edge', 128 - 2 - 'split/edge'.length, 0),
    pub('split/big', 20_000, 1, 3),
    generate({ cmd: 'pingreq' }),
  ];
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

/** Runs the script with `write` deciding the segments; returns the tap's toBroker records for it. */
async function runScript(r: Rig, clientId: string, write: (s: import('net').Socket, stream: Uint8Array) => Promise<void>): Promise<PacketRecord[]> {
  const c = await r.raw();
  const connId = await until(() => r.connEvents.at(-1)?.connId, 'the connection');
  const stream = concat(script(clientId));
  await write(c.socket, stream);
  // DISCONNECT only once the broker has answered: aedes closes at DISCONNECT without sending pending acks.
  await until(() => of(r.records, connId, 'toClient').filter((x) => x.decoded.type === 'PINGRESP').length === 1, 'PINGRESP');
  await c.send(generate({ cmd: 'disconnect' }));
  await c.closed(10_000);
  await until(() => r.conn(connId)?.state === 'closed', 'close');
  return of(r.records, connId, 'toBroker');
}

const written = (s: import('net').Socket, b: Uint8Array): Promise<void> =>
  new Promise((resolve, reject) => s.write(b, (e) => (e ? reject(e) : resolve())));

describe('TCP segmentation', () => {
  it('one byte per write, all packets in one write, and per-packet writes give identical records', async () => {
    rig = await startRig();
    const expected = script('x').map((b) => Buffer.from(b).toString('hex'));

    const whole = await runScript(rig, 'whole', (s, b) => written(s, b));
    const perPacket = await runScript(rig, 'packets', async (s) => {
      for (const p of script('packets')) {
        await written(s, p);
        await sleep(2);
      }
    });
    const bytewise = await runScript(rig, 'bytes', async (s, b) => {
      // Inside the 20 kB payload, 1000-byte writes keep the test quick; everywhere else, one byte per write.
      const parts = script('bytes');
      const bigAt = parts.slice(0, 6).reduce((n, p) => n + p.length, 0);
      const [from, to] = [bigAt + 50, bigAt + parts[6]!.length - 50];
      for (let i = 0; i < b.length; ) {
        const n = i >= from && i + 1000 <= to ? 1000 : 1;
        await written(s, b.subarray(i, i + n));
        i += n;
        if (n === 1) await new Promise((res) => setImmediate(res));
      }
    });

    for (const [name, recs] of [['whole', whole], ['perPacket', perPacket], ['bytewise', bytewise]] as const) {
      const hex = recs.map((r) => Buffer.from(r.bytes).toString('hex'));
      // Only the client id differs between runs.
      expect(recs.map((r) => r.decoded.type), name).toEqual(['CONNECT', 'SUBSCRIBE', 'PUBLISH', 'PUBLISH', 'PUBLISH', 'PUBLISH', 'PUBLISH', 'PINGREQ', 'DISCONNECT']);
      expect(hex.slice(1, -1), name).toEqual(expected.slice(1));
      expect(recs.some(hasError), name).toBe(false);
    }
    expect(whole.map((r) => r.decoded.summary).slice(1)).toEqual(bytewise.map((r) => r.decoded.summary).slice(1));
    for (const id of [whole[0]!.connId, perPacket[0]!.connId, bytewise[0]!.connId]) {
      expect(rig.conn(id)?.ended).toBe('disconnect');
      // The broker got every byte: it acknowledged both QoS 1 publishes and the ping.
      const replies = of(rig.records, id, 'toClient').map((r) => r.decoded.type);
      expect(replies.filter((t) => t === 'PUBACK')).toHaveLength(2);
      expect(replies).toContain('PINGRESP');
    }
  });

  it('truly one byte per segment: every byte of a CONNECT and a PUBLISH arrives on its own', async () => {
    rig = await startRig();
    const c = await rig.raw();
    const pkts = [
      generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'drip', keepalive: 60 }),
      generate({ cmd: 'publish', topic: 'drip/t', payload: Buffer.alloc(130, 0x7a), qos: 1, messageId: 9, dup: false, retain: false }),
    ];
    for (const p of pkts) {
      for (let i = 0; i < p.length; i++) {
        // A short pause per byte keeps the kernel from merging them into one read.
        await c.send(p.subarray(i, i + 1), 1);
        if (i < p.length - 1) expect(of(rig.records, 1, 'toBroker').length).toBe(pkts.indexOf(p));
      }
      await c.next();
    }
    const recs = of(rig.records, 1, 'toBroker');
    expect(recs.map((r) => Buffer.from(r.bytes))).toEqual(pkts.map((p) => Buffer.from(p)));
    expect(recs[1]!.decoded.info).toMatchObject({ topic: 'drip/t', packetId: 9, payloadLength: 130 });
  });

  it('500 publishes in one write give 500 records, in order, all delivered', async () => {
    rig = await startRig();
    const sub = await rig.client({ clientId: 'counter' });
    let got = 0;
    sub.on('message', () => got++);
    await sub.subscribeAsync('burst/#', { qos: 0 });
    const c = await rig.raw();
    const pubs = Array.from({ length: 500 }, (_, i) =>
      generate({ cmd: 'publish', topic: `burst/${i}`, payload: Buffer.from(String(i)), qos: 0, dup: false, retain: false }),
    );
    // aedes queues at most 42 packets that arrive before it has accepted the CONNECT, so the burst waits for CONNACK.
    await c.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'burst', keepalive: 60 }));
    await c.next();
    await c.send(concat(pubs));
    await until(() => got === 500, '500 deliveries');
    const id = rig.connOf('burst')!.connId;
    const recs = of(rig.records, id, 'toBroker').filter((r) => r.decoded.type === 'PUBLISH');
    expect(recs.map((r) => r.decoded.info.topic)).toEqual(pubs.map((_, i) => `burst/${i}`));
    const seqs = recs.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
