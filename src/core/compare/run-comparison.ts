// MQTT against HTTP, measured: the same sensor readings go once through MQTT (published to the lab's broker
// behind the tap, pushed to a subscriber) and once through HTTP (POSTed to a web server, fetched by a
// receiver that polls), and the figures come from what the taps recorded. Both routes are counted end to
// end, sensor to receiver through the middle (broker or web server): two hops each, like with like.
import type { PacketSummary } from '../../shared/api.js';
import type { PacketRecord } from '../../shared/lab.js';
import { Lab } from '../lab/lab.js';
import { HttpPoller, HttpSensor } from '../http/http-clients.js';
import { HttpTap } from '../http/http-tap.js';
import { ReadingsServer } from '../http/readings-server.js';
import { percentile, round, traffic, WIRE_MODEL, type TrafficFigures } from './metrics.js';

export interface CompareOptions {
  readings: number;
  intervalMs: number;
  pollMs: number;
  /** Also drop one message of each protocol and report what became of its reading. Default true. */
  drop?: boolean;
}

export type ProtocolName = 'mqtt-qos0' | 'mqtt-qos1' | 'http-polling';

export interface ProtocolFigures {
  protocol: ProtocolName;
  description: string;
  received: number;
  lost: number;
  perReading: { payloadBytes: number; wireBytes: number; messages: number; segments: number };
  totals: TrafficFigures;
  /** From the sensor producing a reading to the receiver having it. */
  delayMs: { median: number | null; p95: number | null; max: number | null };
  /** HTTP only: GETs, and GETs answered 204 No Content (nothing new). */
  polls: number | null;
  emptyPolls: number | null;
  /** Messages before the first reading: MQTT's CONNECT/CONNACK/SUBSCRIBE/SUBACK (HTTP has none). */
  setup: { messages: number; payloadBytes: number };
}

export interface DropOutcome {
  protocol: ProtocolName;
  dropped: string;
  delivered: boolean;
  /** From producing the reading to the receiver having it, when it arrived. */
  delayMs: number | null;
  what: string;
}

export interface Comparison {
  readings: number;
  intervalMs: number;
  pollMs: number;
  wireModel: string;
  protocols: ProtocolFigures[];
  drop: DropOutcome[];
  durationMs: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
/** How long the HTTP receiver waits for an answer before it gives the request up. */
const POLL_TIMEOUT_MS = 1000;

const MQTT_IDS = {
  'mqtt-qos0': { sensor: 'mqtt-sensor-q0', receiver: 'mqtt-receiver-q0', topic: 'home/anne/bp/q0', qos: 0 as const },
  'mqtt-qos1': { sensor: 'mqtt-sensor-q1', receiver: 'mqtt-receiver-q1', topic: 'home/anne/bp/q1', qos: 1 as const },
};
const HTTP_IDS = { sensor: 'http-sensor', receiver: 'http-receiver' };
const SETUP_TYPES = new Set(['CONNECT', 'CONNACK', 'SUBSCRIBE', 'SUBACK']);

/** A blood-pressure reading as the lecture's home-care sensor might send it; the same text for both protocols. */
function reading(i: number): string {
  return JSON.stringify({ patient: 'anne', seq: i, bp: `${118 + ((i * 7) % 23)}/${76 + ((i * 5) % 13)}` });
}

export async function runComparison(opts: CompareOptions): Promise<Comparison> {
  const began = Date.now();
  const lab = await Lab.start({ port: 0, lessonDirs: [], capacity: Math.max(10_000, opts.readings * 40) });
  const server = new ReadingsServer();
  // HTTP is measured from its own tap's records, kept here: the lab's capture is read through its API.
  const http: PacketRecord[] = [];
  const httpClientOf = new Map<number, string>();
  let httpConns = 0;
  const httpTap = new HttpTap({
    target: await server.start(),
    record: (r) => {
      const rec = { ...r, seq: http.length + 1 };
      http.push(rec);
      return rec;
    },
    connId: () => ++httpConns,
    label: (connId, name) => httpClientOf.set(connId, name),
  });
  const cleanups: Array<() => Promise<unknown> | unknown> = [() => lab.stop(), () => server.stop(), () => httpTap.stop()];
  try {
    const httpAddr = await httpTap.start();
    const produced = new Map<number, number>();
    const arrived: Record<ProtocolName, Map<number, number>> = { 'mqtt-qos0': new Map(), 'mqtt-qos1': new Map(), 'http-polling': new Map() };
    const seqOf = (text: string | undefined): number => (JSON.parse(text ?? '{}') as { seq?: number }).seq ?? -1;

    // MQTT: two sensors and two receivers, one pair per QoS; the QoS 1 receiver keeps its session.
    lab.api.on('message', ({ id, message }) => {
      for (const [name, ids] of Object.entries(MQTT_IDS) as Array<[ProtocolName, (typeof MQTT_IDS)['mqtt-qos0']]>) {
        if (id === ids.receiver) {
          const seq = seqOf(message.text);
          if (!arrived[name].has(seq)) arrived[name].set(seq, message.time);
        }
      }
    });
    for (const ids of Object.values(MQTT_IDS)) {
      await lab.api.call('clients.create', { id: ids.sensor, options: { clientId: ids.sensor } });
      await lab.api.call('clients.create', { id: ids.receiver, options: { clientId: ids.receiver, clean: ids.qos === 0 } });
      await lab.api.call('clients.connect', { id: ids.sensor });
      await lab.api.call('clients.connect', { id: ids.receiver });
      await lab.api.call('clients.subscribe', { id: ids.receiver, subscriptions: [{ filter: ids.topic, qos: ids.qos }] });
    }
    const httpSensor = new HttpSensor(httpAddr, 5000, HTTP_IDS.sensor);
    const poller = new HttpPoller(httpAddr, opts.pollMs, (r, time) => {
      const seq = (r.reading as { seq?: number }).seq ?? -1;
      if (!arrived['http-polling'].has(seq)) arrived['http-polling'].set(seq, time);
    }, POLL_TIMEOUT_MS, HTTP_IDS.receiver);
    cleanups.unshift(() => poller.stop(), () => httpSensor.close());

    const lastSeq = async (): Promise<number> => (await lab.api.call('lab.status', {})).packets.lastSeq ?? 0;
    const startSeq = await lastSeq();
    const httpStart = http.length;
    poller.start();
    const t0 = now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 1; i <= opts.readings; i++) {
      await sleep(t0 + i * opts.intervalMs - now());
      sends.push(...send(lab, httpSensor, i, produced));
    }
    await Promise.allSettled(sends);
    const all = (): boolean => Object.values(arrived).every((m) => m.size >= opts.readings);
    const deadline = now() + Math.max(2000, 2 * opts.pollMs + POLL_TIMEOUT_MS);
    while (!all() && now() < deadline) await sleep(20);
    // The poll that found the last reading may be followed by one more in flight; let it finish in the run.
    await sleep(Math.min(opts.pollMs, 200));
    const endSeq = await lastSeq();
    const httpEnd = http.length;
    const pollStats = { ...poller.stats };

    const captured = await lab.api.call('packets.query', { limit: 200_000 });
    const records = captured.filter((r) => r.seq > startSeq && r.seq <= endSeq);
    const setupRecords = captured.filter((r) => r.seq <= startSeq);
    const lengths = (rs: readonly PacketSummary[]): number[] => rs.map((r) => r.length);
    const figures: ProtocolFigures[] = [];
    for (const [name, ids] of Object.entries(MQTT_IDS) as Array<[ProtocolName, (typeof MQTT_IDS)['mqtt-qos0']]>) {
      const mine = (r: PacketSummary): boolean => [ids.sensor, ids.receiver].includes(r.clientId ?? '');
      const setup = setupRecords.filter((r) => mine(r) && SETUP_TYPES.has(r.type));
      figures.push(protocolFigures(name, `MQTT QoS ${ids.qos}: sensor publishes, broker pushes to the subscriber`,
        lengths(records.filter(mine)), 0, produced, arrived[name], opts.readings, null, lengths(setup)));
    }
    const httpRecords = http.slice(httpStart, httpEnd).filter((r) => [HTTP_IDS.sensor, HTTP_IDS.receiver].includes(httpClientOf.get(r.connId) ?? ''));
    // The first connection of each HTTP client is its setup, as MQTT's CONNECT is; later ones (after a
    // timeout) are part of the run's cost.
    const opened = new Set(httpRecords.map((r) => r.connId)).size;
    figures.push(protocolFigures('http-polling', `HTTP: sensor POSTs, receiver polls every ${opts.pollMs} ms (keep-alive)`,
      httpRecords.map((r) => r.bytes.length), Math.max(0, opened - 2), produced, arrived['http-polling'], opts.readings, pollStats, []));

    const drop = opts.drop === false ? [] : await dropTests(lab, httpTap, httpSensor, opts, produced, arrived);
    return {
      readings: opts.readings, intervalMs: opts.intervalMs, pollMs: opts.pollMs, wireModel: WIRE_MODEL.text,
      protocols: figures, drop, durationMs: Date.now() - began,
    };
  } finally {
    for (const c of cleanups) await Promise.resolve(c()).catch(() => undefined);
  }
}

function send(lab: Lab, httpSensor: HttpSensor, i: number, produced: Map<number, number>): Array<Promise<unknown>> {
  const payload = reading(i);
  produced.set(i, now());
  return [
    ...Object.values(MQTT_IDS).map((ids) => lab.api.call('clients.publish', { id: ids.sensor, topic: ids.topic, payload, qos: ids.qos })),
    httpSensor.post(payload),
  ];
}

function protocolFigures(
  protocol: ProtocolName, description: string, lengths: number[], extraConnections: number,
  produced: Map<number, number>, arrived: Map<number, number>, readings: number,
  polls: { polls: number; emptyPolls: number } | null, setup: number[],
): ProtocolFigures {
  const t = traffic(lengths, extraConnections);
  const delays = [...arrived].filter(([seq]) => seq <= readings && produced.has(seq)).map(([seq, at]) => at - produced.get(seq)!);
  const per = (n: number): number => round(n / readings, 1)!;
  return {
    protocol,
    description,
    received: delays.length,
    lost: readings - delays.length,
    perReading: { payloadBytes: per(t.payloadBytes), wireBytes: per(t.wireBytes), messages: per(t.messages), segments: per(t.segments) },
    totals: t,
    delayMs: { median: round(percentile(delays, 50)), p95: round(percentile(delays, 95)), max: round(delays.length === 0 ? null : Math.max(...delays)) },
    polls: polls?.polls ?? null,
    emptyPolls: polls?.emptyPolls ?? null,
    setup: { messages: setup.length, payloadBytes: setup.reduce((n, len) => n + len, 0) },
  };
}

/** One more reading per protocol, with one message of its path dropped at the tap; what became of it. */
async function dropTests(
  lab: Lab, httpTap: HttpTap, httpSensor: HttpSensor, opts: CompareOptions,
  produced: Map<number, number>, arrived: Record<ProtocolName, Map<number, number>>,
): Promise<DropOutcome[]> {
  const out: DropOutcome[] = [];
  const waitFor = async (name: ProtocolName, seq: number, ms: number): Promise<number | null> => {
    const end = now() + ms;
    while (now() < end) {
      const at = arrived[name].get(seq);
      if (at !== undefined) return at - produced.get(seq)!;
      await sleep(20);
    }
    return null;
  };
  let seq = opts.readings;
  for (const [name, ids] of Object.entries(MQTT_IDS) as Array<[ProtocolName, (typeof MQTT_IDS)['mqtt-qos0']]>) {
    seq++;
    await lab.api.call('faults.add', { match: { type: 'PUBLISH', direction: 'toClient', clientId: ids.receiver }, action: 'drop', times: 1 });
    produced.set(seq, now());
    await lab.api.call('clients.publish', { id: ids.sensor, topic: ids.topic, payload: reading(seq), qos: ids.qos });
    const late = await waitFor(name, seq, 1500);
    if (late !== null || ids.qos === 0) {
      out.push({ protocol: name, dropped: 'the PUBLISH from the broker to the receiver', delivered: late !== null, delayMs: round(late),
        what: late !== null ? 'delivered anyway' : 'lost: QoS 0 is at most once, nobody resends it' });
      continue;
    }
    // MQTT 3.1.1 resends an unacknowledged PUBLISH only when the receiver comes back (persistent session).
    const conn = (await lab.api.call('connections.list', {})).find((c) => c.clientId === ids.receiver && c.state !== 'closed');
    if (conn !== undefined) await lab.api.call('connections.sever', { connId: conn.connId });
    await sleep(200);
    await lab.api.call('clients.reconnect', { id: ids.receiver }).catch(() => undefined);
    const after = await waitFor(name, seq, 3000);
    out.push({ protocol: name, dropped: 'the PUBLISH from the broker to the receiver', delivered: after !== null, delayMs: round(after),
      what: after !== null
        ? 'not resent on the open connection (MQTT 3.1.1); resent with DUP=1 when the receiver reconnected with its session, so it arrived late'
        : 'not delivered, not even after the receiver reconnected' });
  }
  seq++;
  httpTap.dropNext('toClient', (d) => d.fields[0]?.children?.[1]?.value === 200);
  produced.set(seq, now());
  await httpSensor.post(reading(seq));
  const late = await waitFor('http-polling', seq, opts.pollMs + POLL_TIMEOUT_MS + 3000);
  out.push({ protocol: 'http-polling', dropped: 'the 200 response that carried the reading', delivered: late !== null, delayMs: round(late),
    what: late !== null
      ? `the receiver gave the request up after ${POLL_TIMEOUT_MS} ms, opened a new connection and asked again from its last reading: delivered late`
      : 'never delivered' });
  return out;
}
