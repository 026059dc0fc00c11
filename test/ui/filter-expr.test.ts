import { describe, expect, it } from 'vitest';
import type { WirePacket } from '../../src/shared/api.js';
import { evaluate } from '../../src/shared/filter/evaluate.js';
import { FilterSyntaxError, fieldsOf, parseFilter, type Expr } from '../../src/shared/filter/parse.js';
import { encodePacket, type PacketSpec } from './support/real-packets.js';

function packet(p: PacketSpec, extra: Partial<WirePacket> = {}): WirePacket {
  const { bytes, decoded } = encodePacket(p, 4);
  return { seq: 1, time: 0, connId: 1, clientId: 'sensor', direction: 'toBroker', bytes, decoded, ...extra };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const pub1 = packet({ type: 'PUBLISH', topic: 'home/temp', payload: enc('21.5'), qos: 1, retain: false, dup: false, packetId: 7 });
const pub0 = packet({ type: 'PUBLISH', topic: 'home/humidity', payload: enc('40'), qos: 0, retain: true, dup: false });
const puback = packet({ type: 'PUBACK', packetId: 7 }, { direction: 'toClient', fault: { action: 'drop' } });
const sub = packet({ type: 'SUBSCRIBE', packetId: 3, subs: [{ filter: 'a/#', qos: 1 }, { filter: 'home/temp', qos: 2 }] });
const connect = packet({ type: 'CONNECT', clientId: 'sensor', version: 4, clean: true, keepalive: 60, will: { topic: 'w', payload: 'x', qos: 1, retain: false } });

function matches(src: string, p: WirePacket): boolean {
  const e = parseFilter(src);
  if (!e) throw new Error('empty');
  return evaluate(e, p);
}

function syntaxError(src: string): FilterSyntaxError {
  try {
    parseFilter(src);
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
  throw new Error(`'${src}' parsed without error`);
}

describe('filter parser', () => {
  it('gives null for an empty or blank filter', () => {
    expect(parseFilter('')).toBeNull();
    expect(parseFilter('   ')).toBeNull();
  });

  it('parses comparisons with symbol and word operators', () => {
    expect(parseFilter('mqtt.qos == 1')).toEqual<Expr>({ kind: 'compare', field: 'mqtt.qos', op: '==', value: { type: 'number', value: 1, text: '1' } });
    expect(parseFilter('mqtt.msgid ge 0x10')).toMatchObject({ op: '>=', value: { type: 'number', value: 16 } });
    expect(parseFilter('mqtt.topic contains "te\\"mp"')).toMatchObject({ op: 'contains', value: { type: 'string', value: 'te"mp' } });
    expect(parseFilter("mqtt.topic == 'a b'")).toMatchObject({ value: { type: 'string', value: 'a b' } });
    expect(parseFilter('mqtt.retain == true')).toMatchObject({ value: { type: 'bool', value: true } });
    expect(parseFilter('lab.type == PUBLISH')).toMatchObject({ value: { type: 'word', value: 'PUBLISH' } });
  });

  it('gives && precedence over || and lets ! bind tightest', () => {
    const e = parseFilter('a || b && !c');
    expect(e).toEqual<Expr>({
      kind: 'or',
      left: { kind: 'present', field: 'a' },
      right: { kind: 'and', left: { kind: 'present', field: 'b' }, right: { kind: 'not', expr: { kind: 'present', field: 'c' } } },
    });
    expect(parseFilter('(a || b) and not c')).toMatchObject({ kind: 'and', left: { kind: 'or' }, right: { kind: 'not' } });
  });

  it('lists the fields an expression uses', () => {
    expect([...fieldsOf(parseFilter('mqtt.qos == 1 && !(mqtt.topic || lab.client == x)'))]).toEqual(['mqtt.qos', 'mqtt.topic', 'lab.client']);
  });

  it('explains bad expressions with their position', () => {
    expect(syntaxError('mqtt.qos = 1').message).toBe("Use '==' to compare: a single '=' at column 10 is not an operator");
    expect(syntaxError('mqtt.qos ==').message).toBe("Expected a value after '==' at column 10");
    expect(syntaxError('mqtt.topic contains "temp').message).toBe('Unterminated string starting at column 21: add the closing "');
    expect(syntaxError('(mqtt.qos == 1').message).toBe("Missing ')' to close the '(' at column 1 (found the end)");
    expect(syntaxError('mqtt.qos == 1)').message).toBe("Unexpected ')' at column 14: there is no '(' to close");
    expect(syntaxError('mqtt.qos == 1 mqtt.retain').message).toBe("Expected '&&' or '||' before 'mqtt.retain' at column 15");
    expect(syntaxError('mqtt.qos & 1').message).toBe("'&' alone is not an operator: write '&&' (and) at column 10");
    expect(syntaxError('== 1').message).toBe("Expected a field name such as mqtt.qos at column 1, found '=='");
    expect(syntaxError('mqtt.qos &&').message).toBe('The expression ends too early: expected a field name such as mqtt.qos');
    expect(syntaxError('mqtt.qos == ==').message).toBe("Expected a value after '==' at column 13, found '=='");
    const e = syntaxError('mqtt.qos ~ 1');
    expect(e.message).toBe("Unexpected character '~' at column 10");
    expect([e.start, e.end]).toEqual([9, 10]);
  });
});

describe('filter evaluation over field trees', () => {
  it('compares numbers, booleans and strings by Wireshark field name', () => {
    expect(matches('mqtt.qos == 1', pub1)).toBe(true);
    expect(matches('mqtt.qos == 1', pub0)).toBe(false);
    expect(matches('mqtt.qos > 0', pub1)).toBe(true);
    expect(matches('mqtt.qos < 1', pub0)).toBe(true);
    expect(matches('mqtt.msgid == 7', puback)).toBe(true);
    expect(matches('mqtt.retain == 1', pub0)).toBe(true);
    expect(matches('mqtt.retain == true', pub1)).toBe(false);
    expect(matches('mqtt.topic == "home/temp"', pub1)).toBe(true);
    expect(matches('mqtt.topic == home/temp', pub1)).toBe(true);
    expect(matches('mqtt.topic contains "temp"', pub1)).toBe(true);
    expect(matches('mqtt.topic contains "TEMP"', pub1)).toBe(false);
    expect(matches('mqtt.msg contains "21"', pub1)).toBe(true);
    expect(matches('mqtt.conflag.willflag == 1 && mqtt.kalive >= 60', connect)).toBe(true);
  });

  it('tests presence, absence and negation', () => {
    expect(matches('mqtt.msgid', pub1)).toBe(true);
    expect(matches('mqtt.msgid', pub0)).toBe(false);
    expect(matches('!mqtt.msgid', pub0)).toBe(true);
    expect(matches('mqtt', pub0)).toBe(true);
    expect(matches('mqtt.nosuchfield == 1', pub0)).toBe(false);
  });

  it('matches any occurrence for ==, and all occurrences for !=', () => {
    expect(matches('mqtt.topic == "home/temp"', sub)).toBe(true);
    expect(matches('mqtt.topic != "home/temp"', sub)).toBe(false);
    expect(matches('mqtt.topic != "x"', sub)).toBe(true);
    // Absent fields satisfy neither == nor != (as in Wireshark).
    expect(matches('mqtt.qos != 1', connect)).toBe(false);
  });

  it('combines with && || ! and parentheses', () => {
    expect(matches('mqtt.qos == 1 && mqtt.topic contains "temp"', pub1)).toBe(true);
    expect(matches('mqtt.qos == 2 || mqtt.retain == 1', pub0)).toBe(true);
    expect(matches('!(mqtt.qos == 0) && mqtt.msgid == 7', pub1)).toBe(true);
    expect(matches('not mqtt.qos == 0 or mqtt.retain', pub0)).toBe(true);
  });

  it('knows lab pseudo-fields: client, direction, fault, type', () => {
    expect(matches('lab.client == sensor', pub1)).toBe(true);
    expect(matches('lab.direction == toClient', puback)).toBe(true);
    expect(matches('lab.fault == drop', puback)).toBe(true);
    expect(matches('lab.fault', pub1)).toBe(false);
    expect(matches('lab.type == PUBACK && mqtt.msgid == 7', puback)).toBe(true);
  });
});
