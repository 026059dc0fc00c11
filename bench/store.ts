// The capture store's append and filter speed, moved here from test/store (a wall-clock bound in a test fails
// on a busy machine for reasons that are not the store's). Real PUBLISH, PUBACK, PINGREQ and SUBSCRIBE packets,
// decoded once before timing so that filtering, not decoding, is measured; the baseline is a plain array
// filter over the same records with the same predicate, in the same run.
//   npm run bench -- store [--rounds R]
import mqttPacket from 'mqtt-packet';
import { dissect } from '../src/core/dissect/index.js';
import { topicMatches } from '../src/core/dissect/topic-rules.js';
import { CaptureStore, type NewRecord } from '../src/core/store/capture-store.js';
import type { PacketRecord } from '../src/shared/lab.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--rounds');
const ROUNDS = Number(i >= 0 ? argv[i + 1] : 5);
const KEPT = 200_000;
const WINDOW = 100_000;

const gen = (p: Record<string, unknown>): Uint8Array => new Uint8Array(mqttPacket.generate(p as unknown as mqttPacket.Packet));
/** One real packet of each kind per room: decoding 300,000 would time the dissector, not the store. */
const kinds = Array.from({ length: 20 }, (_, room) => [
  gen({ cmd: 'publish', topic: `home/room${room}/temp`, payload: Buffer.from('21.5'), qos: 1, messageId: 1 + room, dup: false, retain: false }),
  gen({ cmd: 'puback', messageId: 1 + room }),
  gen({ cmd: 'pingreq' }),
  gen({ cmd: 'subscribe', messageId: 1 + room, subscriptions: [{ topic: `home/room${room}/#`, qos: 1 }] }),
].map((bytes) => ({ bytes, decoded: dissect(bytes, { version: 4 }) })));

function records(n: number): NewRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const p = kinds[k % 20]![k % 4]!;
    return { time: 1_000 + k, connId: k % 50, direction: k % 3 === 0 ? 'toClient' : 'toBroker', bytes: p.bytes, decoded: p.decoded };
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const append: number[] = [];
const filter: number[] = [];
const scan: number[] = [];
const plain: number[] = [];
let hits = 0;
for (let r = 0; r < ROUNDS; r++) {
  const input = records(KEPT + WINDOW);
  const store = new CaptureStore();
  let t = performance.now();
  for (const x of input) store.append(x);
  append.push(performance.now() - t);
  for (let c = 0; c < 50; c++) store.setClientId(c, `client-${c % 10}`);
  const after = (store.lastSeq ?? 0) - WINDOW;
  // A realistic filter over the newest 100,000: client id, type and a wildcard topic together.
  t = performance.now();
  hits = store.query({ afterSeq: after, clientId: 'client-4', type: 'PUBLISH', topic: 'home/+/temp' }).length;
  filter.push(performance.now() - t);
  t = performance.now();
  store.query({ afterSeq: after, direction: 'toBroker' });
  scan.push(performance.now() - t);
  // The same question asked of a plain array of the same records.
  const newest = input.slice(-WINDOW) as PacketRecord[];
  t = performance.now();
  const baseline = newest.filter((x) => x.connId % 10 === 4 && x.decoded.type === 'PUBLISH' && topicMatches('home/+/temp', x.decoded.info.topic ?? '')).length;
  plain.push(performance.now() - t);
  if (baseline !== hits) throw new Error(`the store found ${hits}, a plain filter ${baseline}`);
}
const [a, f, s, p] = [median(append), median(filter), median(scan), median(plain)];
console.log(`bench/store: ${ROUNDS} rounds, medians; ${KEPT + WINDOW} appends into a ${KEPT}-record store, queries over the newest ${WINDOW}`);
console.log(`  append ${(KEPT + WINDOW).toLocaleString('en')}: ${a.toFixed(1)} ms (${((a * 1e6) / (KEPT + WINDOW)).toFixed(0)} ns each)`);
console.log(`  filter client+type+topic: ${f.toFixed(1)} ms, ${hits} hits (${(f / p).toFixed(2)} × a plain array filter, ${p.toFixed(1)} ms)`);
console.log(`  scan by direction: ${s.toFixed(1)} ms`);
console.log(`  ${f < 100 && s < 100 ? 'met    ' : 'NOT met'}  filter and scan over 100,000 records within 100 ms`);
