// `mqtt-lab broker`'s live log on a thread of its own (log-thread.ts): the file it writes holds, byte for
// byte, what the log made in the lab's thread writes for the same packets and lines, in the same order;
// where the log's thread cannot start, the lab's thread makes every line itself and nothing is lost.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineBatch } from '../../src/cli/line-batch.js';
import { liveLogHere, logThreadPays, ThreadedLog, type LineSources, type LiveLog } from '../../src/cli/log-thread.js';
import { storedLine, storedLineSource } from '../../src/core/lab/wire.js';
import { dissect } from '../../src/core/dissect/index.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import type { FaultRecord, PacketRecord } from '../../src/shared/lab.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';
import { randomPacket } from '../dissect/support/random-packets.js';

vi.setConfig({ testTimeout: 30_000 });

let dir: string | undefined;
const logs: LiveLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) log.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const gen = (p: Record<string, unknown>, v: MqttVersion): Uint8Array =>
  new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet, { protocolVersion: v }));

/** A store as the Lab reads it for the log. */
function sources(store: CaptureStore): LineSources {
  return { lineSource: (seq) => storedLineSource(store, seq), lineAt: (seq) => storedLine(store, seq) };
}

/** What a log writes to memory, as one string. */
function collector(): { write: (bytes: Uint8Array) => void; text: () => string } {
  const parts: Buffer[] = [];
  return { write: (bytes) => parts.push(Buffer.from(bytes)), text: () => Buffer.concat(parts).toString('utf8') };
}

/** A file the log's thread writes to, and its descriptor. */
function outFile(): { fd: number; read: () => string } {
  dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-log-'));
  const path = join(dir, 'log.txt');
  const fd = openSync(path, 'w');
  return { fd, read: () => readFileSync(path, 'utf8') };
}

/**
 * A session's worth of packets and lines, the same for every log given: random packets of every kind and
 * version, large PUBLISHes, client ids that come and change, a fault and a finding (their lines are made on
 * the lab's thread), a line too long for a batch, and non-ASCII everywhere.
 */
function session(logsFed: LiveLog[], seed: number): void {
  const rng = new Prng(seed);
  const store = new CaptureStore(100_000);
  const from = sources(store);
  const each = (f: (log: LiveLog) => void): void => {
    for (const log of logsFed) f(log);
  };
  each((log) => log.out('MQTT Lab broker on mqtt://127.0.0.1:1883 (aedes, MQTT 3.1/3.1.1 behind the tap). Ctrl-C stops.'));
  for (let i = 0; i < 3000; i++) {
    const connId = 1 + rng.int(0, 5);
    if (rng.int(0, 40) === 0) store.setClientId(connId, `sensor-${i}-ø`);
    const { version, packet } = randomPacket(rng);
    const roll = rng.int(0, 30);
    const bytes = roll === 0
      ? gen({ cmd: 'publish', topic: `big/${i}/温度`, payload: Buffer.alloc(1000 + rng.int(0, 9000), 0x41), qos: rng.int(0, 2), messageId: 1 + i }, version)
      : gen(packet, version);
    const base = { time: 1_765_000_000_000 + i * 0.37, connId, direction: rng.bool() ? 'toClient' as const : 'toBroker' as const, bytes };
    let r: Omit<PacketRecord, 'seq'>;
    if (roll === 1) r = lazyRecord({ ...base, fault: { action: 'drop', ruleId: 'r1' } as FaultRecord }, version);
    else if (roll === 2) r = { ...base, decoded: dissect(bytes, { version }), findings: [{ severity: 'error', message: 'sent before CONNACK', filter: 'mqtt.fixed_header', offset: 0 }] } as Omit<PacketRecord, 'seq'>;
    else r = lazyRecord(base, version);
    const seq = store.append(r).seq;
    each((log) => log.packet(seq, from));
    if (roll === 3) each((log) => log.out(`${i}  conn#${connId} connection closed: disconnect (Ω)`));
    if (i === 1500) each((log) => log.out(`a very long line ${'é'.repeat(70_000)} end`));
  }
  each((log) => log.out('Saved session.pcapng'));
}

describe('the live log on its own thread', () => {
  for (const [ring, what] of [[undefined, 'its 8 MB ring'], [4096, 'a 4 kB ring the lab\'s thread keeps waiting on, its larger packets\' lines made in the lab\'s thread']] as const) {
    it(`writes exactly what the log in the lab's thread writes, in order, for 3000 packets and the lines between them (${what})`, async () => {
      const file = outFile();
      const reference = collector();
      const here = collector();
      const threaded = new ThreadedLog({ fd: file.fd, here: lineBatch(here.write), write: here.write, ...(ring === undefined ? {} : { ringBytes: ring }) });
      logs.push(threaded);
      // Started: the thread reads the ring as the lines come (a flush before it starts would give up on it).
      await vi.waitFor(() => expect(threaded.running).toBe(true), { timeout: 10_000 });
      const inThread = liveLogHere(lineBatch(reference.write));
      session([threaded, inThread], seedFromEnv(1234));
      threaded.flush();
      inThread.flush();
      expect(threaded.inThisThread).toBe(false);
      expect(here.text()).toBe('');
      const written = file.read();
      expect(written.split('\n').length).toBeGreaterThan(3000);
      expect(written).toBe(reference.text());
      closeSync(file.fd);
    });
  }

  it('makes every line in the lab\'s thread, in order, when the log\'s thread fails to start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-log-'));
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('this log thread cannot start');\n");
    const reference = collector();
    const here = collector();
    const threaded = new ThreadedLog({ fd: 1, here: lineBatch(here.write), write: here.write, entry: new URL(`file://${broken}`) });
    logs.push(threaded);
    const inThread = liveLogHere(lineBatch(reference.write));
    // Lines go into the ring while the thread is still starting; then it fails and this thread takes them.
    threaded.out('before the thread failed');
    inThread.out('before the thread failed');
    await vi.waitFor(() => expect(threaded.inThisThread).toBe(true), { timeout: 10_000 });
    session([threaded, inThread], seedFromEnv(99));
    threaded.flush();
    inThread.flush();
    expect(here.text()).toBe(reference.text());
  });

  it('a flush before the thread has started is done by the lab\'s thread at once (an early error, a quick end)', () => {
    const reference = collector();
    const here = collector();
    const threaded = new ThreadedLog({ fd: 1, here: lineBatch(here.write), write: here.write });
    logs.push(threaded);
    const started = performance.now();
    threaded.out('mqtt-lab broker: port 1883 is in use');
    threaded.flush();
    expect(performance.now() - started).toBeLessThan(500);
    expect(threaded.inThisThread).toBe(true);
    reference.write(Buffer.from('mqtt-lab broker: port 1883 is in use\n'));
    expect(here.text()).toBe(reference.text());
  });

  it('pays where the broker is in the lab\'s process and the lab\'s thread has another core beside it', () => {
    expect(logThreadPays(1, true)).toBe(false);
    expect(logThreadPays(2, true)).toBe(true);
    expect(logThreadPays(16, true)).toBe(true);
    expect(logThreadPays(2, false)).toBe(false);
  });
});
