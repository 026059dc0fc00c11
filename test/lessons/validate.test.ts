// The validator: one test per class of mistake a lecturer can make, each asserting the exact line and
// column and the message, plus the parsed shape of a correct lesson.
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../src/core/lessons/index.js';

/** Front matter on lines 1-3, a blank line 4, the step's fence on line 5 and its first YAML line on 6. */
function withStep(yaml: string, frontMatter = 'title: T'): string {
  return `---\n${frontMatter}\n---\n\n\`\`\`step\n${yaml}\n\`\`\`\n`;
}

/** `line:col: message` of every problem. */
function problems(text: string): string[] {
  return parseLesson(text, 'l.md').problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

const CLIENT = '  - client: { id: sensor }';

describe('front matter', () => {
  it('reports an unknown key', () => {
    expect(problems(withStep('title: s', 'title: T\ncolour: red'))).toEqual([
      "3:1: front matter: unknown key 'colour'; expected one of title, order, objectives, requires, broker",
    ]);
  });

  it('reports a missing title', () => {
    expect(problems('---\norder: 2\n---\n\n```step\ntitle: s\n```\n')).toEqual(["1:1: front matter needs 'title'"]);
  });

  it('reports a file without front matter', () => {
    expect(problems('# Hello\n\n```step\ntitle: s\n```\n')).toEqual([
      "1:1: a lesson starts with front matter: a '---' line, 'title: …', and a closing '---' line",
    ]);
  });

  it('reports front matter that is never closed', () => {
    expect(problems('---\ntitle: T\n\n```step\ntitle: s\n```\n')).toEqual([
      '1:1: the front matter opened by --- on line 1 is never closed by a --- line',
    ]);
  });

  it('reports a wrong type of order and objectives', () => {
    expect(problems(withStep('title: s', 'title: T\norder: first\nobjectives: { a: 1 }'))).toEqual([
      "3:8: order must be a whole number from 0 to 10000 (got 'first')",
      '4:13: objectives must be a list (got a mapping)',
    ]);
  });
});

describe('front matter broker: users and ACL', () => {
  const BROKER = [
    'title: T',
    'broker:',
    '  users: { hans: letmein, nurse: 1234 }',
    '  acl:',
    '    - { user: hans, topic: "home/hans/#", access: both, allow: true }',
    '    - { clientId: display, topic: "home/+/temp", access: subscribe, allow: true }',
    '    - { topic: "home/secret", access: publish, allow: false }',
  ].join('\n');

  it('parses users and rules into the lesson', () => {
    const { lesson, problems: found } = parseLesson(withStep('title: s', BROKER), 'l.md');
    expect(found).toEqual([]);
    expect(lesson!.broker).toEqual({
      // A password is the text as typed, even when YAML would read a number.
      users: { hans: 'letmein', nurse: '1234' },
      acl: [
        { user: 'hans', topic: 'home/hans/#', access: 'both', allow: true },
        { clientId: 'display', topic: 'home/+/temp', access: 'subscribe', allow: true },
        { topic: 'home/secret', access: 'publish', allow: false },
      ],
    });
  });

  it('leaves broker out of a lesson that does not set it', () => {
    expect(parseLesson(withStep('title: s'), 'l.md').lesson!.broker).toBeUndefined();
  });

  it('accepts users alone, and an ACL alone', () => {
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  users: { hans: letmein }'))).toEqual([]);
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  acl: [ { topic: "#", access: both, allow: true } ]'))).toEqual([]);
  });

  it('reports an empty broker, an unknown key and users that are not a mapping', () => {
    expect(problems(withStep('title: s', 'title: T\nbroker:'))).toEqual(["3:1: broker needs 'users', 'acl' or both"]);
    expect(problems(withStep('title: s', 'title: T\nbroker: {}'))).toEqual(["3:1: broker needs 'users', 'acl' or both"]);
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  user: { hans: letmein }'))).toEqual([
      "3:1: broker needs 'users', 'acl' or both",
      "4:3: broker: unknown key 'user' (did you mean 'users'?); expected one of users, acl",
    ]);
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  users: [hans, letmein]'))).toEqual([
      '4:10: broker: users must be a mapping of key: value (got a list)',
    ]);
  });

  it('reports a user without a password, and an empty user list', () => {
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  users:\n    hans:\n    nurse: ""'))).toEqual([
      `5:5: broker: users: 'hans' needs a password (write "" for an empty one)`,
    ]);
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  users: {}'))).toEqual([
      '4:10: broker: users needs at least one user, as name: password',
    ]);
  });

  it('reports ACL rules with missing, unknown and wrong values', () => {
    const fm = [
      'title: T',
      'broker:',
      '  users: { hans: letmein }',
      '  acl:',
      '    - { user: hans, topic: "home/#" }',
      '    - { user: anna, topic: "home/#/x", access: read, allow: yes }',
      '    - { topic: a, access: both, allow: true, qos: 1 }',
    ].join('\n');
    expect(problems(withStep('title: s', fm))).toEqual([
      "6:7: broker: acl rule needs 'access' and 'allow'",
      "7:15: broker: acl: user 'anna' is not one of the broker's users (hans)",
      "7:28: broker: acl: topic 'home/#/x' is not a valid topic filter: '#' must be the last character and stand alone in its level",
      "7:48: broker: acl: access must be one of publish, subscribe, both (got 'read')",
      "7:61: broker: acl: allow must be true or false (got 'yes')",
      "8:46: broker: acl rule: unknown key 'qos'; expected one of user, clientId, topic, access, allow",
    ]);
  });

  it('reports an acl that is not a list', () => {
    expect(problems(withStep('title: s', 'title: T\nbroker:\n  acl: { topic: a, access: both, allow: true }'))).toEqual([
      '4:8: broker: acl must be a list (got a mapping)',
    ]);
  });
});

describe('YAML and Markdown structure', () => {
  it('reports a YAML syntax error at its line and keeps checking later steps', () => {
    const text = withStep('do:\n  - publish: { client: a, topic: x') + '\n```step\ndo:\n  - wait: 99999\n```\n';
    expect(problems(text)).toEqual([
      '7:35: YAML: Flow map in block collection must be sufficiently indented and end with a }',
      '12:11: wait must be a whole number from 1 to 10000 ms (got \'99999\')',
    ]);
  });

  it('reports a step fence that is never closed', () => {
    expect(problems('---\ntitle: T\n---\n\n```step\ntitle: s\n')).toEqual([
      '5:1: this ```step block is never closed by a ``` line',
    ]);
  });

  it('reports a misspelt step fence rather than ignoring it', () => {
    expect(problems(withStep('title: s') + '\n```steps\ntitle: t\n```\n')).toEqual([
      "9:4: fenced block 'steps' is not a step: write ```step",
    ]);
  });

  it('reports a lesson without steps', () => {
    expect(problems('---\ntitle: T\n---\n\nJust prose.\n')).toEqual(['1:1: a lesson needs at least one ```step block']);
  });

  it('treats a step inside a longer example fence as prose', () => {
    const text = withStep('title: s') + '\n````markdown\n```step\ndo:\n  - bogus: 1\n```\n````\n';
    const r = parseLesson(text, 'l.md');
    expect(r.problems).toEqual([]);
    expect(r.lesson?.steps).toHaveLength(1);
  });

  it('gives columns in the file for an indented fence', () => {
    const text = '---\ntitle: T\n---\n\n1. A list item:\n\n   ```step\n   do:\n     - wiat: 5\n   ```\n';
    expect(problems(text)).toEqual([expect.stringMatching(/^9:8: unknown action 'wiat' \(did you mean 'wait'\?\)/)]);
  });

  it('rejects YAML aliases', () => {
    expect(problems(withStep(`do:\n${CLIENT}\n  - publish: { client: sensor, topic: &t a/b }\n  - publish: { client: sensor, topic: *t }`))).toEqual([
      '9:39: publish: topic: YAML aliases (*name) are not allowed in lessons; write the value out',
    ]);
  });

  it('reports an unknown step key', () => {
    expect(problems(withStep('title: s\nexpectt: []'))).toEqual([
      "7:1: step: unknown key 'expectt' (did you mean 'expect'?); expected one of title, text, predict, choose, do, expect, explain, question, highlight, view, exercise",
    ]);
  });
});

describe('actions', () => {
  it('reports an unknown action with a suggestion', () => {
    expect(problems(withStep(`do:\n${CLIENT}\n  - publsh: { client: sensor, topic: a }`))).toEqual([
      "8:5: unknown action 'publsh' (did you mean 'publish'?); expected one of client, connect, publish, subscribe, unsubscribe, disconnect, kill, reconnect, sever, fault, clear-faults, step-mode, release-next, release-all, wait, http-post, http-poll",
    ]);
  });

  it('reports an unknown key inside an action, and a missing required one', () => {
    expect(problems(withStep(`do:\n${CLIENT}\n  - publish: { client: sensor, topik: a }`))).toEqual([
      "8:5: publish needs 'topic'",
      "8:32: publish: unknown key 'topik' (did you mean 'topic'?); expected one of client, topic, payload, repeat, qos, retain, expiry, alias, responseTopic, correlationData, userProperties",
    ]);
  });

  it('reports a second key in an action item (an indentation slip)', () => {
    expect(problems(withStep(`do:\n${CLIENT}\n  - publish: { client: sensor, topic: a }\n    qos: 1`))).toEqual([
      "9:5: action 'publish' has a second key 'qos': each item is one action; indent its settings under 'publish:'",
    ]);
  });

  it('reports values of the wrong type', () => {
    const yaml = `do:\n  - client: { id: sensor, clean: "yes", keepalive: -1 }\n  - publish: { client: sensor, topic: a, qos: high, retain: 1 }`;
    expect(problems(withStep(yaml))).toEqual([
      "7:34: client: clean must be true or false (got 'yes')",
      "7:52: client: keepalive must be a whole number from 0 to 65535 seconds (got '-1')",
      "8:47: publish: qos must be a whole number from 0 to 2 (got 'high')",
      "8:61: publish: retain must be true or false (got '1')",
    ]);
  });

  it('reports a client used before it is created, in the same step', () => {
    expect(problems(withStep(`do:\n  - connect: sensor\n${CLIENT}`))).toEqual([
      "7:14: connect: unknown client 'sensor'; create it first with `client: { id: sensor }` in this or an earlier step",
    ]);
  });

  it('reports a client created only in a later step, and a misspelt one', () => {
    const text = withStep('do:\n  - connect: sensor') + `\n\`\`\`step\ndo:\n${CLIENT}\n  - connect: sensr\n\`\`\`\n`;
    expect(problems(text)).toEqual([
      "7:14: connect: unknown client 'sensor'; create it first with `client: { id: sensor }` in this or an earlier step",
      "13:14: connect: unknown client 'sensr' (did you mean 'sensor'?); create it first with `client: { id: sensr }` in this or an earlier step",
    ]);
  });

  it('reports a client created twice', () => {
    expect(problems(withStep(`do:\n${CLIENT}\n${CLIENT}`))).toEqual([
      "8:19: client 'sensor' is created twice (first on line 7); give this one its own id (two clients may share an MQTT clientId)",
    ]);
  });

  it('reports an invalid topic name in publish and in a will', () => {
    const yaml = `do:\n  - client: { id: s, will: { topic: "dead/#", payload: x } }\n  - publish: { client: s, topic: home/+/temp }`;
    expect(problems(withStep(yaml))).toEqual([
      "7:37: will: topic: 'dead/#' is not a valid topic name: a topic name must not contain the wildcards + or #",
      "8:34: publish: topic: 'home/+/temp' is not a valid topic name: a topic name must not contain the wildcards + or #",
    ]);
  });

  it('reports an invalid topic filter in subscribe and unsubscribe', () => {
    const yaml = `do:\n${CLIENT}\n  - subscribe: { client: sensor, filters: [ok/#, "a/#/b", home+] }\n  - unsubscribe: { client: sensor, filter: "#/x" }`;
    expect(problems(withStep(yaml))).toEqual([
      "8:50: subscribe: filter: 'a/#/b' is not a valid topic filter: '#' must be the last character and stand alone in its level",
      "8:59: subscribe: filter: 'home+' is not a valid topic filter: '+' must occupy an entire level of the filter",
      "9:44: unsubscribe: filter: '#/x' is not a valid topic filter: '#' must be the last character and stand alone in its level",
    ]);
  });

  it('reports MQTT 5 options on an MQTT 3.1.1 client, and MQTT 5 without requires', () => {
    const yaml = `do:\n${CLIENT}\n  - subscribe: { client: sensor, filter: a, nl: true }\n  - client: { id: five, version: 5, sessionExpiry: 60 }`;
    expect(problems(withStep(yaml))).toEqual([
      '8:45: subscribe: nl is an MQTT 5 subscription option, but this client uses MQTT 3.1.1',
      "9:34: client 'five' uses MQTT 5: add 'requires: [mqtt5]' to the front matter (aedes, the default broker, does not speak MQTT 5)",
    ]);
    expect(problems(withStep('do:\n  - client: { id: five, version: 5, sessionExpiry: 60 }', 'title: T\nrequires: [mqtt5]'))).toEqual([]);
    expect(problems(withStep('do:\n  - client: { id: old, sessionExpiry: 60 }'))).toEqual([
      "7:24: client 'old': sessionExpiry is MQTT 5 only; add version: 5 (MQTT 3.1.1 uses clean: false for a durable session)",
    ]);
  });

  it('reads connect and reconnect with refused: true, and refuses it elsewhere', () => {
    const { lesson, problems: found } = parseLesson(withStep(`do:\n${CLIENT}\n  - connect: { id: sensor, refused: true }\n  - reconnect: { id: sensor, refused: false }\n  - connect: { id: sensor }`), 'l.md');
    expect(found).toEqual([]);
    expect(lesson!.steps[0]!.actions.slice(1).map((a) => ({ ...a, at: undefined }))).toEqual([
      { kind: 'connect', client: 'sensor', refused: true, at: undefined },
      { kind: 'reconnect', client: 'sensor', at: undefined },
      { kind: 'connect', client: 'sensor', at: undefined },
    ]);
    expect(problems(withStep(`do:\n${CLIENT}\n  - connect: { id: sensor, refused: maybe }\n  - disconnect: { id: sensor, refused: true }\n  - connect: { id: ghost, refused: true }`))).toEqual([
      "8:37: connect: refused must be true or false (got 'maybe')",
      "9:31: disconnect: unknown key 'refused'; expected one of id",
      "10:20: connect: unknown client 'ghost'; create it first with `client: { id: ghost }` in this or an earlier step",
    ]);
  });

  it('reports a wait that is too long', () => {
    expect(problems(withStep('do:\n  - wait: 60000'))).toEqual(["7:11: wait must be a whole number from 1 to 10000 ms (got '60000')"]);
  });

  it('checks fault rules: packet type, action, ms, field and client', () => {
    const yaml = [
      'do:',
      '  - fault: { match: { type: PUBAK }, action: drop }',
      '  - fault: { match: {}, action: explode }',
      '  - fault: { match: { type: PUBLISH }, action: delay }',
      '  - fault: { match: { client: ghost }, action: corrupt, field: mqtt.len }',
    ].join('\n');
    expect(problems(withStep(yaml))).toEqual([
      "7:29: fault match: type: unknown packet type 'PUBAK' (did you mean 'PUBACK'?); MQTT has CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH",
      "8:33: fault: action must be one of drop, delay, hold, corrupt, sever (got 'explode')",
      '9:5: fault: action delay needs ms (how long to hold each packet)',
      "10:31: fault match: client: unknown client 'ghost'; create it first with `client: { id: ghost }` in this or an earlier step",
      '10:64: fault: corrupting mqtt.len would desynchronise the TCP stream; pick a field after the fixed header',
    ]);
  });

  it('reports clearing a fault rule that was never named', () => {
    expect(problems(withStep('do:\n  - fault: { id: lose, match: {}, action: drop }\n  - clear-faults: lose\n  - clear-faults: lose'))).toEqual([
      "9:19: clear-faults: no active fault rule 'lose' (use true to clear every rule, or name a rule given an id by fault: { id: … })",
    ]);
  });
});

describe('expectations', () => {
  it('reports an unknown expectation', () => {
    expect(problems(withStep('expect:\n  - pakcet: { type: PUBLISH }'))).toEqual([
      "7:5: unknown expectation 'pakcet' (did you mean 'packet'?); expected one of packet, no-packet, received, not-received, connection, order, quiz, tls-record, ws-frame",
    ]);
  });

  it('reports an unknown packet type', () => {
    expect(problems(withStep('expect:\n  - packet: { type: PUBLISHED }'))).toEqual([
      "7:21: packet: type: unknown packet type 'PUBLISHED' (did you mean 'PUBLISH'?); MQTT has CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH (and HTTP for requests and responses)",
    ]);
  });

  it('reports an unknown field filter name in fields and in highlight', () => {
    expect(problems(withStep('expect:\n  - packet: { type: CONNECT, fields: { mqtt.conflag.will: true } }\nhighlight: [mqtt.topic, mqtt.msgidd]'))).toEqual([
      "7:40: packet: fields: unknown field filter name 'mqtt.conflag.will' (did you mean 'mqtt.conflag.willflag'?)",
      "8:25: highlight: unknown field filter name 'mqtt.msgidd' (did you mean 'mqtt.msgid'?)",
    ]);
  });

  it('reports an unknown client in an expectation, and from with to', () => {
    expect(problems(withStep(`do:\n${CLIENT}\nexpect:\n  - received: { client: nobody }\n  - packet: { from: sensor, to: sensor }`))).toEqual([
      "9:25: received: client: unknown client 'nobody'; create it first with `client: { id: nobody }` in this or an earlier step",
      "10:29: packet: give 'from' (sent by a client) or 'to' (sent to a client), not both",
    ]);
  });

  it('reports a window that is too long and an empty match', () => {
    expect(problems(withStep('expect:\n  - no-packet: { type: PUBACK, within: 120000 }\n  - packet: {}'))).toEqual([
      "7:40: no-packet: within must be a whole number from 1 to 30000 ms (got '120000')",
      '8:5: packet needs at least one of type, from, to, direction, qos, retain, dup, topic, fields, fault',
    ]);
  });

  it('reports an order with fewer than two packets', () => {
    expect(problems(withStep('expect:\n  - order: [ { type: PUBLISH } ]'))).toEqual([
      '7:12: order needs at least two packets, in the order they must appear',
    ]);
  });

  it('reports a connection expectation that contradicts itself', () => {
    expect(problems(withStep(`do:\n${CLIENT}\nexpect:\n  - connection: { client: sensor, state: connected, ended: severed }`))).toEqual([
      '9:53: connection: a connection that has ended is closed, not connected',
    ]);
  });

  it('reports quiz without a question', () => {
    expect(problems(withStep('expect:\n  - quiz: true'))).toEqual(['7:5: quiz: true needs a question in the same step']);
  });
});

describe('questions and views', () => {
  it('reports an unknown view', () => {
    expect(problems(withStep('view: sequnce'))).toEqual([
      "6:7: view must be one of sequence, packets, detail, clients, faults, topics, lesson (got 'sequnce') (did you mean 'sequence'?)",
    ]);
  });

  it('reports a quiz answer out of range, and one that is not a choice', () => {
    expect(problems(withStep('question:\n  prompt: Why?\n  choices: [a, b]\n  answer: 3'))).toEqual([
      '9:11: question: answer 3 is out of range: choices are numbered 1 to 2',
    ]);
    expect(problems(withStep('question:\n  prompt: Why?\n  choices: [a, b]\n  answer: 0'))).toEqual([
      '9:11: question: answer 0 is out of range: choices are numbered 1 to 2',
    ]);
    expect(problems(withStep('predict:\n  prompt: Why?\n  choices: [a, b]\n  answer: c'))).toEqual([
      "9:11: predict: answer 'c' is not one of the choices",
    ]);
  });

  it('reports per-choice explanations that do not match the choices', () => {
    expect(problems(withStep('question:\n  prompt: Why?\n  choices: [a, b]\n  answer: 1\n  explain: [only one]'))).toEqual([
      '10:12: question: explain has 1 entries for 2 choices; give one per choice, or a single text',
    ]);
  });
});

describe('a correct lesson', () => {
  const text = [
    '---',
    'title: QoS',
    'order: 7',
    'objectives: [one, two]',
    '---',
    '',
    'Intro prose.',
    '',
    '```step',
    'title: First',
    'predict: { prompt: "How many?", choices: ["1", "2"] }',
    'do:',
    '  - client: { id: sensor, clientId: sensor-1, clean: false, will: { topic: dead, payload: gone, retain: true } }',
    '  - connect: sensor',
    '  - publish: { client: sensor, topic: home/temp, payload: 21.50, qos: 1 }',
    '  - publish: { client: sensor, topic: home/json, payload: { deviceID: RPi1, temperature: 23.4 } }',
    '  - subscribe: { client: sensor, filters: [a/#, { filter: b/+, qos: 2 }], qos: 1 }',
    '  - fault: { match: { type: puback, client: sensor, nth: 2 }, action: drop, times: 1 }',
    '  - step-mode: on',
    '  - release-next:',
    '  - release-next: 3',
    'expect:',
    '  - packet: { type: PUBLISH, from: sensor, fields: { mqtt.qos: 1, mqtt.dupflag: false }, count: 2 }',
    '  - order: { packets: [ { type: PUBLISH }, { type: PUBACK, fault: drop } ], within: 5000 }',
    '  - quiz: true',
    'question:',
    '  prompt: Which?',
    '  choices: [PUBLISH, PUBACK]',
    '  answer: PUBACK',
    '  explain: [first, second]',
    'highlight: mqtt.qos',
    'view: sequence',
    '```',
    '',
    'Outro.',
  ].join('\n');

  it('parses into the lesson model', () => {
    const { lesson, problems: found } = parseLesson(text, 'lessons/07-qos.md');
    expect(found).toEqual([]);
    expect(lesson).not.toBeNull();
    const l = lesson!;
    expect({ id: l.id, title: l.title, order: l.order, objectives: l.objectives }).toEqual({ id: '07-qos', title: 'QoS', order: 7, objectives: ['one', 'two'] });
    expect(l.blocks).toEqual([{ kind: 'markdown', line: 7, text: 'Intro prose.' }, { kind: 'step', index: 0 }, { kind: 'markdown', line: 35, text: 'Outro.' }]);
    const s = l.steps[0]!;
    expect(s.at).toEqual({ line: 9, col: 1 });
    expect(s.predict).toMatchObject({ prompt: 'How many?', choices: ['1', '2'] });
    expect(s.predict?.answer).toBeUndefined();
    expect(s.question).toMatchObject({ answer: 1, choiceExplain: ['first', 'second'] });
    expect(s.highlight).toEqual(['mqtt.qos']);
    const [client, , pub, json, sub, fault, stepMode, next1, next3] = s.actions;
    expect(client).toMatchObject({ kind: 'client', id: 'sensor', options: { clientId: 'sensor-1', clean: false, will: { topic: 'dead', payload: 'gone', retain: true } } });
    // The payload is what the lecturer typed, not the number YAML would make of it.
    expect(pub).toMatchObject({ kind: 'publish', payload: '21.50', qos: 1, retain: false });
    expect(json).toMatchObject({ payload: '{"deviceID":"RPi1","temperature":23.4}' });
    expect(sub).toMatchObject({ subscriptions: [{ filter: 'a/#', qos: 1 }, { filter: 'b/+', qos: 2 }] });
    expect(fault).toMatchObject({ rule: { match: { type: 'PUBACK', client: 'sensor', nth: 2 }, action: 'drop', times: 1 } });
    expect(stepMode).toMatchObject({ kind: 'step-mode', on: true });
    expect([next1, next3]).toMatchObject([{ count: 1 }, { count: 3 }]);
    expect(s.expectations[0]).toMatchObject({ kind: 'packet', within: 2000, count: 2, match: { fields: [{ filter: 'mqtt.qos', value: 1 }, { filter: 'mqtt.dupflag', value: false }] } });
    expect(s.expectations[1]).toMatchObject({ kind: 'order', within: 5000 });
  });

  it('reports every mistake of a file in line order, not just the first', () => {
    const broken = text.replace('type: puback', 'type: pubak').replace('view: sequence', 'view: graph').replace('qos: 1 }\n  - publish', 'qos: 7 }\n  - publish');
    expect(problems(broken).map((p) => p.split(':')[0])).toEqual(['15', '18', '32']);
  });
});

describe('publish repeat', () => {
  it('repeats the payload text N times', () => {
    const r = parseLesson(withStep(`do:\n${CLIENT}\n  - publish: { client: sensor, topic: t, payload: "ab", repeat: 3 }`), 'x.md');
    expect(r.problems).toEqual([]);
    const a = r.lesson!.steps[0]!.actions[1]!;
    expect(a.kind === 'publish' && a.payload).toBe('ababab');
  });

  it('refuses a payload that would pass the size limit, or a repeat that is not a positive whole number', () => {
    expect(problems(withStep(`do:\n${CLIENT}\n  - publish: { client: sensor, topic: t, payload: "0123456789", repeat: 100000 }`)))
      .toEqual([expect.stringMatching(/repeat makes a payload of 1000000 characters; at most 524288/)]);
    expect(problems(withStep(`do:\n${CLIENT}\n  - publish: { client: sensor, topic: t, payload: "x", repeat: 0 }`)))
      .toEqual([expect.stringMatching(/publish: repeat/)]);
  });
});

describe('text cut short by a YAML comment', () => {
  it("reports ' #' in unquoted text, where YAML would silently drop the rest", () => {
    expect(problems(withStep('title: What # does not see'))).toEqual([
      "6:8: '#' after a space starts a YAML comment, so this text ends at 'What' and '# does not see' is lost; put the whole text in quotes",
    ]);
    expect(problems(withStep('title: "What # does see"'))).toEqual([]);
  });
});

describe('TLS and WebSocket clients', () => {
  it('reads a client transport and the tls-record and ws-frame expectations, names in any spelling', () => {
    const r = parseLesson(withStep(`do:\n  - client: { id: hans, transport: tls }\nexpect:\n  - tls-record: { client: hans, content: application-data, carries: CONNECT }\n  - ws-frame: { client: hans, opcode: binary, masked: true, direction: toBroker }`), 'x.md');
    expect(r.problems).toEqual([]);
    const step = r.lesson!.steps[0]!;
    expect(step.actions[0]).toMatchObject({ kind: 'client', options: { transport: 'tls' } });
    expect(step.expectations[0]).toMatchObject({ kind: 'tls-record', client: 'hans', match: { content: 'Application Data', carries: 'CONNECT' }, within: 2000 });
    expect(step.expectations[1]).toMatchObject({ kind: 'ws-frame', match: { opcode: 'Binary', masked: true, direction: 'toBroker' } });
  });

  it('reports an unknown transport, record content, opcode and a key of the other layer', () => {
    expect(problems(withStep(`do:\n  - client: { id: hans, transport: mqtts }\nexpect:\n  - tls-record: { client: hans, content: data }\n  - ws-frame: { client: hans, opcode: binary, handshake: Client Hello }`))).toEqual([
      "7:36: client: transport must be one of tcp, tls, ws, wss (got 'mqtts')",
      "9:42: tls-record: content must be one of handshake, application data, alert, change cipher spec (got 'data')",
      "10:47: ws-frame: unknown key 'handshake'; expected one of client, direction, carries, within, opcode, masked",
    ]);
  });
});
