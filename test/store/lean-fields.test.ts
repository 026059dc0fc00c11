// The lean field reader must give every field exactly the values the dissector's tree gives it: on random
// valid packets of every type and version (mqtt-packet writes them), on the same packets damaged (bytes
// flipped, cut, extended, read as another version), and on the repository's real captures. Where it cannot
// read a packet it must say so (null), never answer differently; and over a store, a filter must select
// the same records as the evaluator over whole trees while building trees only for those packets.
import { readFileSync, readdirSync } from 'node:fs';
import * as mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { knownFilters } from '../../src/core/dissect/fields.js';
import { findAll } from '../../src/core/dissect/tree.js';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { CaptureStore, FilterViews } from '../../src/core/store/index.js';
import { readLeanFields, type FieldValues } from '../../src/core/store/lean-fields.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import { evaluate } from '../../src/shared/filter/evaluate.js';
import { parseFilter } from '../../src/shared/filter/parse.js';
import type { MqttVersion } from '../../src/shared/packet.js';
import { Prng, seedFromEnv } from '../dissect/support/prng.js';
import { randomPacket } from '../dissect/support/random-packets.js';

/** Every name a tree can hold, the grouping nodes included. */
const NAMES: ReadonlySet<string> = knownFilters();

function treeValues(bytes: Uint8Array, version: MqttVersion, name: string): Array<string | number | boolean | null> {
  return findAll(dissect(bytes, { version }).fields, name).map((n) => n.value ?? null);
}

const sorted = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

/** Compares every field name; returns false when the reader declined (null). */
function agrees(bytes: Uint8Array, version: MqttVersion, label: string): boolean {
  const out: FieldValues = new Map();
  const lean = readLeanFields(bytes, version, NAMES, out);
  if (lean === null) return false;
  const tree = dissect(bytes, { version });
  for (const name of NAMES) {
    const want = findAll(tree.fields, name).map((n) => n.value ?? null);
    expect(sorted(lean.get(name) ?? []), `${label} ${name}`).toEqual(sorted(want));
  }
  return true;
}

function validPackets(seed: number, n: number): Array<{ version: MqttVersion; bytes: Uint8Array; cmd: string }> {
  const rng = new Prng(seed);
  const out: Array<{ version: MqttVersion; bytes: Uint8Array; cmd: string }> = [];
  for (let i = 0; i < n; i++) {
    const { version, packet } = randomPacket(rng);
    out.push({ version, cmd: packet.cmd, bytes: new Uint8Array(mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: version })) });
  }
  return out;
}

/** A damaged copy: a byte changed, the end cut or extended, or flags set the type does not allow. */
function damage(rng: Prng, bytes: Uint8Array): Uint8Array {
  const b = bytes.slice();
  switch (rng.int(0, 4)) {
    case 0: b[rng.int(0, b.length - 1)] = rng.int(0, 255); return b;
    case 1: return b.subarray(0, rng.int(0, b.length - 1));
    case 2: { const more = new Uint8Array(b.length + rng.int(1, 3)); more.set(b); return more; }
    case 3: b[0] = (b[0]! & 0xf0) | rng.int(0, 15); return b;
    default: {
      // A byte inside the variable header, where lengths and property ids live.
      const at = Math.min(b.length - 1, rng.int(2, 12));
      b[at] = rng.int(0, 255);
      return b;
    }
  }
}

describe('lean field reader', () => {
  it('reads every field of 2000 random valid packets of every type and version as the tree does', () => {
    const seed = seedFromEnv(4242);
    const kinds = new Set<string>();
    for (const [i, p] of validPackets(seed, 2000).entries()) {
      const label = `#${i} ${p.cmd} v${p.version} (seed ${seed})`;
      expect(agrees(p.bytes, p.version, label), `${label}: declined a valid packet`).toBe(true);
      kinds.add(`${p.cmd}/${p.version}`);
    }
    for (const cmd of ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect']) {
      for (const v of [3, 4, 5]) expect(kinds.has(`${cmd}/${v}`), `${cmd}/${v}`).toBe(true);
    }
    expect(kinds.has('auth/5')).toBe(true);
  });

  it('never answers differently from the tree on damaged packets, read as any version', () => {
    const seed = seedFromEnv(777);
    const rng = new Prng(seed);
    let read = 0;
    let declined = 0;
    for (const [i, p] of validPackets(seed + 1, 3000).entries()) {
      const bytes = damage(rng, p.bytes);
      const version = rng.pick([3, 4, 5] as const);
      if (agrees(bytes, version, `#${i} damaged ${p.cmd} as v${version} (seed ${seed})`)) read++;
      else declined++;
    }
    // Both paths are exercised: many damaged packets are still regular (a changed value), many are not.
    expect(read).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(300);
  });

  it('declines what only the tree can show', () => {
    const cases: Array<[string, number[], MqttVersion]> = [
      ['PUBLISH with QoS 3', [0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01], 4],
      ['topic length past the end', [0x30, 0x04, 0x00, 0x09, 0x61, 0x62], 4],
      ['bytes after the Remaining Length', [0x30, 0x03, 0x00, 0x01, 0x61, 0x62], 4],
      ['a TLS ClientHello', [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00], 4],
      ['AUTH in MQTT 3.1.1', [0xf0, 0x00], 4],
      ['reserved type 0', [0x00, 0x00], 4],
      ['unknown MQTT 5 property', [0x40, 0x05, 0x00, 0x01, 0x00, 0x02, 0x7f], 5],
      ['one byte', [0x30], 4],
    ];
    for (const [name, bytes, v] of cases) expect(readLeanFields(new Uint8Array(bytes), v, NAMES, new Map()), name).toBeNull();
  });

  it('reads the repository\'s real captures as the tree does', () => {
    const dir = new URL('../../lessons/captures/', import.meta.url);
    let n = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.pcapng'))) {
      for (const r of readCaptureRecords(readFileSync(new URL(f, dir)), [1883])) {
        const v = r.record.decoded.version;
        expect(agrees(r.record.bytes, v, `${f} #${n}`) || r.record.decoded.issues.length > 0, `${f} #${n}`).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
  });

  it('reads only the fields asked for', () => {
    const bytes = new Uint8Array(mqttPacket.generate({ cmd: 'publish', topic: 'home/temp', payload: Buffer.from('21.5'), qos: 1, messageId: 9, dup: false, retain: true }));
    const got = readLeanFields(bytes, 4, new Set(['mqtt.msgid', 'mqtt.msg', 'mqtt.username']), new Map());
    expect(got && Object.fromEntries(got)).toEqual({ 'mqtt.msgid': [9], 'mqtt.msg': ['21.5'] });
    expect(treeValues(bytes, 4, 'mqtt.msgid')).toEqual([9]);
  });
});

describe('field-level filters over a store', () => {
  const FILTERS = [
    'mqtt.msgid == 7', 'mqtt.msgid > 30000', 'mqtt.topic contains "a"', 'mqtt.clientid', 'mqtt.username matches "^[a-m]"',
    'mqtt.msg contains "7"', 'mqtt.kalive >= 60', 'mqtt.conack.val == 0', 'mqtt.puback.reason_code != 0', 'mqtt.suback.qos == 128',
    'mqtt.prop.user_property contains "="', 'mqtt.prop.topic_alias', 'mqtt.property_id == 38', 'mqtt.len < 10', 'mqtt.willmsg',
    'mqtt.sub.qos == 2 || mqtt.subscription_options_nl', 'mqtt.variable_header && !mqtt.payload', 'mqtt.hdr_reserved != 0',
    'mqtt.conflag.cleansess && mqtt.ver == 5', 'mqtt.disconnect.reason_code', 'mqtt.undecoded', 'mqtt.topic_len == 0',
    'mqtt.retain_reserved', 'mqtt.prop.content_type', 'mqtt.passwd', 'lab.len > 20 && mqtt.msgid',
  ];

  it('select exactly what the evaluator over whole trees selects, building trees only for irregular packets', () => {
    const seed = seedFromEnv(99);
    const rng = new Prng(seed);
    const store = new CaptureStore(10_000);
    let irregular = 0;
    for (const p of validPackets(seed, 1500)) {
      const damaged = rng.bool(0.2);
      const bytes = damaged ? damage(rng, p.bytes) : p.bytes;
      if (damaged && readLeanFields(bytes, p.version, NAMES, new Map()) === null) irregular++;
      store.append(lazyRecord({ time: 1, connId: p.version, direction: 'toBroker', bytes }, p.version));
    }
    const views = new FilterViews(store);
    let matched = 0;
    for (const f of FILTERS) {
      const expr = parseFilter(f)!;
      const want: number[] = [];
      for (let s = store.firstSeq!; s <= store.lastSeq!; s++) {
        const r = store.get(s)!;
        if (evaluate(expr, { seq: s, connId: r.connId, direction: r.direction, decoded: dissect(r.bytes, { version: store.versionOf(s)! }) })) want.push(s);
      }
      const before = store.treesBuilt;
      expect({ f, got: views.window(f, 0, 10_000).seqs }).toEqual({ f, got: want });
      // Trees come only from packets the reader declined (a few malformed ones), never one per record.
      expect(store.treesBuilt - before, f).toBeLessThanOrEqual(irregular);
      if (want.length > 0 && want.length < store.size) matched++;
    }
    // The filters discriminate: most match some records and not all.
    expect(matched).toBeGreaterThan(FILTERS.length / 2);
  });
});
