import { describe, expect, it } from 'vitest';
import { generate, type Packet } from 'mqtt-packet';
import { summaryOf } from '../../src/core/lab/wire.js';
import { CaptureStore } from '../../src/core/store/index.js';
import { dissect } from '../../src/core/dissect/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import { PAYLOAD_PREVIEW } from '../../src/shared/api.js';
import type { FaultRecord } from '../../src/shared/lab.js';

const TIME = 1_765_000_000_123.25;

/** A real packet as the tap records it, read back from the store as the Lab summarises it. */
function summarise(p: Packet, opts: { fault?: FaultRecord; clientId?: string; direction?: 'toBroker' | 'toClient' } = {}) {
  const store = new CaptureStore(10);
  const bytes = new Uint8Array(generate(p));
  const r = lazyRecord({ time: TIME, connId: 3, direction: opts.direction ?? 'toBroker', bytes }, 4);
  if (opts.fault !== undefined) r.fault = opts.fault;
  const seq = store.append(r).seq;
  return { s: summaryOf(store.get(seq)!, opts.clientId), decoded: dissect(bytes, { version: 4 }), store };
}

const publish = (payload: Buffer | string, extra: Partial<Packet> = {}): Packet =>
  ({ cmd: 'publish', topic: 'home/kitchen/temp', payload, qos: 1, messageId: 7, dup: false, retain: false, ...extra }) as Packet;

describe('summaryOf', () => {
  it('a PUBACK: the dissector\'s facts, no tree, no bytes, about 200 characters of JSON', () => {
    const { s, decoded } = summarise({ cmd: 'puback', messageId: 7 }, { clientId: 'sensor', direction: 'toClient' });
    expect(s).toEqual({
      seq: 1, time: TIME, connId: 3, clientId: 'sensor', direction: 'toClient',
      type: 'PUBACK', typeCode: 4, version: 4, length: 4, summary: decoded.summary, info: decoded.info,
    });
    expect(s.summary).toBe('PUBACK (m7)');
    const json = JSON.stringify(s).length;
    console.log(`summary JSON: PUBACK ${json} characters`);
    expect(json).toBeLessThan(220);
  });

  it('a PUBLISH with a 64-byte payload: its text whole, not cut, about 400 characters of JSON (the compact codec of the stream makes it smaller)', () => {
    const text = 'x'.repeat(52) + '{"t":21.5}ab';
    expect(Buffer.byteLength(text)).toBe(64);
    const { s, decoded } = summarise(publish(text), { clientId: 'sensor' });
    expect(s).toMatchObject({ type: 'PUBLISH', typeCode: 3, length: decoded.length, summary: decoded.summary, info: decoded.info, payloadText: text });
    expect(s.payloadCut).toBeUndefined();
    expect(s).not.toHaveProperty('decoded');
    expect(s).not.toHaveProperty('bytes');
    const json = JSON.stringify(s).length;
    console.log(`summary JSON: 64-byte PUBLISH ${json} characters`);
    expect(json).toBeLessThan(420);
  });

  it('cuts a long text payload at PAYLOAD_PREVIEW characters, never inside a surrogate pair', () => {
    expect(summarise(publish('a'.repeat(200))).s).toMatchObject({ payloadText: 'a'.repeat(PAYLOAD_PREVIEW), payloadCut: true });
    const emoji = 'a'.repeat(PAYLOAD_PREVIEW - 1) + '😀tail';
    const { s } = summarise(publish(emoji));
    expect(s.payloadText).toBe('a'.repeat(PAYLOAD_PREVIEW - 1));
    expect(s.payloadCut).toBe(true);
  });

  it('gives no text for a binary payload, and says the preview is not the payload', () => {
    const { s } = summarise(publish(Buffer.from([0x00, 0xff, 0x10, 0x80])));
    expect(s.payloadText).toBeUndefined();
    expect(s.payloadCut).toBe(true);
    expect(summarise(publish('')).s).toMatchObject({ payloadText: '' });
  });

  it('carries a CONNECT\'s Last Will: topic and message text', () => {
    const { s } = summarise({
      cmd: 'connect', clientId: 'sensor', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30,
      will: { topic: 'home/sensor/status', payload: Buffer.from('offline'), qos: 1, retain: true },
    } as Packet);
    expect(s.will).toEqual({ topic: 'home/sensor/status', text: 'offline' });
    expect(summarise({ cmd: 'connect', clientId: 'c', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30 } as Packet).s.will).toBeUndefined();
  });

  it('counts issues with the worst severity, and carries the fault', () => {
    const bad = summarise(publish('x', { qos: 0, dup: true, messageId: undefined }), { fault: { action: 'drop', ruleId: 'r1' } }).s;
    expect(bad.issues).toBe(1);
    expect(bad.severity).toBe('error');
    expect(bad.fault).toEqual({ action: 'drop', ruleId: 'r1' });
    expect(bad.summary).toContain('malformed');
  });

  it('marks the line with a connection-level finding given beside the tree, and counts it', () => {
    const store = new CaptureStore(10);
    const r = lazyRecord({ time: TIME, connId: 1, direction: 'toBroker', bytes: new Uint8Array(generate(publish('x'))) }, 4);
    Object.assign(r, { findings: [{ severity: 'error', message: 'The first packet on a connection must be CONNECT', specRef: 'MQTT-3.1.0-1', filter: 'mqtt.hdrflags', offset: 0 }] });
    store.append(r);
    const s = summaryOf(store.get(1)!, undefined);
    expect(s.summary).toBe("PUBLISH (d0, q1, r0, m7, 'home/kitchen/temp', … (1 bytes)) [malformed: The first packet on a connection must be CONNECT]");
    expect(s).toMatchObject({ issues: 1, severity: 'error' });
  });

  it('counts a finding added after dissection (connection-level) once the tree has been built again', () => {
    const store = new CaptureStore(10, { trees: 1 });
    const bytes = new Uint8Array(generate(publish('x')));
    const decoded = dissect(bytes, { version: 4 });
    decoded.fields[0]!.issues = [{ severity: 'warning', message: 'a connection-level finding' }];
    decoded.issues.push({ severity: 'warning', message: 'a connection-level finding', filter: decoded.fields[0]!.filter, offset: 0 });
    store.append({ time: TIME, connId: 1, direction: 'toBroker', bytes, decoded });
    store.append(lazyRecord({ time: TIME, connId: 1, direction: 'toBroker', bytes: new Uint8Array([0xc0, 0]) }, 4));
    store.tree(2);
    expect(summaryOf(store.get(1)!, undefined)).toMatchObject({ issues: 1, severity: 'warning' });
  });
});
