// Real clients over the tap's TLS and WebSocket ports: mosquitto_pub/sub and paho with the CA file the lab
// prints, paho with transport="websockets", mqtt.js over ws:// and wss://. Their MQTT is decoded as on the
// plain port, and each packet is linked to the TLS records or WebSocket frames that carried it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Lab } from '../../src/core/lab/index.js';
import { missing, which } from '../peers/have.js';
import { runPahoOk } from '../peers/paho.js';
import { run } from '../peers/run.js';
import { cleanup, startLab } from '../lab/support/lab-rig.js';
import { arrows, connOf, payloadText, records, waitEnded } from '../lab/support/records.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
afterEach(cleanup);

const tlsDir = mkdtempSync(join(tmpdir(), 'mqtt-lab-tls-'));
afterAll(() => rmSync(tlsDir, { recursive: true, force: true }));

function secureLab(): Promise<Lab> {
  return startLab({ tlsPort: 0, wsPort: 0, wssPort: 0, tlsDir, lessonDirs: [] });
}

const units = (lab: Lab, connId: number) => lab.api.call('transport.units', { connId });

describe.skipIf(missing('mosquitto_pub', 'mosquitto_sub') !== undefined)('mosquitto clients over TLS with the printed CA', () => {
  it('publishes and subscribes; the views decode the MQTT inside and show the records that carried it', async () => {
    const lab = await secureLab();
    const st = lab.status();
    expect(st.caFile).toBe(join(tlsDir, 'ca.crt'));
    const tls = ['-h', 'localhost', '-p', String(st.tls!.port), '--cafile', st.caFile!];
    const sub = run(which('mosquitto_sub')!, [...tls, '-i', 'tls-sub', '-t', 'secure/#', '-q', '1', '-v', '-C', '1', '-W', '10'], { timeoutMs: 15_000 });
    await vi.waitFor(async () => expect(await records(lab, { clientId: 'tls-sub', type: 'SUBACK' })).toHaveLength(1), { timeout: 10_000 });
    const pub = await run(which('mosquitto_pub')!, [...tls, '-i', 'tls-pub', '-t', 'secure/door', '-m', 'open', '-q', '1', '-u', 'alice', '-P', 's3cret'], { timeoutMs: 15_000 });
    expect(pub.code, pub.stderr).toBe(0);
    expect((await sub).stdout.trim()).toBe('secure/door open');
    const p = (await connOf(lab, 'tls-pub'));
    await waitEnded(lab, p.connId);
    expect(p.transport).toBe('tls');
    expect(arrows((await records(lab, { connId: p.connId })))).toEqual(['→CONNECT', '←CONNACK', '→PUBLISH', '←PUBACK', '→DISCONNECT']);
    const [connect] = (await records(lab, { connId: p.connId, type: 'CONNECT' }));
    expect(connect!.decoded.info).toMatchObject({ clientId: 'tls-pub' });

    const us = await units(lab, p.connId);
    // The observer's view: a clear ClientHello and ServerHello, then nothing but encrypted records.
    expect(us[0]).toMatchObject({ layer: 'tls', direction: 'toBroker', summary: expect.stringContaining('Client Hello') });
    expect(us.find((u) => u.direction === 'toClient')!.summary).toContain('Server Hello');
    const carrying = us.filter((u) => u.packets.length > 0);
    expect(carrying.every((u) => u.summary.includes('Application Data (encrypted)'))).toBe(true);
    // Each MQTT packet travelled in its own record here (mosquitto writes one packet at a time).
    expect(carrying.map((u) => u.packets).flat()).toEqual((await records(lab, { connId: p.connId })).map((r) => r.seq));
    // No record an observer sees holds the password in the clear.
    const password = Buffer.from('s3cret').toString('hex');
    expect(us.some((u) => u.head.includes(password))).toBe(false);
    const forConnect = await lab.api.call('transport.forPacket', { seq: connect!.seq });
    expect(forConnect).toHaveLength(1);
    expect(forConnect[0]!.inner).toBe(`${connect!.bytes.length} bytes of the connection's data`);
    expect(forConnect[0]!.fields[0]!.children!.map((f) => f.filter)).toEqual(['tls.record.content_type', 'tls.record.version', 'tls.record.length', 'tls.app_data']);
  });

  it('a client that does not trust the CA fails its handshake, and the tap shows the alert it sent', async () => {
    const lab = await secureLab();
    const r = await run(which('mosquitto_pub')!, ['-h', 'localhost', '-p', String(lab.status().tls!.port), '--cafile', '/etc/ssl/certs/ca-certificates.crt', '-t', 'x', '-m', 'y'], { timeoutMs: 10_000 });
    expect(r.code).not.toBe(0);
    const [c] = await lab.api.call('connections.list', {});
    await waitEnded(lab, c!.connId);
    const us = await units(lab, c!.connId);
    expect(us.map((u) => u.summary).join('\n')).toMatch(/Client Hello[\s\S]*Server Hello/);
    expect(await records(lab, { connId: c!.connId })).toHaveLength(0);
  });

  it('a plain MQTT client on the TLS port is shown as bytes that are not TLS', async () => {
    const lab = await secureLab();
    await run(which('mosquitto_pub')!, ['-h', '127.0.0.1', '-p', String(lab.status().tls!.port), '-t', 'x', '-m', 'y'], { timeoutMs: 10_000 });
    const [c] = await lab.api.call('connections.list', {});
    await waitEnded(lab, c!.connId);
    const us = await units(lab, c!.connId);
    expect(us[0]!.summary).toMatch(/^Not TLS: content type 16 is not a TLS record type/);
  });
});

describe.skipIf(missing('paho') !== undefined)('paho', () => {
  it('over TLS with tls_set(CA)', async () => {
    const lab = await secureLab();
    const st = lab.status();
    const r = await runPahoOk('transports', { host: 'localhost', port: st.tls!.port, args: { cafile: st.caFile, clientId: 'paho-tls', topic: 'lab/tls', message: 'over tls' } });
    expect(r.stdout.trim()).toBe('over tls');
    const c = (await connOf(lab, 'paho-tls'));
    await waitEnded(lab, c.connId);
    expect(c.transport).toBe('tls');
    expect(arrows((await records(lab, { connId: c.connId })))).toEqual(['→CONNECT', '←CONNACK', '→SUBSCRIBE', '←SUBACK', '→PUBLISH', '←PUBACK', '←PUBLISH', '→PUBACK', '→DISCONNECT']);
    const us = await units(lab, c.connId);
    const linked = new Set(us.flatMap((u) => u.packets));
    expect((await records(lab, { connId: c.connId })).every((r) => linked.has(r.seq))).toBe(true);
  });

  it('over WebSocket (transport="websockets"): frames are the outer layer, MQTT decoded inside', async () => {
    const lab = await secureLab();
    const r = await runPahoOk('transports', { port: lab.status().ws!.port, args: { websockets: true, clientId: 'paho-ws', topic: 'lab/ws', message: 'over ws' } });
    expect(r.stdout.trim()).toBe('over ws');
    const c = (await connOf(lab, 'paho-ws'));
    await waitEnded(lab, c.connId);
    expect(c.transport).toBe('ws');
    const packets = (await records(lab, { connId: c.connId }));
    expect(arrows(packets)).toEqual(['→CONNECT', '←CONNACK', '→SUBSCRIBE', '←SUBACK', '→PUBLISH', '←PUBACK', '←PUBLISH', '→PUBACK', '→DISCONNECT']);
    expect(payloadText(packets.find((p) => p.decoded.type === 'PUBLISH')!)).toBe('over ws');
    const us = await units(lab, c.connId);
    expect(us[0]!.summary).toBe('HTTP request: GET /mqtt HTTP/1.1');
    expect(us[1]!.summary).toBe('HTTP 101 Switching Protocols (subprotocol mqtt)');
    const fromClient = us.find((u) => u.packets.includes(packets[0]!.seq))!;
    expect(fromClient.summary).toMatch(/^WebSocket Binary, masked: \d+ bytes of MQTT$/);
    const f = fromClient.fields[0]!.children!;
    expect(f.map((n) => n.filter)).toEqual(['websocket.fin', 'websocket.rsv', 'websocket.opcode', 'websocket.mask', 'websocket.payload_length', 'websocket.masking_key', 'websocket.masked_payload']);
    expect(f.find((n) => n.filter === 'websocket.mask')!.value).toBe(true);
    // On the wire the payload is masked: the frame's bytes after its header are not the CONNECT's.
    const payloadAt = f.find((n) => n.filter === 'websocket.masked_payload')!.offset * 2;
    const connectHex = Buffer.from(packets[0]!.bytes).toString('hex');
    expect(fromClient.head.slice(payloadAt, payloadAt + 8)).not.toBe(connectHex.slice(0, 8));
    const key = Buffer.from(String(f.find((n) => n.filter === 'websocket.masking_key')!.value), 'hex');
    const unmasked = Buffer.from(fromClient.head.slice(payloadAt, payloadAt + 8), 'hex').map((b, i) => b ^ key[i % 4]!);
    expect(Buffer.from(unmasked).toString('hex')).toBe(connectHex.slice(0, 8));
    const toClient = us.find((u) => u.packets.includes(packets[1]!.seq))!;
    expect(toClient.fields[0]!.children!.find((n) => n.filter === 'websocket.mask')!.value).toBe(false);
  });
});

describe('mqtt.js', () => {
  it('over ws:// and wss://: like a TCP client, with frames (and records) linked to packets', async () => {
    const lab = await secureLab();
    const st = lab.status();
    for (const [url, opts, transport] of [
      [`ws://127.0.0.1:${st.ws!.port}/mqtt`, {}, 'ws'],
      [`wss://localhost:${st.wss!.port}/mqtt`, { ca: (await import('node:fs')).readFileSync(st.caFile!) }, 'wss'],
    ] as const) {
      const id = `js-${transport}`;
      const client = await mqtt.connectAsync(url, { clientId: id, reconnectPeriod: 0, ...opts });
      await client.subscribeAsync('js/t', { qos: 1 });
      const got = new Promise<string>((resolve) => client.once('message', (_t, m) => resolve(m.toString())));
      await client.publishAsync('js/t', `hi ${transport}`, { qos: 1 });
      expect(await got).toBe(`hi ${transport}`);
      await client.endAsync();
      const c = (await connOf(lab, id));
      await waitEnded(lab, c.connId);
      expect(c.transport).toBe(transport);
      const packets = (await records(lab, { connId: c.connId }));
      expect(arrows(packets).slice(0, 4)).toEqual(['→CONNECT', '←CONNACK', '→SUBSCRIBE', '←SUBACK']);
      for (const p of packets) {
        const layers = await lab.api.call('transport.forPacket', { seq: p.seq });
        // Outermost first; mqtt.js may spread one packet over several frames (MQTT-6.0.0-2 allows it).
        expect([...new Set(layers.map((u) => u.layer))]).toEqual(transport === 'ws' ? ['ws'] : ['tls', 'ws']);
        const frames = layers.filter((u) => u.layer === 'ws');
        expect(frames.every((u) => u.summary.startsWith(p.direction === 'toBroker' ? 'WebSocket Binary' : 'WebSocket Binary: '))).toBe(true);
      }
    }
  });

  it('a WebSocket request on another path is refused with 404 and a reason', async () => {
    const lab = await secureLab();
    const client = mqtt.connect(`ws://127.0.0.1:${lab.status().ws!.port}/other`, { reconnectPeriod: 0, connectTimeout: 3000 });
    await new Promise<void>((resolve) => {
      client.once('error', () => resolve());
      client.once('close', () => resolve());
    });
    client.end(true);
    const [c] = await lab.api.call('connections.list', {});
    await waitEnded(lab, c!.connId);
    const us = await units(lab, c!.connId);
    expect(us.map((u) => u.summary)).toEqual(['HTTP request: GET /other HTTP/1.1', 'HTTP 404: MQTT over WebSocket is served on /mqtt, not /other']);
  });
});
