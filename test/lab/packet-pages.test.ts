// The packet commands of issue 10 on a real Lab: summaries on the live events, pages by position with and
// without a display filter, positions of a packet in a view, several packets whole at once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PacketSummary } from '../../src/shared/api.js';
import { cleanup, startLab } from './support/lab-rig.js';

vi.setConfig({ testTimeout: 20_000 });
afterEach(cleanup);

async function labWithTraffic() {
  const lab = await startLab({ lessonDirs: [] });
  const live: PacketSummary[] = [];
  lab.api.on('packet', (p) => live.push(p));
  await lab.api.call('clients.create', { id: 'sensor' });
  await lab.api.call('clients.connect', { id: 'sensor' });
  for (let i = 0; i < 6; i++) await lab.api.call('clients.publish', { id: 'sensor', topic: `home/room${i % 2}/temp`, payload: `2${i}.5`, qos: i % 2 === 0 ? 1 : 0 });
  // CONNECT, CONNACK, 6 PUBLISH and 3 PUBACK.
  await vi.waitFor(() => expect(live.length).toBe(11));
  return { lab, live };
}

describe('packet commands', () => {
  it('the live event carries summaries, and packets.query answers the same summaries', async () => {
    const { lab, live } = await labWithTraffic();
    expect(live.map((p) => p.type)).toEqual(['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBLISH', 'PUBLISH', 'PUBACK', 'PUBLISH', 'PUBLISH', 'PUBACK', 'PUBLISH']);
    for (const p of live) {
      expect(p).not.toHaveProperty('decoded');
      expect(p).not.toHaveProperty('bytes');
    }
    expect(live[2]).toMatchObject({ clientId: 'sensor', direction: 'toBroker', info: { topic: 'home/room0/temp', qos: 1 }, payloadText: '20.5' });
    expect(await lab.api.call('packets.query', {})).toEqual(live);
    expect((await lab.api.call('packets.query', { type: 'PUBACK', afterSeq: live[3]!.seq })).map((p) => p.seq)).toEqual([live[6]!.seq, live[9]!.seq]);
  });

  it('packets.query narrows by a display filter, with the field query and paging forward', async () => {
    const { lab, live } = await labWithTraffic();
    const q1 = live.filter((p) => p.type === 'PUBLISH' && p.info.qos === 1).map((p) => p.seq);
    expect((await lab.api.call('packets.query', { filter: 'mqtt.qos == 1' })).map((p) => p.seq)).toEqual(q1);
    expect((await lab.api.call('packets.query', { filter: 'mqtt.qos == 1', afterSeq: q1[0], limit: 1 })).map((p) => p.seq)).toEqual([q1[1]]);
    const room1 = live.filter((p) => p.info.topic === 'home/room1/temp').map((p) => p.seq);
    expect((await lab.api.call('packets.query', { filter: 'mqtt.topic contains "room"', topic: 'home/room1/+' })).map((p) => p.seq)).toEqual(room1);
    await expect(lab.api.call('packets.query', { filter: 'mqtt.qos = 1' })).rejects.toThrow("display filter: Use '==' to compare");
  });

  it('packets.window pages the capture and a filtered view; packets.indexOf finds a packet in either', async () => {
    const { lab, live } = await labWithTraffic();
    const all = await lab.api.call('packets.window', { offset: 2, limit: 3 });
    expect(all).toEqual({ total: 11, offset: 2, rows: live.slice(2, 5) });
    const acks = live.filter((p) => p.type === 'PUBACK');
    const page = await lab.api.call('packets.window', { filter: 'lab.type == PUBACK', offset: 1, limit: 10 });
    expect(page).toEqual({ total: 3, offset: 1, rows: acks.slice(1) });
    expect(await lab.api.call('packets.indexOf', { seq: acks[2]!.seq, filter: 'lab.type == PUBACK' })).toBe(2);
    expect(await lab.api.call('packets.indexOf', { seq: live[0]!.seq, filter: 'lab.type == PUBACK' })).toBe(-1);
    expect(await lab.api.call('packets.indexOf', { seq: live[4]!.seq })).toBe(4);
    await expect(lab.api.call('packets.window', { filter: '(mqtt', offset: 0, limit: 1 })).rejects.toThrow('display filter:');
  });

  it('packets.getMany answers packets whole in the order asked, leaving out seqs not held', async () => {
    const { lab, live } = await labWithTraffic();
    const want = [live[4]!.seq, live[0]!.seq, 99_999];
    const got = await lab.api.call('packets.getMany', { seqs: want });
    expect(got.map((p) => p.seq)).toEqual([live[4]!.seq, live[0]!.seq]);
    expect(got[0]!.decoded.summary).toBe(live[4]!.summary);
    expect(got[0]).toEqual(await lab.api.call('packets.get', { seq: live[4]!.seq }));
    expect(got[1]!.decoded.info.clientId).toBe('sensor');
  });
});
