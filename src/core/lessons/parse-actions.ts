// The `do:` vocabulary: each item becomes one Action, checked against the scope (clients created so far,
// fault rules named so far) and against MQTT's own rules (topic names, filters, versions).
import { isMap, isScalar, isSeq } from 'yaml';
import type { ClientOptions, ClientWill, QoS, SubscribeRequest } from '../../shared/lab.js';
import type { MqttVersion } from '../../shared/packet.js';
import type { Action, ActionBody, FaultSpec, SourcePos } from '../../shared/lesson.js';
import { parseHttpPoll, parseHttpPost } from './parse-http.js';
import { CLIENT_V5_KEYS, PUBLISH_V5_KEYS, connectProperties, publishProperties, willDelay } from './parse-mqtt5.js';
import { clientRef, fieldFilter, optional, packetType, setIf, singleKey, topicFilter, topicName } from './parse-values.js';
import type { ParseContext } from './scope.js';
import { ACTION_KINDS, FAULT_ACTIONS, MAX_DELAY_MS, MAX_RELEASE, MAX_WAIT_MS, TRANSPORTS } from './vocabulary.js';
import type { Field, YNode } from './yaml-reader.js';

type Fields = Map<string, Field>;
type Parsed = ActionBody | undefined;

export function parseAction(c: ParseContext, node: YNode): Action | undefined {
  const item = singleKey(c, node, 'action', ACTION_KINDS);
  if (item === undefined) return undefined;
  const at = c.r.at(item.key);
  const parsed = ACTION_PARSERS[item.kind](c, item.value, at);
  return parsed === undefined ? undefined : { ...parsed, at };
}

const ACTION_PARSERS: Record<Action['kind'], (c: ParseContext, v: YNode, at: SourcePos) => Parsed> = {
  client: parseClient,
  connect: (c, v) => byClient(c, v, 'connect'),
  disconnect: (c, v) => byClient(c, v, 'disconnect'),
  kill: (c, v) => byClient(c, v, 'kill'),
  reconnect: (c, v) => byClient(c, v, 'reconnect'),
  sever: (c, v) => byClient(c, v, 'sever'),
  publish: parsePublish,
  subscribe: parseSubscribe,
  unsubscribe: parseUnsubscribe,
  fault: parseFault,
  'clear-faults': parseClearFaults,
  'step-mode': parseStepMode,
  'release-next': (c, v) => {
    if (c.r.isNull(v) || (isScalar(v) && v.value === true)) return { kind: 'release-next', count: 1 };
    const count = c.r.int(v, 'release-next', 1, MAX_RELEASE, ' packets');
    return count === undefined ? undefined : { kind: 'release-next', count };
  },
  'release-all': (c, v) => {
    if (isScalar(v) && v.value === true) return { kind: 'release-all' };
    c.r.report(v, 'release-all takes the value true');
    return undefined;
  },
  wait: (c, v) => {
    const ms = c.r.int(v, 'wait', 1, MAX_WAIT_MS, ' ms');
    return ms === undefined ? undefined : { kind: 'wait', ms };
  },
  'http-post': (c, v, at) => parseHttpPost(c, v, at, payload),
  'http-poll': parseHttpPoll,
};

/**
 * `connect: sensor` or `connect: { id: sensor }`; a connect or reconnect may say `refused: true`: the
 * broker is expected to refuse it (wrong password, no user name), and the action fails if it accepts.
 */
function byClient(c: ParseContext, v: YNode, kind: 'connect' | 'disconnect' | 'kill' | 'reconnect' | 'sever'): Parsed {
  if (!isMap(v)) {
    const client = clientRef(c, v, kind);
    return client === undefined ? undefined : { kind, client };
  }
  const connects = kind === 'connect' || kind === 'reconnect';
  const f = c.r.fields(v, kind, connects ? ['id', 'refused'] : ['id'], ['id']);
  const idNode = f?.get('id')?.value;
  if (f === undefined || idNode === undefined) return undefined;
  const client = clientRef(c, idNode, kind);
  if (kind !== 'connect' && kind !== 'reconnect') return client === undefined ? undefined : { kind, client };
  const refused = optional(c, f, 'refused', (n) => c.r.bool(n, `${kind}: refused`));
  if (client === undefined) return undefined;
  return refused === true ? { kind, client, refused } : { kind, client };
}

const CLIENT_KEYS = ['id', 'clientId', 'version', 'clean', 'keepalive', 'username', 'password', 'will', 'sessionExpiry', 'transport', ...CLIENT_V5_KEYS];

function parseClient(c: ParseContext, v: YNode, at: SourcePos): Parsed {
  // `client: sensor` is a client with every default.
  const f: Fields | undefined = isMap(v) ? c.r.fields(v, 'client', CLIENT_KEYS, ['id'], at) : new Map([['id', { key: v!, value: v }]]);
  if (f === undefined) return undefined;
  const idNode = f.get('id')?.value;
  const id = idNode === undefined ? undefined : c.r.text(idNode, 'client: id', at);
  if (id === undefined) return undefined;
  const earlier = c.scope.clients.get(id);
  if (earlier !== undefined) {
    c.r.report(idNode, `client '${id}' is created twice (first on line ${earlier.at.line}); give this one its own id (two clients may share an MQTT clientId)`);
    return undefined;
  }
  const options: ClientOptions = {};
  const version = optional(c, f, 'version', (n) => c.r.int(n, 'client: version', 3, 5, ' (3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0)')) as MqttVersion | undefined;
  if (version !== undefined) options.protocolVersion = version;
  const v5 = version === 5;
  if (v5 && !c.requires.includes('mqtt5') && c.broker !== 'mosquitto') {
    c.r.report(f.get('version')!.value, `client '${id}' uses MQTT 5: add 'requires: [mqtt5]' to the front matter (aedes, the default broker, does not speak MQTT 5)`);
  }
  setIf(options, 'clientId', optional(c, f, 'clientId', (n) => c.r.text(n, 'client: clientId')));
  setIf(options, 'clean', optional(c, f, 'clean', (n) => c.r.bool(n, 'client: clean')));
  setIf(options, 'keepalive', optional(c, f, 'keepalive', (n) => c.r.int(n, 'client: keepalive', 0, 65535, ' seconds')));
  setIf(options, 'username', optional(c, f, 'username', (n) => c.r.text(n, 'client: username')));
  setIf(options, 'password', optional(c, f, 'password', (n) => c.r.text(n, 'client: password')));
  // tls and wss trust the lab's own CA, the file a student gives mosquitto_sub --cafile.
  setIf(options, 'transport', optional(c, f, 'transport', (n) => c.r.choice(n, 'client: transport', TRANSPORTS)));
  const expiry = f.get('sessionExpiry');
  if (expiry !== undefined) {
    if (!v5) c.r.report(expiry.key, `client '${id}': sessionExpiry is MQTT 5 only; add version: 5 (MQTT 3.1.1 uses clean: false for a durable session)`);
    setIf(options, 'sessionExpiryInterval', c.r.int(expiry.value, 'client: sessionExpiry', 0, 4294967295, ' seconds'));
  }
  setIf(options, 'properties', connectProperties(c, f, v5));
  const will = f.get('will');
  if (will !== undefined) setIf(options, 'will', parseWill(c, will.value, v5));
  c.scope.clients.set(id, { version: version ?? 4, at: c.r.at(idNode) });
  return { kind: 'client', id, options };
}

function parseWill(c: ParseContext, v: YNode, v5: boolean): ClientWill | undefined {
  const f = c.r.fields(v, 'client: will', ['topic', 'payload', 'qos', 'retain', 'delay'], ['topic']);
  if (f === undefined) return undefined;
  const topic = optional(c, f, 'topic', (n) => topicName(c, n, 'will: topic'));
  if (topic === undefined) return undefined;
  const will: ClientWill = { topic, payload: optional(c, f, 'payload', (n) => payload(c, n, 'will: payload')) ?? '' };
  setIf(will, 'qos', optional(c, f, 'qos', (n) => c.r.int(n, 'will: qos', 0, 2) as QoS | undefined));
  setIf(will, 'retain', optional(c, f, 'retain', (n) => c.r.bool(n, 'will: retain')));
  const delay = willDelay(c, f, v5);
  if (delay !== undefined) will.properties = { willDelayInterval: delay };
  return will;
}

/** Half the tap's default maximum packet size: room for topic and headers. */
const MAX_REPEAT_BYTES = 512 * 1024;

function parsePublish(c: ParseContext, v: YNode, at: SourcePos): Parsed {
  const f = c.r.fields(v, 'publish', ['client', 'topic', 'payload', 'repeat', 'qos', 'retain', ...PUBLISH_V5_KEYS], ['client', 'topic'], at);
  if (f === undefined) return undefined;
  const client = optional(c, f, 'client', (n) => clientRef(c, n, 'publish: client'));
  const properties = publishProperties(c, f, client !== undefined && c.scope.clients.get(client)?.version === 5);
  // An empty topic name with a Topic Alias sends the PUBLISH by its alias alone (MQTT 5 §3.3.2.1, §3.3.2.3.4).
  const topicNode = f.get('topic')?.value;
  const aliasOnly = properties?.topicAlias !== undefined && topicNode !== undefined && isScalar(topicNode) && topicNode.value === '';
  const topic = aliasOnly ? '' : optional(c, f, 'topic', (n) => topicName(c, n, 'publish: topic'));
  // `repeat` sends the payload text N times over: big messages (2- and 3-byte lengths) without pages of YAML.
  const repeat = optional(c, f, 'repeat', (n) => c.r.int(n, 'publish: repeat', 1, MAX_REPEAT_BYTES, ' times'));
  const text = optional(c, f, 'payload', (n) => payload(c, n, 'publish: payload')) ?? '';
  if (repeat !== undefined && text.length * repeat > MAX_REPEAT_BYTES) {
    c.r.report(f.get('repeat')!.value as YNode, `publish: repeat makes a payload of ${text.length * repeat} characters; at most ${MAX_REPEAT_BYTES}`);
  }
  const body = repeat === undefined ? text : text.repeat(Math.min(repeat, Math.floor(MAX_REPEAT_BYTES / Math.max(1, text.length))));
  const qos = (optional(c, f, 'qos', (n) => c.r.int(n, 'publish: qos', 0, 2)) ?? 0) as QoS;
  const retain = optional(c, f, 'retain', (n) => c.r.bool(n, 'publish: retain')) ?? false;
  if (client === undefined || topic === undefined) return undefined;
  return properties === undefined
    ? { kind: 'publish', client, topic, payload: body, qos, retain }
    : { kind: 'publish', client, topic, payload: body, qos, retain, properties };
}

const SUB_OPTIONS = ['qos', 'nl', 'rap', 'rh'] as const;

function parseSubscribe(c: ParseContext, v: YNode, at: SourcePos): Parsed {
  const f = c.r.fields(v, 'subscribe', ['client', 'filter', 'filters', ...SUB_OPTIONS], ['client'], at);
  if (f === undefined) return undefined;
  const client = optional(c, f, 'client', (n) => clientRef(c, n, 'subscribe: client'));
  const version = client === undefined ? undefined : c.scope.clients.get(client)?.version;
  const defaults = subOptions(c, f, 'subscribe', version);
  const list = filterList(c, f, 'subscribe', at);
  if (list === undefined || client === undefined) return undefined;
  const subscriptions: SubscribeRequest[] = [];
  for (const item of list) {
    if (isMap(item)) {
      const g = c.r.fields(item, 'subscribe: filters item', ['filter', ...SUB_OPTIONS], ['filter']);
      const filter = g === undefined ? undefined : optional(c, g, 'filter', (n) => topicFilter(c, n, 'subscribe: filter'));
      if (g !== undefined && filter !== undefined) subscriptions.push({ ...defaults, ...subOptions(c, g, 'subscribe', version), filter });
    } else {
      const filter = topicFilter(c, item, 'subscribe: filter');
      if (filter !== undefined) subscriptions.push({ ...defaults, filter });
    }
  }
  return subscriptions.length === list.length ? { kind: 'subscribe', client, subscriptions } : undefined;
}

function subOptions(c: ParseContext, f: Fields, what: string, version: MqttVersion | undefined): Omit<SubscribeRequest, 'filter'> {
  const out: Omit<SubscribeRequest, 'filter'> = {};
  setIf(out, 'qos', optional(c, f, 'qos', (n) => c.r.int(n, `${what}: qos`, 0, 2) as QoS | undefined));
  setIf(out, 'nl', optional(c, f, 'nl', (n) => c.r.bool(n, `${what}: nl (no local)`)));
  setIf(out, 'rap', optional(c, f, 'rap', (n) => c.r.bool(n, `${what}: rap (retain as published)`)));
  setIf(out, 'rh', optional(c, f, 'rh', (n) => c.r.int(n, `${what}: rh (retain handling)`, 0, 2) as 0 | 1 | 2 | undefined));
  for (const k of ['nl', 'rap', 'rh'] as const) {
    const given = f.get(k);
    if (given !== undefined && version !== undefined && version !== 5) {
      c.r.report(given.key, `${what}: ${k} is an MQTT 5 subscription option, but this client uses MQTT ${version === 3 ? '3.1' : '3.1.1'}`);
    }
  }
  return out;
}

/** `filter: a/b` or `filters: [a/b, c/#]`, exactly one of the two. */
function filterList(c: ParseContext, f: Fields, what: string, at: SourcePos): YNode[] | undefined {
  const one = f.get('filter');
  const many = f.get('filters');
  if ((one === undefined) === (many === undefined)) {
    c.r.report(one?.key ?? many?.key ?? at, `${what} needs exactly one of 'filter' or 'filters'`);
    return undefined;
  }
  if (one !== undefined) return [one.value];
  const list = c.r.items(many!.value, `${what}: filters`, true);
  if (list !== undefined && list.length === 0) {
    c.r.report(many!.value, `${what}: filters is empty`);
    return undefined;
  }
  return list;
}

function parseUnsubscribe(c: ParseContext, v: YNode, at: SourcePos): Parsed {
  const f = c.r.fields(v, 'unsubscribe', ['client', 'filter', 'filters'], ['client'], at);
  if (f === undefined) return undefined;
  const client = optional(c, f, 'client', (n) => clientRef(c, n, 'unsubscribe: client'));
  const list = filterList(c, f, 'unsubscribe', at);
  if (list === undefined || client === undefined) return undefined;
  const filters = list.map((n) => topicFilter(c, n, 'unsubscribe: filter'));
  return filters.every((x) => x !== undefined) ? { kind: 'unsubscribe', client, filters: filters as string[] } : undefined;
}

function parseFault(c: ParseContext, v: YNode, at: SourcePos): Parsed {
  const f = c.r.fields(v, 'fault', ['id', 'match', 'action', 'ms', 'times', 'field'], ['match', 'action'], at);
  if (f === undefined) return undefined;
  const action = optional(c, f, 'action', (n) => c.r.choice(n, 'fault: action', FAULT_ACTIONS));
  const rule: Partial<FaultSpec> = { action };
  const id = optional(c, f, 'id', (n) => c.r.text(n, 'fault: id'));
  if (id !== undefined) {
    // A rule limited by `times` may have retired by now; one without is surely still there.
    if (c.scope.faultIds.get(id) === false) c.r.report(f.get('id')!.value, `fault: a rule '${id}' is already active; clear it first with 'clear-faults: ${id}'`);
    rule.id = id;
  }
  const m = f.get('match');
  const g = m === undefined ? undefined : c.r.fields(m.value, 'fault: match', ['direction', 'type', 'client', 'topic', 'qos', 'nth']);
  if (g === undefined) return undefined;
  const match: FaultSpec['match'] = {};
  setIf(match, 'direction', optional(c, g, 'direction', (n) => c.r.choice(n, 'fault match: direction', ['toBroker', 'toClient'] as const)));
  setIf(match, 'type', optional(c, g, 'type', (n) => packetType(c, n, 'fault match: type')));
  setIf(match, 'client', optional(c, g, 'client', (n) => clientRef(c, n, 'fault match: client')));
  setIf(match, 'topic', optional(c, g, 'topic', (n) => topicFilter(c, n, 'fault match: topic')));
  setIf(match, 'qos', optional(c, g, 'qos', (n) => c.r.int(n, 'fault match: qos', 0, 2) as QoS | undefined));
  setIf(match, 'nth', optional(c, g, 'nth', (n) => c.r.int(n, 'fault match: nth', 1, 10_000)));
  rule.match = match;
  const ms = f.get('ms');
  if (action === 'delay' && ms === undefined) c.r.report(at, 'fault: action delay needs ms (how long to hold each packet)');
  if (ms !== undefined && action !== undefined && action !== 'delay') c.r.report(ms.key, `fault: ms goes with action delay, not ${action}`);
  if (ms !== undefined && action === 'delay') setIf(rule, 'ms', c.r.int(ms.value, 'fault: ms', 0, MAX_DELAY_MS, ' ms'));
  setIf(rule, 'times', optional(c, f, 'times', (n) => c.r.int(n, 'fault: times', 1, 10_000)));
  const field = f.get('field');
  if (field !== undefined) {
    if (action !== undefined && action !== 'corrupt') c.r.report(field.key, `fault: field goes with action corrupt, not ${action}`);
    const name = fieldFilter(c, field.value, 'fault: field');
    if (name === 'mqtt.len' || name === 'mqtt.fixed_header') {
      c.r.report(field.value, `fault: corrupting ${name} would desynchronise the TCP stream; pick a field after the fixed header`);
    } else {
      setIf(rule, 'field', name);
    }
  }
  if (action === undefined) return undefined;
  if (id !== undefined) c.scope.faultIds.set(id, rule.times !== undefined);
  return { kind: 'fault', rule: rule as FaultSpec };
}

function parseClearFaults(c: ParseContext, v: YNode): Parsed {
  if (isScalar(v) && v.value === true) {
    c.scope.faultIds.clear();
    return { kind: 'clear-faults' };
  }
  const id = c.r.text(v, 'clear-faults');
  if (id === undefined) return undefined;
  if (!c.scope.faultIds.has(id)) {
    c.r.report(v, `clear-faults: no active fault rule '${id}' (use true to clear every rule, or name a rule given an id by fault: { id: … })`);
    return undefined;
  }
  c.scope.faultIds.delete(id);
  return { kind: 'clear-faults', id };
}

function parseStepMode(c: ParseContext, v: YNode): Parsed {
  if (isScalar(v) && typeof v.value === 'boolean') return { kind: 'step-mode', on: v.value };
  const word = c.r.choice(v, 'step-mode', ['on', 'off'] as const, (s) => s.toLowerCase());
  return word === undefined ? undefined : { kind: 'step-mode', on: word === 'on' };
}

/** A payload is text as typed; a mapping or list is sent as its JSON text (the lecture's telemetry is JSON). */
function payload(c: ParseContext, n: YNode, what: string): string | undefined {
  if (isMap(n) || isSeq(n)) {
    const data = plainData(c, n, what);
    return data === undefined ? undefined : JSON.stringify(data);
  }
  if (c.r.isNull(n)) return '';
  return c.r.text(n, what);
}

function plainData(c: ParseContext, n: YNode, what: string, depth = 0): unknown {
  if (depth > 32) {
    c.r.report(n, `${what} is nested too deeply`);
    return undefined;
  }
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const p of n.items) {
      const key = c.r.text(p.key as YNode, what);
      const value = plainData(c, p.value as YNode, what, depth + 1);
      if (key === undefined) return undefined;
      out[key] = value;
    }
    return out;
  }
  if (isSeq(n)) return n.items.map((i) => plainData(c, i as YNode, what, depth + 1));
  if (isScalar(n)) return n.value;
  if (n === null || n === undefined) return null;
  c.r.report(n, `${what}: YAML aliases (*name) are not allowed in lessons; write the value out`);
  return undefined;
}

