// The traffic the oracle compares on: real clients (mosquitto_pub/sub in all three protocol versions,
// paho, mqtt.js) and a few hand-written byte sequences, against a real mosquitto, captured by tshark.
//
// Each scenario reaches fields or packet shapes the others do not; the comment on each says which.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { which } from '../peers/have.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { runPahoOk } from '../peers/paho.js';
import { run, spawnTracked, terminate } from '../peers/run.js';
import { startCapture } from '../peers/tshark.js';
import { rawSession } from './raw-client.js';
import { mqttjsPinger, mqttjsV4Will, mqttjsV5 } from './mqttjs-clients.js';

export const USERS = { alice: 'wonderland', bob: 'builder' } as const;

export interface CaptureRun {
  file: string;
  /** The broker port, i.e. what to give `tshark -d tcp.port==PORT,mqtt`. */
  port: number;
  ms: number;
  /** Per-step wall time, for tuning the total. */
  steps: Array<{ name: string; ms: number }>;
}

export interface Ctx {
  port: number;
  pub(args: string[], expectOk?: boolean): Promise<void>;
  /** mosquitto_sub that exits by itself (-C, -W or -E). */
  subOnce(args: string[]): Promise<void>;
  /** A long-running mosquitto_sub (needs `-i ID`), resolved once the broker sent its SUBACK; stop() ends it with SIGINT (→ DISCONNECT). */
  subscriber(args: string[]): Promise<{ stop(): Promise<void> }>;
}

const BIG_200 = 'x'.repeat(200);
// Under one loopback segment (MSS 65495) yet a three-byte remaining length.
const BIG_20K = randomBytes(10_000).toString('hex');

/** Steps run in order; within a step, the listed actions run concurrently. */
const SCENARIOS: Array<{ name: string; run(c: Ctx): Promise<unknown> }> = [
  {
    // QoS 0/1/2 in all three versions: PUBACK/PUBREC/PUBREL/PUBCOMP with and without v5 reason codes.
    name: 'qos levels, 3.1 / 3.1.1 / 5',
    run: (c) =>
      Promise.all(
        (['mqttv31', 'mqttv311', 'mqttv5'] as const).flatMap((v) =>
          [0, 1, 2].map((q) => c.pub(['-V', v, '-i', `pub-${v}-q${q}`, '-t', `lab/${v}/q${q}`, '-m', `qos ${q} via ${v}`, '-q', `${q}`])),
        ),
      ),
  },
  {
    // Every CONNECT and PUBLISH property mosquitto_pub can send, and DISCONNECT properties.
    name: 'v5 properties',
    run: (c) =>
      Promise.all([
        c.pub([
          '-V', 'mqttv5', '-i', 'pub-v5-props', '-t', 'lab/v5/props', '-m', '{"temperature": 21.5}', '-q', '1',
          '-D', 'connect', 'session-expiry-interval', '120',
          '-D', 'connect', 'receive-maximum', '10',
          '-D', 'connect', 'maximum-packet-size', '262144',
          '-D', 'connect', 'topic-alias-maximum', '4',
          '-D', 'connect', 'request-response-information', '1',
          '-D', 'connect', 'request-problem-information', '0',
          '-D', 'connect', 'user-property', 'site', 'lab-1',
          '-D', 'publish', 'user-property', 'unit', 'celsius',
          '-D', 'publish', 'user-property', 'sensor', 'dht22',
          '-D', 'publish', 'content-type', 'application/json',
          '-D', 'publish', 'message-expiry-interval', '300',
          '-D', 'publish', 'response-topic', 'lab/v5/reply',
          '-D', 'publish', 'correlation-data', 'req-42',
          '-D', 'publish', 'payload-format-indicator', '1',
          '-D', 'disconnect', 'session-expiry-interval', '0',
          '-D', 'disconnect', 'user-property', 'bye', 'now',
        ]),
        c.pub(['-V', 'mqttv5', '-i', 'pub-v5-alias', '-t', 'lab/v5/alias', '-m', 'aliased', '-q', '2', '-D', 'publish', 'topic-alias', '1', '--repeat', '2']),
        // '$' topics match no '#' subscription: PUBACK and PUBREC carry reason 0x10 (no matching subscribers).
        c.pub(['-V', 'mqttv5', '-i', 'pub-v5-nosub1', '-t', '$lab/none', '-m', 'x', '-q', '1']),
        c.pub(['-V', 'mqttv5', '-i', 'pub-v5-nosub2', '-t', '$lab/none', '-m', 'x', '-q', '2']),
        // No -i: empty client id, the broker assigns one (CONNACK property 0x12); keepalive above the
        // broker's max_keepalive: CONNACK carries Server Keep Alive (0x13).
        c.pub(['-V', 'mqttv5', '-k', '1000', '-t', 'lab/v5/anon', '-m', 'who am I']),
        // No auth plugin on the broker: refused with reason 0x8C, and the CONNECT carries both auth properties.
        c.pub(['-V', 'mqttv5', '-i', 'pub-v5-authm', '-t', 'lab/v5/x', '-m', 'x', '-D', 'connect', 'authentication-method', 'SCRAM-SHA-1', '-D', 'connect', 'authentication-data', 'client-first'], false),
      ]),
  },
  {
    // Will flag, will QoS/retain bits, will topic/message; MQTT 5 will properties.
    name: 'wills',
    run: (c) =>
      Promise.all([
        c.pub(['-V', 'mqttv31', '-i', 'will-31', '-t', 'lab/w/31', '-m', 'up', '--will-topic', 'lab/w/31/status', '--will-payload', 'gone', '--will-qos', '1']),
        c.pub(['-V', 'mqttv311', '-i', 'will-311', '-t', 'lab/w/311', '-m', 'up', '--will-topic', 'lab/w/311/status', '--will-payload', 'gone', '--will-qos', '2', '--will-retain']),
        c.pub(['-V', 'mqttv311', '-i', 'will-311-empty', '-t', 'lab/w/311', '-m', 'up', '--will-topic', 'lab/w/empty']),
        c.pub([
          '-V', 'mqttv5', '-i', 'will-5', '-t', 'lab/w/5', '-m', 'up', '-q', '1',
          '--will-topic', 'lab/w/5/status', '--will-payload', 'gone', '--will-qos', '1', '--will-retain',
          '-D', 'will', 'will-delay-interval', '5',
          '-D', 'will', 'payload-format-indicator', '1',
          '-D', 'will', 'message-expiry-interval', '60',
          '-D', 'will', 'content-type', 'text/plain',
          '-D', 'will', 'response-topic', 'lab/w/5/ack',
          '-D', 'will', 'correlation-data', 'w1',
          '-D', 'will', 'user-property', 'cause', 'test',
        ]),
      ]),
  },
  {
    // User name and password flags; refused CONNACKs (3.1.1 return code 4/5, MQTT 5 reason 0x86/0x87).
    name: 'credentials',
    run: (c) =>
      Promise.all([
        c.pub(['-V', 'mqttv311', '-i', 'auth-ok', '-u', 'alice', '-P', USERS.alice, '-t', 'lab/auth', '-m', 'hi', '-q', '1']),
        c.pub(['-V', 'mqttv5', '-i', 'auth-ok-5', '-u', 'bob', '-P', USERS.bob, '-t', 'lab/auth', '-m', 'hi']),
        c.pub(['-V', 'mqttv31', '-i', 'auth-ok-31', '-u', 'alice', '-P', USERS.alice, '-t', 'lab/auth', '-m', 'hi']),
        c.pub(['-V', 'mqttv311', '-i', 'auth-bad', '-u', 'alice', '-P', 'wrong', '-t', 'lab/auth', '-m', 'x'], false),
        c.pub(['-V', 'mqttv5', '-i', 'auth-bad-5', '-u', 'alice', '-P', 'wrong', '-t', 'lab/auth', '-m', 'x'], false),
        c.pub(['-V', 'mqttv311', '-i', 'user-only', '-u', 'nobody', '-t', 'lab/auth', '-m', 'x'], false),
      ]),
  },
  {
    // Retain flag on PUBLISH both ways; an empty retained message clears the topic (zero-length payload).
    name: 'retained',
    run: async (c) => {
      await c.pub(['-V', 'mqttv311', '-i', 'ret-set', '-t', 'lab/retained', '-m', 'kept', '-r', '-q', '1']);
      await c.pub(['-V', 'mqttv5', '-i', 'ret-set-5', '-t', 'lab/retained5', '-m', 'kept5', '-r', '-q', '2']);
      await Promise.all([
        c.subOnce(['-V', 'mqttv311', '-i', 'ret-get', '-t', 'lab/retained', '-C', '1', '-W', '3']),
        c.subOnce(['-V', 'mqttv5', '-i', 'ret-get-5', '-t', 'lab/retained5', '-q', '1', '-C', '1', '-W', '3']),
        c.subOnce(['-V', 'mqttv31', '-i', 'ret-get-31', '-t', 'lab/retained', '-q', '2', '-C', '1', '-W', '3']),
      ]);
      await Promise.all([
        c.pub(['-V', 'mqttv311', '-i', 'ret-clear', '-t', 'lab/retained', '-r', '-n']),
        c.pub(['-V', 'mqttv5', '-i', 'ret-clear-5', '-t', 'lab/retained5', '-r', '-n']),
      ]);
    },
  },
  {
    // Two- and three-byte remaining lengths (a `big/` topic so the lab/# subscribers do not copy them).
    name: 'large payloads',
    run: (c) =>
      Promise.all([
        c.pub(['-V', 'mqttv311', '-i', 'big-200', '-t', 'big/200', '-m', BIG_200, '-q', '1']),
        c.pub(['-V', 'mqttv5', '-i', 'big-200-5', '-t', 'big/200', '-m', BIG_200, '-q', '2']),
        // Once only (the v5 watcher gets a copy): it is most of the sample's size.
        c.pub(['-V', 'mqttv311', '-i', 'big-20k', '-t', 'big/20k', '-m', BIG_20K, '-q', '1']),
      ]),
  },
  {
    // SUBSCRIBE with several topics and an identifier, then UNSUBSCRIBE (with a v5 user property).
    name: 'unsubscribe',
    run: (c) =>
      Promise.all([
        c.subOnce(['-V', 'mqttv311', '-i', 'unsub-311', '-c', '-t', 'lab/u/a', '-t', 'lab/u/b', '-q', '1', '-U', 'lab/u/a', '-U', 'lab/u/b', '-E']),
        c.subOnce(['-V', 'mqttv31', '-i', 'unsub-31', '-t', 'lab/u/a', '-U', 'lab/u/a', '-E']),
        c.subOnce([
          '-V', 'mqttv5', '-i', 'unsub-5', '-t', 'lab/u/a', '-t', 'lab/u/+', '-q', '2', '-U', 'lab/u/a', '-E',
          '-D', 'subscribe', 'subscription-identifier', '99',
          '-D', 'subscribe', 'user-property', 'view', 'all',
          '-D', 'unsubscribe', 'user-property', 'why', 'done',
        ]),
      ]),
  },
  {
    name: 'paho',
    run: (c) =>
      Promise.all([
        runPahoOk('telemetry', { port: c.port, args: { topic: 'lab/telemetry', clientId: 'paho-telemetry' } }),
        runPahoOk('telemetry', { port: c.port, args: { topic: 'lab/telemetry/q1', clientId: 'paho-telemetry-q1', qos: 1, count: 2 } }),
        runPahoOk('v5_properties', { port: c.port, args: { topic: 'lab/paho5', clientId: 'paho-v5' } }),
        runPahoOk('will', { port: c.port, args: { topic: 'lab/paho/alive', willTopic: 'lab/paho/status', clientId: 'paho-will' } }),
        runPahoOk('will', { port: c.port, args: { topic: 'lab/paho/alive', willTopic: 'lab/paho5/status', clientId: 'paho-will5', v5: true } }),
        runPahoOk('auth', { port: c.port, args: { username: 'alice', password: USERS.alice, clientId: 'paho-auth' } }),
        runPahoOk('auth', { port: c.port, args: { username: 'bob', password: 'nope', clientId: 'paho-auth5', v5: true } }, 3),
      ]),
  },
  {
    name: 'mqtt.js',
    run: (c) => Promise.all([mqttjsV5(c.port), mqttjsV4Will(c.port, { username: 'alice', password: USERS.alice })]),
  },
  {
    // Byte sequences no library sends on purpose: a packet split over TCP segments (tshark reassembles),
    // several packets in one segment, DUP=1, an AUTH packet.
    name: 'raw bytes',
    run: (c) => rawSession(c.port),
  },
];

export interface CaptureOptions {
  file: string;
  /** Print each step's duration. */
  verbose?: boolean;
}

/** Start broker and capture, run every scenario, stop everything; the pcapng ends up at `opts.file`. */
export async function captureScenarios(opts: CaptureOptions): Promise<CaptureRun> {
  const t0 = Date.now();
  await mkdir(dirname(opts.file), { recursive: true });
  const broker = await startMosquitto({ v5: true, passwordFile: { ...USERS }, verbose: true, extraConfig: 'max_keepalive 300' });
  const steps: CaptureRun['steps'] = [];
  let capture: { stop(): Promise<void> } | undefined;
  const background: Array<{ stop(): Promise<void> }> = [];
  try {
    capture = await startCapture({ port: broker.port, file: opts.file });
    const c = context(broker);
    // Watchers that receive every publish in their version, so broker→client PUBLISH (with the
    // subscription identifier in v5) and QoS flows in that direction are in the capture too.
    background.push(
      ...(await Promise.all([
        c.subscriber([
          '-V', 'mqttv5', '-i', 'watch-5', '-t', '#', '-q', '2',
          '-D', 'connect', 'session-expiry-interval', '60',
          '-D', 'connect', 'receive-maximum', '100',
          '-D', 'connect', 'user-property', 'role', 'watcher',
          '-D', 'subscribe', 'subscription-identifier', '7',
          '-D', 'disconnect', 'session-expiry-interval', '0',
        ]),
        c.subscriber(['-V', 'mqttv311', '-i', 'watch-311', '-t', 'lab/#', '-q', '1']),
        c.subscriber(['-V', 'mqttv31', '-i', 'watch-31', '-t', 'lab/#', '-q', '2']),
      ])),
    );
    // Idle clients that must ping: mosquitto_sub's shortest keepalive is 5 s, so it runs alongside
    // everything else; mqtt.js accepts 1 s and gives an MQTT 5 pair quickly.
    const pingers = Promise.all([
      c.subOnce(['-V', 'mqttv311', '-i', 'pinger', '-k', '5', '-t', 'ping/none', '-W', '7']),
      mqttjsPinger(broker.port, 1, 2500),
    ]);
    pingers.catch(() => undefined); // awaited below; this only keeps an early scenario failure from also raising an unhandled rejection
    for (const s of SCENARIOS) {
      const started = Date.now();
      try {
        await s.run(c);
      } catch (err) {
        throw new Error(`scenario "${s.name}": ${(err as Error).message}`);
      }
      steps.push({ name: s.name, ms: Date.now() - started });
      if (opts.verbose === true) console.log(`  ${s.name}: ${Date.now() - started} ms`);
    }
    await pingers;
  } finally {
    await Promise.all(background.map((b) => b.stop()));
    await capture?.stop();
    await broker.stop();
  }
  return { file: opts.file, port: broker.port, ms: Date.now() - t0, steps };
}

function clientBin(name: 'mosquitto_pub' | 'mosquitto_sub'): string {
  const bin = which(name);
  if (bin === undefined) throw new Error(`${name} not found`);
  return bin;
}

function context(broker: Mosquitto): Ctx {
  const port = broker.port;
  const common = ['-h', '127.0.0.1', '-p', String(port)];
  return {
    port,
    async pub(args, expectOk = true) {
      const r = await run(clientBin('mosquitto_pub'), [...common, ...args], { timeoutMs: 10_000 });
      if (r.timedOut || (r.code === 0) !== expectOk) {
        throw new Error(`mosquitto_pub ${args.join(' ')}: exit ${r.code}${r.timedOut ? ' (timeout)' : ''}, expected ${expectOk ? 'success' : 'refusal'}\n${r.stderr}`);
      }
    },
    async subOnce(args) {
      const r = await run(clientBin('mosquitto_sub'), [...common, ...args], { timeoutMs: 15_000 });
      // -W ends with exit code 27 ("Timed out"), which is how the pinger is meant to end.
      if (r.timedOut || (r.code !== 0 && r.code !== 27)) {
        throw new Error(`mosquitto_sub ${args.join(' ')}: exit ${r.code}${r.timedOut ? ' (timeout)' : ''}\n${r.stderr}`);
      }
    },
    async subscriber(args) {
      const id = args[args.indexOf('-i') + 1];
      if (!args.includes('-i') || id === undefined) throw new Error('subscriber() needs -i ID to recognise its SUBACK');
      const child = spawnTracked(clientBin('mosquitto_sub'), [...common, ...args]);
      const gone = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`mosquitto_sub ${args.join(' ')} exited ${code}`))));
      gone.catch(() => undefined);
      await Promise.race([broker.waitForLog(new RegExp(`Sending SUBACK to ${id}\\b`)), gone]);
      // Drain output so a chatty subscriber never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      return { stop: () => terminate(child, 'SIGINT', 3000) };
    },
  };
}
