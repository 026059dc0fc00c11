// Lab.onPacketSeq: the live packets by seq for a reader that summarises them later (the browser-mode stream).
// The seqs come in the order, and at the places among the other events, that the 'packet' events come, and
// the summaries read back by seq are the ones the 'packet' event carried.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PacketSummary } from '../../src/shared/api.js';
import { connect } from 'node:net';
import { generate, type Packet } from 'mqtt-packet';
import { cleanup, onCleanup, startLab } from './support/lab-rig.js';

vi.setConfig({ testTimeout: 20_000 });
afterEach(cleanup);

describe('Lab.onPacketSeq', () => {
  it('gives every packet\'s seq in the order and place of its packet event, and summaryAt gives its summary', async () => {
    const lab = await startLab({ lessonDirs: [] });
    const withSummaries: string[] = [];
    const withSeqs: string[] = [];
    const live: PacketSummary[] = [];
    lab.api.on('packet', (p) => {
      live.push(p);
      withSummaries.push(`packet ${p.seq}`);
    });
    lab.api.on('connection', (c) => {
      withSummaries.push(`connection ${c.connId} ${c.state}`);
      withSeqs.push(`connection ${c.connId} ${c.state}`);
    });
    const off = lab.onPacketSeq((seq) => withSeqs.push(`packet ${seq}`));
    await lab.api.call('clients.create', { id: 'sensor' });
    await lab.api.call('clients.connect', { id: 'sensor' });
    for (let i = 0; i < 5; i++) await lab.api.call('clients.publish', { id: 'sensor', topic: `home/t${i}`, payload: `${i}`, qos: 1 });
    await lab.api.call('clients.disconnect', { id: 'sensor' });
    await vi.waitFor(() => expect(live.some((p) => p.type === 'DISCONNECT')).toBe(true));
    await vi.waitFor(() => expect(withSummaries.at(-1)).toMatch(/closed$/));
    expect(withSeqs).toEqual(withSummaries);
    for (const p of live) expect(lab.summaryAt(p.seq)).toEqual(p);
    off();
    await lab.api.call('clients.connect', { id: 'sensor' });
    await vi.waitFor(() => expect(live.filter((p) => p.type === 'CONNACK')).toHaveLength(2));
    expect(withSeqs.filter((e) => e.startsWith('packet'))).toHaveLength(live.length - 2);
  });

  it('with only seq readers, packets are still captured and counted in order', async () => {
    const lab = await startLab({ lessonDirs: [] });
    const seqs: number[] = [];
    lab.onPacketSeq((seq) => seqs.push(seq));
    await lab.api.call('clients.create', { id: 'p' });
    await lab.api.call('clients.connect', { id: 'p' });
    for (let i = 0; i < 20; i++) await lab.api.call('clients.publish', { id: 'p', topic: 'x', payload: 'y', qos: 0 });
    await vi.waitFor(() => expect(seqs.length).toBe(22));
    expect(seqs).toEqual(Array.from({ length: 22 }, (_, i) => seqs[0]! + i));
    expect((await lab.api.call('packets.query', {})).map((p) => p.seq)).toEqual(seqs);
  });
});

describe('Lab.summaryAt for a seq reader', () => {
  it('gives the packet being announced even when a capacity of 1 evicted it, and leaves the preview out on request', async () => {
    const lab = await startLab({ lessonDirs: [], capacity: 1 });
    const got: Array<PacketSummary | undefined> = [];
    const bare: Array<PacketSummary | undefined> = [];
    lab.onPacketSeq((seq) => {
      got.push(lab.summaryAt(seq));
      bare.push(lab.summaryAt(seq, { preview: false }));
    });
    // One write, so one read at the tap: all six are captured (each evicting the one before) before the
    // first is announced.
    const socket = connect({ host: '127.0.0.1', port: lab.tapAddress.port });
    onCleanup(async () => void socket.destroy());
    const gen = (p: object): Buffer => generate(p as Packet);
    socket.write(Buffer.concat([
      gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'raw', keepalive: 0 }),
      ...[0, 1, 2, 3, 4].map((i) => gen({ cmd: 'publish', topic: 'x', payload: `v${i}`, qos: 0, dup: false, retain: false })),
    ]));
    await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(6));
    expect(got.every((s) => s !== undefined)).toBe(true);
    expect(got.filter((s) => s!.type === 'PUBLISH').map((s) => s!.payloadText)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(got[0]!.type).toBe('CONNECT');
    for (const [i, s] of bare.entries()) {
      const { payloadText: _t, payloadCut: _c, ...rest } = got[i]!;
      expect(s).toEqual(rest);
    }
  });
});
