// HTTP through the lab: a real node:http server and real clients, their bytes recorded by the HTTP tap and
// decoded into rows of their own (request line, headers, body), framed right across any TCP split.
import { afterEach, describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/shared/lab.js';
import type { FieldNode } from '../../src/shared/packet.js';
import { HttpPoller, HttpSensor } from '../../src/core/http/http-clients.js';
import { decodeHttp } from '../../src/core/http/http-decode.js';
import { HttpFramer } from '../../src/core/http/http-framer.js';
import { HttpTap } from '../../src/core/http/http-tap.js';
import { ReadingsServer } from '../../src/core/http/readings-server.js';

function find(nodes: readonly FieldNode[], filter: string): FieldNode | undefined {
  for (const n of nodes) {
    if (n.filter === filter) return n;
    const inner = find(n.children ?? [], filter);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

const stops: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A server behind an HTTP tap that keeps every record; returns the tap's address and the records. */
async function rig(): Promise<{ addr: { host: string; port: number }; records: PacketRecord[]; tap: HttpTap }> {
  const server = new ReadingsServer();
  const target = await server.start();
  stops.push(() => server.stop());
  const records: PacketRecord[] = [];
  let conn = 0;
  const tap = new HttpTap({ target, connId: () => ++conn, record: (r) => {
    const rec = { ...r, seq: records.length + 1 };
    records.push(rec);
    return rec;
  } });
  const addr = await tap.start();
  stops.push(() => tap.stop());
  return { addr, records, tap };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HTTP tap', () => {
  it('records a POST and its 201 as two decoded HTTP rows with byte ranges', async () => {
    const { addr, records } = await rig();
    const sensor = new HttpSensor(addr);
    stops.push(() => sensor.close());
    expect(await sensor.post('{"seq":1,"bp":"128/84"}')).toBe(1);
    await until(() => records.length >= 2);
    const [req, res] = records as [PacketRecord, PacketRecord];
    expect(req.direction).toBe('toBroker');
    expect(req.decoded.type).toBe('HTTP');
    expect(req.decoded.summary).toBe('HTTP POST /readings HTTP/1.1 (23 bytes)');
    expect(find(req.decoded.fields, 'http.request.method')).toMatchObject({ value: 'POST', offset: 0, length: 4 });
    expect(find(req.decoded.fields, 'http.request.uri')).toMatchObject({ value: '/readings', offset: 5, length: 9 });
    expect(find(req.decoded.fields, 'http.host')?.value).toBe(`${addr.host}:${addr.port}`);
    const body = find(req.decoded.fields, 'http.file_data')!;
    expect(body.value).toBe('{"seq":1,"bp":"128/84"}');
    // The body's range ends exactly at the last byte of the request.
    expect(body.offset + body.length).toBe(req.bytes.length);
    expect(Buffer.from(req.bytes.slice(body.offset)).toString()).toBe('{"seq":1,"bp":"128/84"}');
    expect(res.direction).toBe('toClient');
    expect(find(res.decoded.fields, 'http.response.code')?.value).toBe(201);
    expect(find(res.decoded.fields, 'http.content_length_header')?.value).toBe(9);
    expect(res.decoded.issues).toEqual([]);
  });

  it('shows an empty poll as 204 and a fresh one as 200 with the readings', async () => {
    const { addr, records } = await rig();
    const got: number[] = [];
    const poller = new HttpPoller(addr, 50, (r) => got.push(r.seq));
    stops.push(() => poller.stop());
    poller.start();
    await until(() => poller.stats.emptyPolls >= 1);
    const sensor = new HttpSensor(addr);
    stops.push(() => sensor.close());
    await sensor.post('{"seq":1}');
    await until(() => got.length === 1);
    const codes = records.filter((r) => r.direction === 'toClient').map((r) => find(r.decoded.fields, 'http.response.code')?.value);
    expect(codes).toContain(204);
    expect(codes).toContain(200);
    const fresh = records.find((r) => find(r.decoded.fields, 'http.response.code')?.value === 200)!;
    expect(JSON.parse(String(find(fresh.decoded.fields, 'http.file_data')?.value))).toEqual([{ seq: 1, reading: { seq: 1 } }]);
  });

  it('drops one chosen response; the poller gives up, reconnects and still gets the reading', async () => {
    const { addr, records, tap } = await rig();
    const got: number[] = [];
    const poller = new HttpPoller(addr, 50, (r) => got.push(r.seq), 300);
    stops.push(() => poller.stop());
    tap.dropNext('toClient', (d) => find(d.fields, 'http.response.code')?.value === 200);
    const sensor = new HttpSensor(addr);
    stops.push(() => sensor.close());
    await sensor.post('{"seq":1}');
    poller.start();
    await until(() => got.length === 1);
    expect(poller.stats.timeouts).toBe(1);
    expect(records.filter((r) => r.fault?.action === 'drop')).toHaveLength(1);
    expect(new Set(records.filter((r) => r.direction === 'toBroker' && r.decoded.summary.startsWith('HTTP GET')).map((r) => r.connId)).size).toBe(2);
  });
});

describe('HTTP framing', () => {
  it('frames the same real bytes whatever the TCP split, one message per request', async () => {
    const { addr, records } = await rig();
    const sensor = new HttpSensor(addr);
    stops.push(() => sensor.close());
    await sensor.post('{"a":1}');
    await sensor.post('{"a":2}');
    await until(() => records.length >= 4);
    const requests = records.filter((r) => r.direction === 'toBroker').map((r) => r.bytes);
    const stream = Buffer.concat(requests.map((b) => Buffer.from(b)));
    for (const size of [1, 3, 17, stream.length]) {
      const framer = new HttpFramer('request');
      const out: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...framer.push(stream.subarray(i, i + size)).map((m) => m.bytes));
      expect(out.map((b) => Buffer.from(b).toString())).toEqual(requests.map((b) => Buffer.from(b).toString()));
    }
  });

  it('flags a message cut short instead of dropping it', async () => {
    const { addr, records } = await rig();
    const sensor = new HttpSensor(addr);
    stops.push(() => sensor.close());
    await sensor.post('{"a":1}');
    await until(() => records.length >= 2);
    const whole = records[0]!.bytes;
    const framer = new HttpFramer('request');
    expect(framer.push(whole.subarray(0, whole.length - 3))).toEqual([]);
    const [cut] = framer.end();
    const d = decodeHttp(cut!.bytes, cut!.problem);
    expect(d.issues.map((i) => i.message)).toContain('the connection ended before the message was complete');
    expect(d.summary).toMatch(/^HTTP POST \/readings HTTP\/1\.1/);
  });
});
