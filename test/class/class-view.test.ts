// The class view from real packets: outside clients (mosquitto_pub) complete lesson 14's class exercise,
// or fail to in the ways students do; the table, its search and its CSV say exactly who did what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { missing } from '../peers/have.js';
import { mosquittoPub } from '../lab/support/outside.js';

const why = missing('mosquitto_pub');
const KEY = '14-the-lab/reading';

describe.skipIf(why !== undefined)(`class view${why ? ` (skipped: ${why})` : ''}`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab({ port: 0 });
  });
  afterAll(() => lab?.stop());

  async function pub(clientId: string, topic: string, payload: string, qos = 1): Promise<void> {
    const r = await mosquittoPub(lab, clientId, ['-t', topic, '-m', payload, '-q', String(qos)]);
    expect(r.code, r.stderr).toBe(0);
  }

  it('ticks off exactly the client ids whose own PUBLISH completed the exercise', async () => {
    expect((await lab.api.call('class.table', {})).exercises).toContainEqual({
      key: KEY, lessonId: '14-the-lab', lessonTitle: 'The lab: telemetry, commands, and your own code', id: 'reading',
      title: 'Publish a reading to lab/<your client id>/temp', kind: 'publish', topic: 'lab/{client}/temp',
    });
    await pub('ada', 'lab/ada/temp', '21.5');
    await pub('grace', 'lab/grace/temp', '{"deviceID": "grace", "temperature": 19.25}');
    await pub('bob', 'lab/bob/temp', 'warm');           // not a reading
    await pub('eve', 'lab/ada/temp', '22');             // someone else's topic
    await pub('mallory', 'lab/mallory/temperature', '1'); // not the topic asked for
    // Dropped by the tap: it never reached the broker, so it does not count.
    await lab.api.call('faults.add', { match: { type: 'PUBLISH', clientId: 'carol' }, action: 'drop', times: 1 });
    await pub('carol', 'lab/carol/temp', '20', 0);
    await pub('=HYPERLINK("x")', 'lab/=HYPERLINK("x")/temp', '1');

    const t = await lab.api.call('class.table', {});
    const done = Object.fromEntries(t.rows.map((r) => [r.clientId, r.done[KEY] !== undefined]));
    expect(done).toEqual({ '=HYPERLINK("x")': true, ada: true, bob: false, carol: false, eve: false, grace: true, mallory: false });
    const ada = t.rows.find((r) => r.clientId === 'ada')!;
    const rec = (await lab.api.call('packets.get', { seq: ada.done[KEY]!.seq }))!;
    expect(rec.decoded.summary).toMatch(/^PUBLISH \(d0, q1, r0, m\d+, 'lab\/ada\/temp', … \(4 bytes\)\)$/);
    expect(ada.embedded).toBe(false);
    expect(ada.connected).toBe(false);
  }, 60_000);

  it('searches rows by client id and exports CSV a spreadsheet cannot be tricked by', async () => {
    expect((await lab.api.call('class.table', { search: 'A' })).rows.map((r) => r.clientId)).toEqual(['ada', 'carol', 'grace', 'mallory']);
    expect((await lab.api.call('class.table', { prefix: 'gr' })).rows.map((r) => r.clientId)).toEqual(['grace']);
    const { csv, fileName } = await lab.api.call('class.csv', { lessonId: '14-the-lab' });
    expect(fileName).toMatch(/^class-\d{4}-\d\d-\d\d-\d\d-\d\d\.csv$/);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('client id,lab client,connected,first seen,last seen,completed,The lab: telemetry, commands, and your own code: Publish a reading to lab/<your client id>/temp'.replace(/^(.*?completed,)(.*)$/, '$1"$2"'));
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""x""\)",no,(yes|no),[^,]+,[^,]+,1\/1,\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(lines.find((l) => l.startsWith('bob,'))).toMatch(/,0\/1,$/);
    await lab.api.call('class.clear', {});
    expect((await lab.api.call('class.table', {})).rows).toEqual([]);
  });
});
