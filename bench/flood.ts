// What a flooded subscriber that never reads costs everyone else, through the tap and straight to the broker:
// the round trip of a bystander's QoS 0 message before the flood and while 40,000 × 1 kB PUBLISHes pour into
// the non-reader's subscription. Moved here from test/tap/robustness.test.ts, whose wall-clock bound failed on
// a busy machine; the test keeps what must arrive. Ratios within one run (during ÷ before, tap ÷ direct).
//   npm run bench -- flood [--broker mosquitto|aedes] [--samples N]
import { connect, type Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { createBroker, MOSQUITTO_MISSING } from '../src/core/broker/index.js';
import { findExecutable } from '../src/core/broker/find-executable.js';
import { Tap } from '../src/core/tap/tap.js';

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const KIND = (value('broker') ?? 'mosquitto') as 'mosquitto' | 'aedes';
const SAMPLES = Number(value('samples') ?? 20);
const FLOOD = 40_000;
const gen = (p: Record<string, unknown>): Buffer => mqttPacket.generate(p as unknown as mqttPacket.Packet);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (KIND === 'mosquitto' && findExecutable('mosquitto') === undefined) {
  console.log(`bench/flood: ${MOSQUITTO_MISSING}`);
  process.exit(0);
}

async function raw(port: number, clientId: string): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.once('data', () => resolve());
    s.write(gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 }));
  });
  return s;
}

async function client(port: number, clientId: string): Promise<MqttClient> {
  const c = mqtt.connect({ host: '127.0.0.1', port, clientId, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

/** Side round trips before and during a flood into a non-reader's subscription, on `port`. */
async function scenario(port: number, tag: string): Promise<{ before: number; during: number }> {
  const lazy = await raw(port, `${tag}-lazy`);
  lazy.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${tag}/flood/#`, qos: 0 }] }));
  await sleep(100);
  lazy.pause();
  const bystander = await client(port, `${tag}-bystander`);
  await bystander.subscribeAsync(`${tag}/side/#`);
  const side = await client(port, `${tag}-side`);
  const roundTrip = async (i: number): Promise<number> => {
    const t = performance.now();
    const got = new Promise<void>((resolve) => bystander.once('message', () => resolve()));
    side.publish(`${tag}/side/x`, String(i));
    await got;
    return performance.now() - t;
  };
  const before: number[] = [];
  for (let i = 0; i < SAMPLES; i++) before.push(await roundTrip(i));
  const pub = await raw(port, `${tag}-flooder`);
  const one = gen({ cmd: 'publish', topic: `${tag}/flood/x`, payload: Buffer.alloc(1000, 0x66), qos: 0, dup: false, retain: false });
  const batch = Buffer.concat(Array.from({ length: 200 }, () => one));
  const during: number[] = [];
  // The flood and the round trips together: the publisher writes as fast as it may, the side measures meanwhile.
  const flooding = (async () => {
    for (let written = 0; written < FLOOD; written += 200) {
      if (!pub.write(batch)) await Promise.race([new Promise((r) => pub.once('drain', r)), sleep(1000)]);
    }
  })();
  for (let i = 0; i < SAMPLES; i++) during.push(await roundTrip(SAMPLES + i));
  await flooding;
  for (const s of [lazy, pub]) s.destroy();
  for (const c of [bystander, side]) c.end(true);
  return { before: median(before), during: median(during) };
}

const broker = createBroker({ kind: KIND });
const info = await broker.start();
const tap = new Tap({ broker: { host: info.host, port: info.port, connect: broker.connect?.bind(broker) } });
const { port } = await tap.start();
try {
  const direct = await scenario(info.port, 'direct');
  const tapped = await scenario(port, 'tapped');
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  console.log(`bench/flood (${KIND}): bystander QoS 0 round trip, median of ${SAMPLES}, before / during a ${FLOOD} × 1 kB flood into a non-reader`);
  console.log(`  direct:   ${ms(direct.before)} / ${ms(direct.during)}   (during ÷ before ${(direct.during / direct.before).toFixed(1)})`);
  console.log(`  via tap:  ${ms(tapped.before)} / ${ms(tapped.during)}   (during ÷ before ${(tapped.during / tapped.before).toFixed(1)})`);
  console.log(`  tap ÷ direct during the flood: ${(tapped.during / direct.during).toFixed(2)}`);
} finally {
  await tap.stop();
  await broker.stop();
}
