// `mqtt-lab broker --tls-port T --pcap F`: the recording streams a TLS connection as its records, each
// Decryption Secrets Block before the records it opens, so tshark decrypts the file as recorded live.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { missing, which } from '../peers/have.js';
import { killAll, run } from '../peers/run.js';
import { cli, startCli, type LiveCli } from '../cli/cli-process.js';

vi.setConfig({ testTimeout: 150_000 });
let dir = '';
let broker: LiveCli | undefined;
afterEach(async () => {
  broker?.child.kill('SIGKILL');
  broker = undefined;
  await killAll();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

it.skipIf(missing('mosquitto_pub', 'tshark') !== undefined)('records a TLS client so that tshark and decode --pcap both read its MQTT', async () => {
  dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-tls-rec-'));
  const file = join(dir, 'tls.pcapng');
  broker = startCli(['broker', '--port', '0', '--tls-port', '0', '--tls-dir', join(dir, 'ca'), '--pcap', file]);
  const tlsLine = await broker.waitLine(/^MQTT over TLS: mqtts:\/\/localhost:(\d+)$/, 90_000);
  const caLine = await broker.waitLine(/^The lab's CA certificate: /);
  const port = /:(\d+)$/.exec(tlsLine)![1]!;
  const ca = caLine.replace("The lab's CA certificate: ", '');
  expect(ca).toBe(join(dir, 'ca', 'ca.crt'));
  const pub = await run(which('mosquitto_pub')!, ['-h', 'localhost', '-p', port, '--cafile', ca, '-i', 'rec', '-u', 'alice', '-P', 's3cret', '-t', 'a/b', '-m', 'hi', '-q', '1'], { timeoutMs: 15_000 });
  expect(pub.code, pub.stderr).toBe(0);
  await broker.waitLine(/rec connection closed: disconnect/);
  broker.child.kill('SIGINT');
  expect(await broker.exit()).toBe(0);

  const shark = await run(which('tshark')!, ['-r', file, '-d', `tls.port==${port},mqtt`, '-Y', 'mqtt', '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'mqtt.msgtype', '-e', 'mqtt.passwd'], { timeoutMs: 20_000 });
  const rows = shark.stdout.trim().split('\n').map((l) => l.split('|'));
  expect(rows.map((r) => r[1])).toEqual(['1', '2', '3', '4', '14']);
  expect(rows[0]![2]).toBe('s3cret');
  const ours = await cli(['decode', '--pcap', file, '--port', port, '--json']);
  const decoded = ours.stdout.trim().split('\n').map((l) => JSON.parse(l) as { frame: number; type: string });
  expect(decoded.map((d) => `${d.frame}:${d.type}`)).toEqual(rows.map((r) => `${r[0]}:${['', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK'][Number(r[1])] ?? 'DISCONNECT'}`));
});
