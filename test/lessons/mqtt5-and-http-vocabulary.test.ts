// The lesson words added for the MQTT 5 track and for HTTP beside MQTT: `broker: mosquitto`, CONNECT and
// PUBLISH properties, the will delay, publishing by topic alias alone, `http-post` and `http-poll`, and
// `type: HTTP` in packet matches. Each mistake with its exact line, column and message.
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../src/core/lessons/index.js';
import type { Action } from '../../src/shared/lesson.js';

function withStep(yaml: string, frontMatter = 'title: T'): string {
  return `---\n${frontMatter}\n---\n\n\`\`\`step\n${yaml}\n\`\`\`\n`;
}

function problems(text: string): string[] {
  return parseLesson(text, 'l.md').problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

function actions(text: string): Action[] {
  const r = parseLesson(text, 'l.md');
  expect(r.problems).toEqual([]);
  return r.lesson!.steps.flatMap((s) => s.actions);
}

describe('broker: mosquitto', () => {
  it('marks the lesson to run on mosquitto and lets its clients speak MQTT 5 without requires', () => {
    const r = parseLesson(withStep('do:\n  - client: { id: a, version: 5 }', 'title: T\nbroker: mosquitto'), 'l.md');
    expect(r.problems).toEqual([]);
    expect(r.lesson?.runsOn).toBe('mosquitto');
  });

  it('reports another broker name, and still reads users and ACL as a mapping', () => {
    expect(problems(withStep('title: s', 'title: T\nbroker: hivemq'))).toEqual(["3:9: broker must be one of mosquitto (got 'hivemq')"]);
    const r = parseLesson(withStep('title: s', 'title: T\nbroker: { users: { hans: pw } }'), 'l.md');
    expect(r.lesson?.broker).toEqual({ users: { hans: 'pw' } });
    expect(r.lesson?.runsOn).toBeUndefined();
  });

  it('still asks for requires: [mqtt5] on the default broker', () => {
    expect(problems(withStep('do:\n  - client: { id: a, version: 5 }'))).toEqual([
      "7:31: client 'a' uses MQTT 5: add 'requires: [mqtt5]' to the front matter (aedes, the default broker, does not speak MQTT 5)",
    ]);
  });
});

describe('MQTT 5 properties', () => {
  const FM = 'title: T\nbroker: mosquitto';

  it('reads CONNECT properties, the will delay and PUBLISH properties', () => {
    const a = actions(withStep([
      'do:',
      '  - client:',
      '      id: a',
      '      version: 5',
      '      receiveMaximum: 2',
      '      topicAliasMaximum: 4',
      '      userProperties: { site: ward7 }',
      '      will: { topic: s/a, payload: gone, delay: 3 }',
      '  - publish: { client: a, topic: x/y, payload: "1", expiry: 9, alias: 1, responseTopic: r/a, correlationData: q-1, userProperties: { unit: mmHg } }',
      '  - publish: { client: a, topic: "", alias: 1, payload: "2" }',
    ].join('\n'), FM));
    expect(a[0]).toMatchObject({
      kind: 'client',
      options: {
        protocolVersion: 5,
        properties: { receiveMaximum: 2, topicAliasMaximum: 4, userProperties: { site: 'ward7' } },
        will: { topic: 's/a', payload: 'gone', properties: { willDelayInterval: 3 } },
      },
    });
    expect(a[1]).toMatchObject({
      kind: 'publish', topic: 'x/y',
      properties: { messageExpiryInterval: 9, topicAlias: 1, responseTopic: 'r/a', correlationData: 'q-1', userProperties: { unit: 'mmHg' } },
    });
    expect(a[2]).toMatchObject({ kind: 'publish', topic: '', properties: { topicAlias: 1 } });
  });

  it('refuses them on an MQTT 3.1.1 client, with the reason', () => {
    expect(problems(withStep([
      'do:',
      '  - client: { id: a, receiveMaximum: 2, will: { topic: s/a, delay: 3 } }',
      '  - publish: { client: a, topic: x/y, expiry: 9 }',
    ].join('\n'), FM))).toEqual([
      '8:22: client: receiveMaximum is MQTT 5 only; give the client version: 5',
      '8:61: client: will: delay is MQTT 5 only; give the client version: 5',
      '9:39: publish: expiry is MQTT 5 only; give the client version: 5',
    ]);
  });

  it('refuses an empty topic without an alias, alias 0 and receive maximum 0', () => {
    expect(problems(withStep([
      'do:',
      '  - client: { id: a, version: 5, receiveMaximum: 0 }',
      '  - publish: { client: a, topic: "" }',
      '  - publish: { client: a, topic: x, alias: 0 }',
    ].join('\n'), FM))).toEqual([
      "8:50: client: receiveMaximum must be a whole number from 1 to 65535 (got '0')",
      "9:34: publish: topic: '' is not a valid topic name: a topic name must be at least one character long",
      "10:44: publish: alias must be a whole number from 1 to 65535 (got '0')",
    ]);
  });
});

describe('HTTP beside MQTT', () => {
  it('refuses HTTP in a fault rule: the MQTT tap never sees HTTP', () => {
    expect(problems(withStep('do:\n  - fault: { match: { type: HTTP }, action: drop }'))).toEqual([
      "7:29: fault match: type: unknown packet type 'HTTP'; MQTT has CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH",
    ]);
  });

  it('reads http-post and http-poll, and HTTP packet matches with http.* fields', () => {
    const r = parseLesson(withStep([
      'do:',
      '  - http-post: { client: web-cuff, body: { bp: "128/84" } }',
      '  - http-poll: { client: web-phone, every: 500, for: 1500 }',
      'expect:',
      '  - packet: { type: HTTP, from: web-phone, fields: { http.request.method: GET } }',
      '  - packet: { type: http, to: web-phone, fields: { http.response.code: 204 } }',
    ].join('\n')), 'l.md');
    expect(r.problems).toEqual([]);
    expect(r.lesson!.steps[0]!.actions).toMatchObject([
      { kind: 'http-post', client: 'web-cuff', body: '{"bp":"128/84"}' },
      { kind: 'http-poll', client: 'web-phone', every: 500, for: 1500 },
    ]);
    expect(r.lesson!.steps[0]!.expectations[1]).toMatchObject({ kind: 'packet', match: { type: 'HTTP', to: 'web-phone' } });
  });

  it('reports a body that is not JSON, a poll too fast, an MQTT client used for HTTP and an unknown http field', () => {
    expect(problems(withStep([
      'do:',
      '  - client: { id: cuff }',
      '  - http-post: { client: web-cuff, body: "128/84" }',
      '  - http-poll: { client: web-phone, every: 5, for: 100 }',
      '  - http-post: { client: cuff, body: "{}" }',
      'expect:',
      '  - packet: { type: HTTP, fields: { http.response.status: 200 } }',
    ].join('\n')))).toEqual([
      "8:42: http-post: body must be JSON (a mapping, or JSON text): the lab's web server keeps readings as JSON",
      "9:44: http-poll: every must be a whole number from 50 to 10000 ms (got '5')",
      "10:26: http-post: client: 'cuff' is an MQTT client (line 7); give the HTTP client its own name",
      "12:37: packet: fields: unknown field filter name 'http.response.status'",
    ]);
  });
});
