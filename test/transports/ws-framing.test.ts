// The tap's WebSocket endpoint in pieces: the opening handshake's checks (path, version, subprotocol,
// MQTT-6.0.0-3/4) and frame cutting with the three length forms, masking and fragmentation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildFrame, FrameReader, frameFields } from '../../src/core/ws/frames.js';
import { readHandshake } from '../../src/core/ws/handshake.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
function request(lines: Record<string, string>, path = '/mqtt'): Uint8Array {
  const head = Object.entries(lines).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${head}\r\n`, 'latin1');
}
const GOOD = { Upgrade: 'websocket', Connection: 'keep-alive, Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Protocol': 'mqttv3.1, mqtt' };

describe('the opening handshake', () => {
  it('answers 101 with the accept key of RFC 6455 and the subprotocol mqtt (MQTT-6.0.0-4)', () => {
    const h = readHandshake(request(GOOD));
    expect(h).toMatchObject({ ok: true, protocol: 'mqtt' });
    // RFC 6455 §1.3's own example key and answer.
    expect(h!.ok && h!.response).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(createHash('sha1').update(`${KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('waits for the whole head, and refuses with a reason', () => {
    expect(readHandshake(request(GOOD).subarray(0, 30))).toBeNull();
    const refused = (r: Uint8Array) => {
      const h = readHandshake(r)!;
      return h.ok ? 'ok' : `${h.status} ${h.reason}`;
    };
    expect(refused(request(GOOD, '/'))).toBe('404 MQTT over WebSocket is served on /mqtt, not /');
    expect(refused(request({ ...GOOD, 'Sec-WebSocket-Protocol': 'chat' }))).toBe('400 the client must offer the subprotocol "mqtt" (MQTT-6.0.0-3); it offered chat');
    expect(refused(request({ ...GOOD, 'Sec-WebSocket-Version': '8' }))).toBe('426 only WebSocket version 13 is spoken (RFC 6455)');
    expect(refused(request({ ...GOOD, 'Sec-WebSocket-Key': 'abc' }))).toBe('400 Sec-WebSocket-Key must be 16 bytes in base64');
    expect(refused(Buffer.from('x'.repeat(20_000)))).toMatch(/^431 /);
  });
});

describe('frames', () => {
  const masked = (payload: Uint8Array, key = [1, 2, 3, 4], opcode = 2, fin = true): Uint8Array => {
    const f = buildFrame(opcode, payload);
    const head = f.length - payload.length;
    const out = new Uint8Array(f.length + 4);
    out.set(f.subarray(0, head));
    out[0] = (fin ? 0x80 : 0) | opcode;
    out[1]! |= 0x80;
    out.set(key, head);
    payload.forEach((b, i) => (out[head + 4 + i] = b ^ key[i % 4]!));
    return out;
  };

  it('reads 7-, 16- and 64-bit lengths, unmasks the payload and keeps the wire bytes masked', () => {
    for (const n of [5, 300, 70_000]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
      const wire = masked(payload);
      const [ev] = new FrameReader(1 << 20).push(Buffer.from(wire));
      expect(ev!.kind).toBe('frame');
      const f = ev!.kind === 'frame' ? ev!.frame : null;
      expect(Buffer.from(f!.payload).equals(Buffer.from(payload))).toBe(true);
      expect(Buffer.from(f!.bytes).equals(Buffer.from(wire))).toBe(true);
      const names = frameFields(f!, 'MQTT')[0]!.children!.map((c) => c.filter);
      expect(names).toContain(n < 126 ? 'websocket.payload_length' : n < 65536 ? 'websocket.payload_length_ext_16' : 'websocket.payload_length_ext_64');
    }
  });

  it('cuts frames split anywhere, fragments included, and refuses one above the limit', () => {
    const wire = Buffer.concat([masked(Buffer.from([0x30, 0x03]), [9, 8, 7, 6], 2, false), masked(Buffer.from([0, 1, 0x41]), [5, 5, 5, 5], 0, true)]);
    for (let cut = 1; cut < wire.length; cut++) {
      const r = new FrameReader(100);
      const evs = [...r.push(wire.subarray(0, cut)), ...r.push(wire.subarray(cut))];
      expect(evs.map((e) => e.kind === 'frame' && [e.frame.opcode, e.frame.fin, Buffer.from(e.frame.payload).toString('hex')])).toEqual([[2, false, '3003'], [0, true, '000141']]);
    }
    expect(new FrameReader(100).push(masked(new Uint8Array(101)))).toEqual([{ kind: 'too-big', length: 101 }]);
  });
});
