// `mqtt-lab broker`: a headless broker behind the tap that prints every packet in both directions, like
// `mosquitto -v`, records a pcapng, and stops cleanly on Ctrl-C. Driven here by real outside clients.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'mqtt-packet';
import { afterEach, expect, it, vi } from 'vitest';
import { missing, which } from '../peers/have.js';
import { runPahoOk } from '../peers/paho.js';
import { rawMqtt, type RawMqtt } from '../peers/raw-mqtt.js';
import { killAll, run, terminate } from '../peers/run.js';
import { fields } from '../peers/tshark.js';
import { cli, startCli, type LiveCli } from './cli-process.js';

// Every test here is bounded well below the suite's default; a hang fails fast.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let broker: LiveCli | undefined;
let raw: RawMqtt | undefined;
let dir: string | undefined;
afterEach(async () => {
  await raw?.close();
  if (broker !== undefined) await terminate(broker.child, 'SIGKILL', 0);
  await killAll();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  broker = raw = dir = undefined;
});

const TYPE_CODES: Record<string, number> = {
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9,
  UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14, AUTH: 15,
};
const T = '^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ';
const line = (text: string): RegExp => new RegExp(T + text);

it.skipIf(missing('mosquitto_sub', 'paho', 'tshark') !== undefined)('prints both directions for mosquitto_sub and paho, stops on SIGINT, leaves a pcapng tshark reads', async () => {
  dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-cli-'));
  const file = join(dir, 'session.pcapng');
  broker = startCli(['broker', '--port', '0', '--pcap', file]);
  const b = broker;
  const banner = await b.waitLine(/^MQTT Lab broker on mqtt:\/\/127\.0\.0\.1:(\d+) /, 15_000);
  expect(b.lines[0]).toBe(banner);
  expect(banner).toContain(`recording to ${file}`);
  const port = Number(/:(\d+) /.exec(banner)![1]);

  const sub = run(which('mosquitto_sub')!, ['-h', '127.0.0.1', '-p', String(port), '-t', '#', '-v', '-i', 'watcher', '-C', '1', '-W', '15'], { timeoutMs: 20_000 });
  await b.waitLine(line("broker → watcher  SUBACK \\(m1, 0\\)"));
  await runPahoOk('telemetry', { port, args: { clientId: 'paho-rpi1', topic: 'sensors/temp', qos: 1 } });
  const got = await sub;
  expect(got.code).toBe(0);
  const m = /^sensors\/temp (\{"deviceID": "RPi1", "temperature": 21\.5, .*\})$/.exec(got.stdout.trim());
  expect(m).not.toBeNull();
  const bytes = Buffer.byteLength(m![1]!);

  const expected = [
    "watcher → broker  CONNECT \\(p4, c1, k60, 'watcher'\\)",
    'broker → watcher  CONNACK \\(sp0, rc0',
    'watcher connected \\(MQTT 3\\.1\\.1\\)',
    "paho-rpi1 → broker  CONNECT \\(p4, c1, k60, 'paho-rpi1'\\)",
    'broker → paho-rpi1  CONNACK \\(sp0, rc0',
    'paho-rpi1 connected \\(MQTT 3\\.1\\.1\\)',
    `paho-rpi1 → broker  PUBLISH \\(d0, q1, r0, m1, 'sensors/temp', … \\(${bytes} bytes\\)\\)$`,
    'broker → paho-rpi1  PUBACK \\(m1\\)$',
    'paho-rpi1 → broker  DISCONNECT$',
    'paho-rpi1 connection closed: disconnect$',
    `broker → watcher  PUBLISH \\(d0, q0, r0, 'sensors/temp', … \\(${bytes} bytes\\)\\)$`,
    'watcher → broker  DISCONNECT$',
    'watcher connection closed: disconnect$',
  ];
  const at: number[] = [];
  for (const text of expected) at.push(b.lines.indexOf(await b.waitLine(line(text))));
  // The broker forwards only what it received: paho's PUBLISH is printed before the copy to the watcher.
  expect(at[6]!).toBeLessThan(at[10]!);

  // A client still connected when Ctrl-C comes must not keep the broker alive.
  raw = await rawMqtt(port);
  await raw.send(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'lingerer', keepalive: 60 }));
  await raw.next();
  b.child.kill('SIGINT');
  expect(await b.exit()).toBe(0);
  expect(b.lines).toContain(`Saved ${file}`);
  expect(b.stderr()).toBe('');

  const printed = b.lines
    .map((l) => new RegExp(`${T}\\S+ → \\S+  ([A-Z]+)`).exec(l)?.[1])
    .filter((t): t is string => t !== undefined)
    .map((t) => TYPE_CODES[t]);
  const rows = await fields(file, port, ['frame.number', 'mqtt.msgtype'], 'mqtt');
  expect(rows.flatMap(([, types]) => types!.split(',').map(Number))).toEqual(printed);
});

it.each([
  [['broker', '--port', 'eighty'], /^mqtt-lab broker: --port must be a TCP port from 0 to 65535, not 'eighty'$/],
  [['broker', '--port', '0', '--pcap'], /^mqtt-lab broker: --pcap needs a value$/],
  [['broker', '--port', '0', '--pcap', '/nonexistent-dir/x.pcapng'], /^mqtt-lab broker: cannot write \/nonexistent-dir\/x\.pcapng: /],
  [['broker', '--bogus'], /^mqtt-lab broker: unknown option --bogus$/],
])('broker %j: one line on stderr, exit 2', async (args, message) => {
  const r = await cli(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
});

it('flags the connection-level violations in the log like malformed packets', async () => {
  broker = startCli(['broker', '--port', '0']);
  const b = broker;
  const port = Number(/:(\d+) /.exec(await b.waitLine(/^MQTT Lab broker on mqtt:\/\/127\.0\.0\.1:(\d+) /, 15_000))![1]);
  const connect = (clientId: string): Uint8Array =>
    generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });
  // Empty client id with clean session 0 (hand-built: mqtt-packet refuses to generate it).
  raw = await rawMqtt(port);
  await raw.send(new Uint8Array([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]));
  // The embedded broker refuses it as the spec says (MQTT-3.1.3-8); a broker that accepts is flagged (test/tap).
  await b.waitLine(line('broker → conn#1  CONNACK \\(sp0, rc2 '));
  await raw.close();
  raw = await rawMqtt(port);
  await raw.send(connect('twice'));
  await raw.next();
  await raw.send(connect('twice'));
  await b.waitLine(line("twice → broker  CONNECT \\(p4, c1, k0, 'twice'\\) \\[malformed: A second CONNECT"));
  await raw.close();
  raw = await rawMqtt(port);
  await raw.send(generate({ cmd: 'publish', topic: 'early', payload: Buffer.from('x'), qos: 0, dup: false, retain: false }));
  await b.waitLine(line("conn#3 → broker  PUBLISH \\(d0, q0, r0, 'early', … \\(1 bytes\\)\\) \\[malformed: PUBLISH before CONNECT"));
  expect(b.lines.filter((l) => / twice connected /.test(l))).toHaveLength(1);
});
