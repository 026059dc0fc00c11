// The tap marks a broker's departure from the specification on the CONNACK where it happens. Plain aedes
// 1.2 (without the lab's corrections) departs in two ways, so it is the broker behind the tap here; the
// corrected embedded broker and mosquitto give CONNACKs with no such mark.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { createBroker, type BrokerHost } from '../../src/core/broker/index.js';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { Tap } from '../../src/core/tap/tap.js';
import type { PacketRecord } from '../../src/shared/lab.js';
import { RawMqtt } from '../broker/raw-mqtt.js';
import { recordIssues, recordSummary } from '../../src/shared/record-issues.js';
import { until } from './rig.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function plainAedes(): Promise<number> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((s) => aedes.handle(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

async function labBroker(kind: 'aedes' | 'mosquitto'): Promise<number> {
  const broker: BrokerHost = createBroker({ kind });
  cleanups.push(() => broker.stop());
  return (await broker.start()).port;
}

async function tapped(brokerPort: number): Promise<{ port: number; records: PacketRecord[] }> {
  const tap = new Tap({ broker: { host: '127.0.0.1', port: brokerPort } });
  const records: PacketRecord[] = [];
  tap.on('packet', (r) => records.push(r));
  const { port } = await tap.start();
  cleanups.push(() => tap.stop());
  return { port, records };
}

/** One connection through the tap; `end` sends DISCONNECT and waits for the close. */
async function session(port: number, clientId: string, clean: boolean, end = true): Promise<void> {
  const r = await RawMqtt.open(port);
  cleanups.push(async () => r.destroy());
  if (clientId === '') r.write(Uint8Array.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, clean ? 2 : 0, 0, 0, 0, 0]));
  else await r.connect({ clientId, clean });
  await r.next('connack');
  if (end) {
    r.send({ cmd: 'disconnect' });
    await r.waitClosed();
  }
}

const connacks = (records: PacketRecord[]): PacketRecord[] => records.filter((r) => r.decoded.type === 'CONNACK');

describe('the tap marks a broker that departs from the specification', () => {
  it('on the session present flag of a CONNACK that forgot a kept session [MQTT-3.2.2-2]', async () => {
    const { port, records } = await tapped(await plainAedes());
    await session(port, 'forgetful', false);
    await session(port, 'forgetful', false);
    const acks = await until(() => connacks(records).length === 2 && connacks(records), 'two CONNACKs');
    expect(acks[0]!.findings).toBeUndefined();
    // The finding is the tap's, on the record; the dissector's tree of a well-formed CONNACK stays clean.
    expect(acks[1]!.decoded.issues).toEqual([]);
    expect(acks[1]!.findings).toEqual([expect.objectContaining({ severity: 'warning', specRef: 'MQTT-3.2.2-2', filter: 'mqtt.conack.flags.sp', offset: 2 })]);
    expect(recordIssues(acks[1]!)).toEqual(acks[1]!.findings);
    expect(acks[1]!.findings![0]!.message).toMatch(/session of 'forgetful'.*session present should be 1/);
  });

  it('on the return code of a CONNACK that accepted an empty client id with clean session 0 [MQTT-3.1.3-8]', async () => {
    const { port, records } = await tapped(await plainAedes());
    await session(port, '', false, false);
    const [ack] = await until(() => connacks(records).length === 1 && connacks(records), 'the CONNACK');
    expect(ack!.decoded.issues).toEqual([]);
    expect(ack!.findings).toEqual([expect.objectContaining({ severity: 'error', specRef: 'MQTT-3.1.3-8', filter: 'mqtt.conack.val', offset: 3 })]);
    // The live log reads summaries: an error there is marked like a malformed packet's.
    expect(recordSummary(ack!)).toMatch(/^CONNACK \(sp0, rc0 .*\) \[malformed: The broker accepted a zero-length client id with clean session 0/);
  });

  const conforming: Array<'aedes' | 'mosquitto'> = ['aedes'];
  if (findExecutable('mosquitto') !== undefined) conforming.push('mosquitto');
  it.each(conforming)('and leaves the CONNACKs of the lab\'s %s unmarked', async (kind) => {
    const { port, records } = await tapped(await labBroker(kind));
    await session(port, 'kept', false);
    await session(port, 'kept', false);
    await session(port, 'kept', true);
    await session(port, 'kept', false);
    await session(port, '', false, false);
    const acks = await until(() => connacks(records).length === 5 && connacks(records), 'five CONNACKs');
    expect(acks.map(recordSummary)).toEqual([
      'CONNACK (sp0, rc0 Connection Accepted)',
      'CONNACK (sp1, rc0 Connection Accepted)',
      'CONNACK (sp0, rc0 Connection Accepted)',
      'CONNACK (sp0, rc0 Connection Accepted)',
      expect.stringMatching(/^CONNACK \(sp0, rc2 /),
    ]);
    expect(acks.flatMap(recordIssues)).toEqual([]);
  });
});
