// How a PUBLISH payload is shown: as text when it is well-formed UTF-8 without control characters
// (tab, LF and CR allowed), otherwise as hex; values of very large payloads keep a 64 KiB prefix.
import { describe, expect, it } from 'vitest';
import { dissect } from '../../src/core/dissect/index.js';
import { ascii, fill, utf8 } from './support/bytes.js';
import { findAll } from './support/tree.js';

/** A QoS 0 PUBLISH to topic 't' carrying `payload`, with its Remaining Length encoded per §2.2.3. */
function publish(payload: number[]): Uint8Array {
  let n = 3 + payload.length;
  const len: number[] = [];
  do {
    len.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Uint8Array.from([0x30, ...len, 0x00, 0x01, ...ascii('t'), ...payload]);
}

function msg(payload: number[]) {
  const d = dissect(publish(payload));
  expect(d.issues).toEqual([]);
  const n = findAll(d, 'mqtt.msg')[0]!;
  return { value: n.value, display: n.display, length: n.length };
}

describe('payload view', () => {
  it('shows text with tab, LF and CR as text', () => {
    expect(msg(ascii('a\tb\r\nc'))).toEqual({ value: 'a\tb\r\nc', display: 'a\\tb\\r\\nc (6 bytes)', length: 6 });
  });

  it('shows multi-byte UTF-8 as text', () => {
    expect(msg(utf8('Grüße ☕ 😀')).value).toBe('Grüße ☕ 😀');
  });

  it('shows a big-endian float (41 ac cc cd = 21.6) as hex: 0xac cannot start a UTF-8 character', () => {
    expect(msg([0x41, 0xac, 0xcc, 0xcd])).toEqual({ value: '41accccd', display: '4 bytes of binary data', length: 4 });
  });

  it('shows ASCII with a control character as hex, before or after non-ASCII text', () => {
    expect(msg([0x61, 0x7f, 0x62]).value).toBe('617f62');
    expect(msg([0x01, 0x02]).value).toBe('0102');
    expect(msg([...utf8('é'), 0x00]).value).toBe('c3a900');
    expect(msg([...utf8('é'), 0x1b, ...ascii('[0m')]).value).toBe('c3a91b5b306d');
  });

  it('shows ill-formed UTF-8 as hex: a surrogate, an overlong form, a lone continuation byte', () => {
    expect(msg([0xed, 0xa0, 0x80]).value).toBe('eda080');
    expect(msg([0xc0, 0xaf]).value).toBe('c0af');
    expect(msg([0x61, 0x80]).value).toBe('6180');
  });

  it('keeps a 64 KiB prefix of a longer text payload and says so', () => {
    const m = msg(fill(70_000, 0x61));
    expect(m.length).toBe(70_000);
    expect(m.value).toBe('a'.repeat(65_536));
    expect(m.display).toBe(`${'a'.repeat(80)}… (70000 bytes) (first 65536 of 70000 bytes shown)`);
  });

  it('shows hex when the 64 KiB cut falls inside a character', () => {
    // 65,535 'a' then 'é' (c3 a9): the prefix ends with a lone c3.
    const m = msg([...fill(65_535, 0x61), ...utf8('é'), ...ascii('z')]);
    expect(m.display).toBe('65538 bytes of binary data (first 65536 of 65538 bytes shown)');
    expect((m.value as string).length).toBe(2 * 65_536);
    expect((m.value as string).endsWith('61c3')).toBe(true);
  });

  it('decides text or hex the same way for long payloads at any alignment, wherever the odd byte sits', () => {
    // Long payloads are scanned a 32-bit word at a time from the first aligned byte; this places one
    // control, DEL, non-ASCII or white-space byte at every position of a few words, at every alignment.
    const strict = new TextDecoder('utf-8', { fatal: true });
    const odd: number[][] = [[0x00], [0x01], [0x1f], [0x7f], [0x09], [0x0a], [0x0d], [0x20], [0x7e], utf8('é'), [0xff]];
    for (const size of [256, 300]) {
      for (const align of [0, 1, 2, 3]) {
        for (const at of [0, 1, 2, 3, 4, 5, 6, 7, 100, size - 2, size - 1]) {
          for (const b of odd) {
            const payload = fill(size, 0x61);
            payload.splice(at, b.length, ...b);
            const packet = publish(payload);
            const backing = new Uint8Array(packet.length + align);
            backing.set(packet, align);
            const d = dissect(backing.subarray(align));
            const n = findAll(d, 'mqtt.msg')[0]!;
            let text: string | null;
            try {
              text = strict.decode(Uint8Array.from(payload));
            } catch {
              text = null;
            }
            const isText = text !== null && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text);
            const hex = Buffer.from(payload).toString('hex');
            expect(n.value, `size ${size}, align ${align}, byte(s) ${b} at ${at}`).toBe(isText ? text : hex);
          }
        }
      }
    }
  });
});
