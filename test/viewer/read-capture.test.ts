// The capture viewer's reading, in Node: the same modules the page bundles. It must find what the CLI's
// reader finds, MQTT off the usual ports by its CONNECT (and nothing else there), keep what precedes a
// cut in the file, and pull no Node built-in into the page.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { pcapngToBuffer, type RecordedConnection } from '../../src/core/pcap/index.js';
import type { PacketRecord } from '../../src/shared/lab.js';
import { readCaptureInPage } from '../../src/renderer/lib/viewer/read-capture.js';
import { CaptureLabApi } from '../../src/renderer/lib/viewer/capture-lab.js';
import { capturePath } from '../captures/record.js';

const committed = (name: string): Uint8Array => new Uint8Array(readFileSync(capturePath(name)));

/** The committed capture's conversations written again with the broker on `port` and extra payloads. */
function rewritten(name: string, port: number, extra: Array<{ bytes: Uint8Array; direction: 'toBroker' | 'toClient' }> = []): Uint8Array {
  const loaded = readCaptureRecords(committed(name), [1883]);
  const records: PacketRecord[] = loaded.map((l, i) => ({ ...l.record, seq: i + 1 }));
  const conns = new Map<number, RecordedConnection>();
  for (const l of loaded) {
    const [ip, p] = l.client.split(':');
    if (!conns.has(l.record.connId)) conns.set(l.record.connId, { connId: l.record.connId, client: { ip: ip!, port: Number(p) }, broker: { ip: '127.0.0.1', port }, openedAt: l.record.time });
  }
  // Another conversation on the same odd port that is not MQTT (it opens with an HTTP request).
  const t = records.at(-1)!.time + 1;
  extra.forEach((e, i) => records.push({ ...records[0]!, seq: records.length + 1, time: t + i, connId: 99, direction: e.direction, bytes: e.bytes }));
  if (extra.length > 0) conns.set(99, { connId: 99, client: { ip: '127.0.0.1', port: 50999 }, broker: { ip: '127.0.0.1', port }, openedAt: t });
  return pcapngToBuffer(records, conns.values());
}

describe('reading a capture in the page', () => {
  it.each(['qos-tour', 'puback-dropped', 'will-after-sever'])('%s: the same packets as the CLI reader', (name) => {
    const page = readCaptureInPage(committed(name));
    const cli = readCaptureRecords(committed(name), [1883]);
    expect(page.records.map((r) => r.decoded.summary)).toEqual(cli.map((l) => l.record.decoded.summary));
    expect(page.frames).toEqual(cli.map((l) => l.frame));
    expect(page.notes).toEqual([]);
  });

  it('says how each connection ended, as far as the wire shows it', () => {
    const { connections } = readCaptureInPage(committed('will-after-sever'));
    expect(connections.map((c) => [c.clientId, c.state, c.ended])).toEqual([
      ['nurse', 'closed', 'disconnect'],
      ['patient', 'closed', 'client-closed'],
    ]);
  });

  it('finds MQTT on another port by its CONNECT, and ignores a conversation there that is not MQTT', () => {
    const http = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const bytes = rewritten('qos-tour', 18830, [{ bytes: http, direction: 'toBroker' }]);
    expect(readCaptureRecords(bytes, [1883])).toEqual([]);
    const page = readCaptureInPage(bytes);
    expect(page.records.map((r) => r.decoded.summary)).toEqual(readCaptureInPage(committed('qos-tour')).records.map((r) => r.decoded.summary));
    expect(page.records[0]!.direction).toBe('toBroker');
  });

  it('keeps the packets before a cut in the file and says where it stopped', () => {
    const whole = committed('qos-tour');
    const page = readCaptureInPage(whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(page.records.length).toBeGreaterThan(5);
    expect(page.records.length).toBeLessThan(readCaptureInPage(whole).records.length);
    expect(page.error).toMatch(/showing the \d+ frames before it/);
  });

  it('refuses a file that is no capture, keeping what was open', async () => {
    const api = new CaptureLabApi();
    api.open('qos-tour.pcapng', committed('qos-tour'));
    expect(() => api.open('notes.txt', new TextEncoder().encode('my lecture notes'))).toThrow(/not a capture file/);
    expect((await api.call('lab.status', {})).packets.count).toBe(22);
    await expect(api.call('clients.create', { id: 'x' })).rejects.toThrow(/capture file, read only/);
    expect((await api.call('packets.query', { type: 'PUBLISH', clientId: 'phone' })).map((p) => p.info.qos)).toEqual([0, 1, 2]);
  });
});

describe('the page bundles no Node built-in', () => {
  it('the viewer modules import only pure code', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || /^(fs|path|net|os|events|child_process)$/.test(spec)) offenders.push(`${file}: ${spec}`);
        if (spec.startsWith('.') && !spec.includes('?')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
      if (/\bBuffer\.|\bprocess\./.test(src.replace(/\/\/.*$/gm, '').replace(/export function hexToBytes[\s\S]*?\n}/, ''))) offenders.push(`${file}: Buffer or process`);
    };
    const dir = join(import.meta.dirname, '../../src/renderer/lib/viewer');
    for (const f of readdirSync(dir)) if (f.endsWith('.ts') && f !== 'demo-captures.ts') visit(join(dir, f));
    expect(seen.size).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
