// The peers themselves: brokers really start and stop, captures really contain what was sent, and a
// hung child is really killed. Cheap (a few seconds) so the helpers can be trusted by other suites.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { missing } from './have.js';
import { startMosquitto } from './mosquitto.js';
import { runPaho } from './paho.js';
import { killAll, run } from './run.js';
import { pdml, startCapture } from './tshark.js';

afterAll(killAll);

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('run', () => {
  it('kills a child that overruns its timeout', async () => {
    const r = await run('sleep', ['30'], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.ms).toBeLessThan(5000);
  });

  it('collects output and exit code', async () => {
    const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect([r.code, r.stdout, r.stderr]).toEqual([3, 'out\n', 'err\n']);
  });
});

it('freePort gives a bindable port', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  expect(await accepts(port)).toBe(false);
});

const noBroker = missing('mosquitto', 'mosquitto_passwd');
describe.skipIf(noBroker !== undefined)(`mosquitto${noBroker ? ` (skipped: ${noBroker})` : ''}`, () => {
  it('starts on a free port and is gone after stop()', async () => {
    const b = await startMosquitto();
    expect(await accepts(b.port)).toBe(true);
    await b.stop();
    expect(await accepts(b.port)).toBe(false);
    expect(existsSync(b.dir)).toBe(false);
  });

  it.skipIf(missing('paho') !== undefined)('checks passwords from a generated password file', async () => {
    const b = await startMosquitto({ passwordFile: { ann: 'right' } });
    try {
      const ok = await runPaho('auth', { port: b.port, args: { username: 'ann', password: 'right' } });
      const bad = await runPaho('auth', { port: b.port, args: { username: 'ann', password: 'wrong' } });
      expect([ok.code, bad.code]).toEqual([0, 3]);
    } finally {
      await b.stop();
    }
  });
});

const noCapture = missing('capture', 'mosquitto', 'mosquitto_pub');
describe.skipIf(noCapture !== undefined)(`tshark capture${noCapture ? ` (skipped: ${noCapture})` : ''}`, () => {
  it('has the first and the last packet sent while capturing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-peers-'));
    const b = await startMosquitto({ verbose: true });
    try {
      const cap = await startCapture({ port: b.port, file: join(dir, 'c.pcapng') });
      const pub = (topic: string): Promise<unknown> =>
        run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(b.port), '-t', topic, '-m', 'x'], { timeoutMs: 5000 });
      await pub('peers/first');
      await pub('peers/last');
      await cap.stop();
      const topics = (await pdml(cap.file, b.port)).flatMap((p) =>
        p.protos.filter((x) => x.name === 'mqtt').flatMap((x) => x.children.filter((f) => f.name === 'mqtt.topic').map((f) => f.show)),
      );
      expect(topics).toEqual(['peers/first', 'peers/last']);
    } finally {
      await b.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
