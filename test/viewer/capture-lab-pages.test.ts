// The viewer's in-page lab answers the list's commands (window, indexOf, getMany, query with a filter) over a
// real capture file as the core does over its store: positions, counts and filter results agree with tshark
// reading the same file, and every page is a slice of one and the same view.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureLabApi } from '../../src/renderer/lib/viewer/capture-lab.js';
import { capturePath } from '../captures/record.js';
import { fields, missing } from '../peers/tshark.js';

const FILES = ['qos-tour', 'puback-dropped', 'will-after-sever'];

function opened(name: string): CaptureLabApi {
  const api = new CaptureLabApi();
  api.open(`${name}.pcapng`, new Uint8Array(readFileSync(capturePath(name))));
  return api;
}

/** Values of a field, one per occurrence, over every MQTT frame of the file. */
async function tsharkValues(name: string, field: string): Promise<string[]> {
  const rows = await fields(capturePath(name), 1883, [field], 'mqtt');
  return rows.flatMap(([v]) => (v ?? '').split(',').filter((x) => x !== ''));
}

describe('the viewer answers list pages from the file', () => {
  it.each(FILES)('%s: windows are slices of the query, indexOf finds each packet, getMany brings whole packets', async (name) => {
    const api = opened(name);
    const all = await api.call('packets.query', {});
    expect(all.length).toBeGreaterThan(5);
    const w = await api.call('packets.window', { offset: 3, limit: 4 });
    expect(w.total).toBe(all.length);
    expect(w.offset).toBe(3);
    expect(w.rows.map((r) => r.seq)).toEqual(all.slice(3, 7).map((r) => r.seq));
    const past = await api.call('packets.window', { offset: all.length + 10, limit: 5 });
    expect(past).toMatchObject({ total: all.length, rows: [] });
    for (const [i, p] of all.entries()) expect(await api.call('packets.indexOf', { seq: p.seq })).toBe(i);
    expect(await api.call('packets.indexOf', { seq: 9_999_999 })).toBe(-1);
    const seqs = [all[4]!.seq, all[0]!.seq, 9_999_999];
    const whole = await api.call('packets.getMany', { seqs });
    expect(whole.map((p) => p.seq)).toEqual([all[4]!.seq, all[0]!.seq]);
    expect(whole[0]!.decoded.summary).toBe(all[4]!.summary);
    expect(whole[0]!.bytes.length).toBe(all[4]!.length * 2);
  });

  it.skipIf(missing('tshark') !== undefined)('filters as tshark does: mqtt.qos == 1 matches every QoS 1 PUBLISH tshark finds', async () => {
    for (const name of FILES) {
      const api = opened(name);
      const qos = await tsharkValues(name, 'mqtt.qos');
      const want = qos.filter((q) => q === '1').length;
      const w = await api.call('packets.window', { filter: 'mqtt.qos == 1', offset: 0, limit: 1000 });
      expect(w.total, name).toBe(want);
      expect(w.rows.every((r) => r.type === 'PUBLISH' && r.info.qos === 1)).toBe(true);
      const q = await api.call('packets.query', { filter: 'mqtt.qos == 1', afterSeq: w.rows[0]?.seq ?? 0 });
      expect(q.map((r) => r.seq)).toEqual(w.rows.slice(1).map((r) => r.seq));
      if (w.rows.length) expect(await api.call('packets.indexOf', { seq: w.rows.at(-1)!.seq, filter: 'mqtt.qos == 1' })).toBe(w.total - 1);
    }
  });

  it('filters topics with an MQTT wildcard turned regular expression, and refuses a broken expression in words', async () => {
    const api = opened('qos-tour');
    const all = await api.call('packets.query', {});
    const home = await api.call('packets.window', { filter: 'mqtt.topic matches "^home(/.*)?$" && lab.type == PUBLISH', offset: 0, limit: 100 });
    expect(home.total).toBe(all.filter((p) => p.type === 'PUBLISH' && /^home(\/.*)?$/.test(p.info.topic ?? '')).length);
    expect(home.total).toBeGreaterThan(0);
    await expect(api.call('packets.window', { filter: 'mqtt.qos ==', offset: 0, limit: 1 })).rejects.toThrow(/Expected a value/);
  });

  it('summaries carry what the views need: the payload preview and the will', async () => {
    const api = opened('will-after-sever');
    const all = await api.call('packets.query', {});
    const connect = all.find((p) => p.type === 'CONNECT' && p.will !== undefined);
    expect(connect?.will?.topic).toBeTruthy();
    const pub = all.find((p) => p.type === 'PUBLISH')!;
    const whole = (await api.call('packets.getMany', { seqs: [pub.seq] }))[0]!;
    const msg = JSON.stringify(whole.decoded.fields);
    expect(msg).toContain(JSON.stringify(pub.payloadText!).slice(1, -1));
  });
});
