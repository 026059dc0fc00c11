// The tap hands each packet record to its 'packet' listeners as EventEmitter's emit would: every listener
// there when the packet came, in the order they were added, once-listeners once, and none added or removed
// later (or during the call) missed or called twice. Real aedes behind the tap, real mqtt.js clients.
import { afterEach, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/shared/lab.js';
import { startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const pingsOf = (rs: PacketRecord[]): number => rs.filter((r) => r.decoded.type === 'PINGREQ').length;

it('calls the listeners of the moment, in order, once-listeners once, through adds and removals', async () => {
  rig = await startRig();
  const calls: string[] = [];
  const a = (r: PacketRecord): void => {
    if (r.decoded.type === 'PINGREQ') calls.push('a');
  };
  const b = (r: PacketRecord): void => {
    if (r.decoded.type !== 'PINGREQ') return;
    calls.push('b');
    // Removing a listener while a packet is being handed out: as with emit, it still gets this packet.
    rig!.tap.off('packet', c);
  };
  const c = (r: PacketRecord): void => {
    if (r.decoded.type === 'PINGREQ') calls.push('c');
  };
  rig.tap.on('packet', a);
  rig.tap.on('packet', b);
  rig.tap.on('packet', c);
  const client = await rig.client({ clientId: 'pinger', keepalive: 60 });
  const ping = async (n: number): Promise<void> => {
    const before = pingsOf(rig!.records);
    (client as unknown as { _sendPacket(p: object): void })._sendPacket({ cmd: 'pingreq' });
    await until(() => pingsOf(rig!.records) >= before + n, 'the PINGREQ recorded');
  };
  await ping(1);
  expect(calls).toEqual(['a', 'b', 'c']);

  calls.length = 0;
  const once: string[] = [];
  rig.tap.once('packet', (r) => once.push(r.decoded.type));
  await ping(1);
  expect(calls).toEqual(['a', 'b']);
  expect(once).toEqual(['PINGREQ']);

  calls.length = 0;
  rig.tap.off('packet', a);
  rig.tap.prependListener('packet', c);
  await ping(1);
  expect(calls).toEqual(['c', 'b']);
  expect(once).toEqual(['PINGREQ']);
  // The rig's own recorder was there throughout.
  expect(pingsOf(rig.records)).toBe(3);
});
