// A saved capture with TLS connections carries the raw records and the session keys (a pcapng Decryption
// Secrets Block): tshark decrypts it with no key file, and the lab's own reader decodes the MQTT inside,
// frame for frame as tshark does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readCaptureRecords } from '../../src/core/pcap/decoded-records.js';
import { captureTls } from '../../src/core/tls/capture-tls.js';
import { missing, which } from '../peers/have.js';
import { run } from '../peers/run.js';
import { cleanup, startLab } from '../lab/support/lab-rig.js';
import { records, waitEnded, connOf } from '../lab/support/records.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
afterEach(cleanup);
const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-dsb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tlsSession() {
  const lab = await startLab({ tlsPort: 0, tlsDir: join(dir, 'tls'), lessonDirs: [] });
  const st = lab.status();
  const secure = await mqtt.connectAsync(`mqtts://localhost:${st.tls!.port}`, { ca: readFileSync(st.caFile!), clientId: 'secure', username: 'alice', password: 's3cret', reconnectPeriod: 0 });
  await secure.publishAsync('home/door', 'locked', { qos: 1 });
  await secure.endAsync();
  // A plain client beside it: its password is readable even without keys.
  const plain = await mqtt.connectAsync(`mqtt://127.0.0.1:${st.tap.port}`, { clientId: 'plain', username: 'bob', password: 'hunter2', reconnectPeriod: 0 });
  await plain.endAsync();
  await waitEnded(lab, (await connOf(lab, 'secure')).connId);
  await waitEnded(lab, (await connOf(lab, 'plain')).connId);
  const file = join(dir, `capture-${st.tls!.port}.pcapng`);
  writeFileSync(file, Buffer.from((await lab.api.call('capture.save', {})).pcapng, 'base64'));
  return { lab, file, tlsPort: st.tls!.port, tapPort: st.tap.port };
}

describe('the lab reads its own saved TLS capture', () => {
  it('decodes the MQTT inside the TLS records with the keys the file carries', async () => {
    const { lab, file, tlsPort, tapPort } = await tlsSession();
    const loaded = readCaptureRecords(readFileSync(file), [tlsPort, tapPort], 4, { tls: captureTls() });
    const secureConn = (await connOf(lab, 'secure')).connId;
    const live = (await records(lab, { connId: secureConn })).map((r) => r.decoded.summary);
    const inFile = loaded.filter((r) => r.clientId === 'secure').map((r) => r.record.decoded.summary);
    expect(inFile).toEqual(live);
    expect(loaded.find((r) => r.record.decoded.type === 'CONNECT' && r.clientId === 'secure')!.record.decoded.summary).toContain("u'alice'");
  });

  it('without the Decryption Secrets Block the TLS connection yields no MQTT', async () => {
    const { file, tlsPort, tapPort } = await tlsSession();
    const bytes = readFileSync(file);
    // Blank the block's type so readers skip it as an unknown block.
    const at = bytes.indexOf(Buffer.from('TLSK', 'latin1').reverse()) - 8;
    expect(bytes.readUInt32LE(at)).toBe(0x0a);
    bytes.writeUInt32LE(0x0bad, at);
    const loaded = readCaptureRecords(bytes, [tlsPort, tapPort], 4, { tls: captureTls() });
    expect(loaded.map((r) => r.clientId)).toEqual(['plain', 'plain', 'plain']);
  });
});

describe.skipIf(missing('tshark') !== undefined)('tshark', () => {
  it('decrypts the saved capture with no key file and finds the same MQTT packets in the same frames', async () => {
    const { file, tlsPort, tapPort } = await tlsSession();
    // tshark finds TLS by itself and decrypts with the block's keys; only the port of MQTT inside TLS is
    // named, as 8883 would be known to it (`--tls-port 8883` needs no option at all).
    const r = await run(which('tshark')!, ['-r', file, '-d', `tls.port==${tlsPort},mqtt`, '-d', `tcp.port==${tapPort},mqtt`, '-Y', 'mqtt', '-T', 'fields', '-E', 'separator=|',
      '-e', 'frame.number', '-e', 'tcp.dstport', '-e', 'mqtt.msgtype', '-e', 'mqtt.username', '-e', 'mqtt.passwd'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('|'));
    expect(rows.find((c) => c[3] === 'alice')).toEqual([expect.any(String), String(tlsPort), '1', 'alice', 's3cret']);
    expect(rows.find((c) => c[3] === 'bob')).toEqual([expect.any(String), String(tapPort), '1', 'bob', 'hunter2']);
    const ours = readCaptureRecords(readFileSync(file), [tlsPort, tapPort], 4, { tls: captureTls() }).map((p) => `${p.frame}:${p.record.decoded.typeCode}`);
    expect(ours).toEqual(rows.map((c) => `${c[0]}:${c[2]}`));

  });
});
