// The list's quick choices become one display-filter expression the core evaluates: checked here by parsing
// it with the real parser and evaluating it on packets the real dissector decoded.
import { describe, expect, it } from 'vitest';
import type { WirePacket } from '../../src/shared/api.js';
import { evaluate } from '../../src/shared/filter/evaluate.js';
import { FilterSyntaxError, parseFilter } from '../../src/shared/filter/parse.js';
import { composeFilter, topicFilterRegex } from '../../src/renderer/lib/filter-compose.js';
import { topicMatches } from '../../src/shared/topic-filter.js';
import { encodePacket } from './support/real-packets.js';

const none = { types: [], client: '', lanes: [], topic: '', expr: '' };

function publish(topic: string, clientId: string | undefined, connId = 1): WirePacket {
  const { bytes, decoded } = encodePacket({ type: 'PUBLISH', topic, payload: new TextEncoder().encode('1'), qos: 1, retain: false, dup: false, packetId: 3 });
  const w: WirePacket = { seq: 1, time: 0, connId, direction: 'toBroker', bytes, decoded };
  if (clientId !== undefined) w.clientId = clientId;
  return w;
}

function matches(q: string, p: WirePacket): boolean {
  const e = parseFilter(q);
  return e === null || evaluate(e, p);
}

describe('quick filter choices as one expression', () => {
  it('is empty when nothing narrows the view', () => {
    expect(composeFilter(none)).toBe('');
  });

  it('MQTT wildcards become regular expressions that agree with topic matching', () => {
    const filters = ['home/#', '#', 'home/+/temp', '+/+', 'a.b/+', 'home/livingroom/temp', '+'];
    const topics = ['home', 'home/livingroom/temp', 'home/kitchen/temp', 'home/x/y/temp', 'a.b/c', 'axb/c', 'work', 'x/y', '/'];
    for (const f of filters) {
      const re = new RegExp(topicFilterRegex(f), 'u');
      for (const t of topics) expect(re.test(t), `${f} vs ${t}`).toBe(topicMatches(f, t));
    }
  });

  it('ANDs types, client, lanes and topic to the expression, quoting what the user typed', () => {
    const q = composeFilter({ types: ['PUBLISH', 'PUBACK'], client: 'sensor "1"', lanes: ['conn #4', 'phone'], topic: 'home/+/temp', expr: 'mqtt.qos == 1 || mqtt.dup' });
    expect(() => parseFilter(q)).not.toThrow();
    expect(matches(q, publish('home/livingroom/temp', 'sensor "1"', 4))).toBe(false);
    const p = publish('home/livingroom/temp', 'sensor "1"');
    expect(matches(composeFilter({ ...none, types: ['PUBLISH'], client: 'sensor "1"', topic: 'home/+/temp', expr: 'mqtt.qos == 1' }), p)).toBe(true);
    expect(matches(composeFilter({ ...none, types: ['PUBACK'] }), p)).toBe(false);
    expect(matches(composeFilter({ ...none, lanes: ['conn #4'] }), publish('t', undefined, 4))).toBe(true);
    expect(matches(composeFilter({ ...none, lanes: ['conn #4'] }), publish('t', undefined, 5))).toBe(false);
    // A plain topic is a substring, as the box always meant.
    expect(matches(composeFilter({ ...none, topic: 'living' }), p)).toBe(true);
    expect(matches(composeFilter({ ...none, topic: 'home/#' }), publish('homework', 'x'))).toBe(false);
  });

  it("'matches' takes a quoted regular expression, and says where a bad one is", () => {
    expect(matches('mqtt.topic matches "^home/"', publish('home/a', 'x'))).toBe(true);
    expect(() => parseFilter('mqtt.topic matches home')).toThrow(FilterSyntaxError);
    try {
      parseFilter('mqtt.topic matches "(unclosed"');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FilterSyntaxError);
      expect((e as FilterSyntaxError).start).toBe(19);
      expect((e as Error).message).toMatch(/Not a regular expression at column 20/);
    }
  });
});
