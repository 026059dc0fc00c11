// Every packet type in every version where its layout differs, decoded from hand-written bytes and
// compared node by node with a tree worked out from the specifications.
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { PROPERTIES } from '../../src/core/dissect/spec.js';
import { ALL_FIXTURES, type Fixture } from './fixtures/index.js';
import { findAll, project, uncoveredBytes } from './support/tree.js';

function decode(f: Fixture) {
  return dissect(Uint8Array.from(f.bytes), { version: f.version });
}

describe('annotated fixtures', () => {
  for (const f of ALL_FIXTURES) {
    describe(f.name, () => {
      it('decodes to the expected tree, node by node', () => {
        expect(project(decode(f).fields, f.tree)).toEqual(f.tree);
      });

      it('has the expected type, version, length, summary and info', () => {
        const d = decode(f);
        expect(d.type).toBe(f.type);
        // CONNECT announces its own version; every other packet keeps the connection's.
        expect(d.version).toBe(f.type === 'CONNECT' ? f.info.protocolVersion : f.version);
        expect(d.length).toBe(f.bytes.length);
        expect(d.summary).toBe(f.summary);
        expect(d.info).toEqual(f.info);
      });

      it('carries exactly the expected issues', () => {
        const got = decode(f).issues.map((i) => [i.filter, i.offset, i.severity, i.specRef] as const);
        expect(got).toEqual(f.issues ?? []);
      });

      it('explains every byte with a leaf node', () => {
        const bytes = Uint8Array.from(f.bytes);
        expect(uncoveredBytes(bytes, dissect(bytes, { version: f.version }))).toEqual([]);
      });

      // A check on the fixture itself, independent of our dissector: its bytes are a packet that
      // mqtt-packet's parser accepts whole.
      it('is a packet mqtt-packet accepts', () => {
        const version = f.type === 'CONNECT' ? f.info.protocolVersion : f.version;
        const parser = mqttPacket.parser({ protocolVersion: version });
        const got: string[] = [];
        const errors: string[] = [];
        parser.on('packet', (p: { cmd: string }) => got.push(p.cmd));
        parser.on('error', (e: Error) => errors.push(e.message));
        const left = parser.parse(Buffer.from(f.bytes));
        expect(errors).toEqual([]);
        expect(got).toEqual([f.type.toLowerCase()]);
        expect(left).toBe(0);
      });
    });
  }
});

describe('fixture coverage', () => {
  it('includes every packet type', () => {
    const types = new Set(ALL_FIXTURES.map((f) => f.type));
    for (const t of ['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK',
      'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'] as const) {
      expect(types, t).toContain(t);
    }
  });

  it('uses every MQTT 5 property identifier at least once', () => {
    const seen = new Set<number>();
    for (const f of ALL_FIXTURES) for (const n of findAll(decode(f), 'mqtt.property_id')) seen.add(n.value as number);
    const missing = [...PROPERTIES.keys()].filter((id) => !seen.has(id)).map((id) => `0x${id.toString(16)}`);
    expect(missing).toEqual([]);
    // Table 2-4 of MQTT 5.0 lists 27 properties.
    expect(PROPERTIES.size).toBe(27);
  });

  it('names reason code 0x00 after the packet type carrying it', () => {
    const names = new Map<string, string>();
    for (const f of ALL_FIXTURES.filter((x) => x.version === 5)) {
      for (const filter of ['mqtt.suback.reason_code', 'mqtt.disconnect.reason_code', 'mqtt.pubcomp.reason_code', 'mqtt.unsuback.reason_code', 'mqtt.connack.reason_code']) {
        const zero = findAll(decode(f), filter).find((n) => n.value === 0);
        if (zero?.display !== undefined) names.set(filter, zero.display);
      }
    }
    expect(Object.fromEntries(names)).toEqual({
      'mqtt.suback.reason_code': '0x00 (Granted QoS 0)',
      'mqtt.disconnect.reason_code': '0x00 (Normal disconnection)',
      'mqtt.pubcomp.reason_code': '0x00 (Success)',
      'mqtt.unsuback.reason_code': '0x00 (Success)',
      'mqtt.connack.reason_code': '0x00 (Success)',
    });
  });

  it('gives bit fields the masks of the specification', () => {
    const masks = new Map<string, number>();
    for (const f of ALL_FIXTURES) {
      for (const d of [decode(f)]) {
        for (const filter of ['mqtt.msgtype', 'mqtt.dupflag', 'mqtt.qos', 'mqtt.retain', 'mqtt.hdr_reserved',
          'mqtt.retain_reserved', 'mqtt.conflag.uname', 'mqtt.conflag.passwd', 'mqtt.conflag.retain', 'mqtt.conflag.qos',
          'mqtt.conflag.willflag', 'mqtt.conflag.cleansess', 'mqtt.conflag.reserved', 'mqtt.conack.flags.sp',
          'mqtt.subscription_options_reserved', 'mqtt.subscription_options_retain', 'mqtt.subscription_options_rap',
          'mqtt.subscription_options_nl', 'mqtt.subscription_options_qos']) {
          const n = findAll(d, filter)[0];
          if (n?.mask !== undefined) masks.set(filter, n.mask);
        }
      }
    }
    // 3.1.1 §2.2 figure 2.2 and §3.1.2.3; 5.0 §3.8.3.1 figure 3-12.
    expect(Object.fromEntries(masks)).toEqual({
      'mqtt.msgtype': 0xf0, 'mqtt.dupflag': 0x08, 'mqtt.qos': 0x06, 'mqtt.retain': 0x01, 'mqtt.hdr_reserved': 0x0f,
      'mqtt.retain_reserved': 0x01, 'mqtt.conflag.uname': 0x80, 'mqtt.conflag.passwd': 0x40,
      'mqtt.conflag.retain': 0x20, 'mqtt.conflag.qos': 0x18, 'mqtt.conflag.willflag': 0x04,
      'mqtt.conflag.cleansess': 0x02, 'mqtt.conflag.reserved': 0x01, 'mqtt.conack.flags.sp': 0x01,
      'mqtt.subscription_options_reserved': 0xc0, 'mqtt.subscription_options_retain': 0x30,
      'mqtt.subscription_options_rap': 0x08, 'mqtt.subscription_options_nl': 0x04, 'mqtt.subscription_options_qos': 0x03,
    });
  });
});
