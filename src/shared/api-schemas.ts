// The parameters of every command in LabCommands as a runtime schema, for the transports to check what a
// caller sent before the Lab acts on it. The table's type ties it to the contract: a command missing here, or a
// schema whose output is not the contract's parameter type, does not compile.
import { z } from 'zod';
import type { CommandName, ParamsOf } from './api.js';

const text = z.string();
const nonEmpty = z.string().min(1, 'must not be empty');
const bytes = z.union([z.string(), z.instanceof(Uint8Array)]);
const uint = z.number().int().min(0);
const qos = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const version = z.union([z.literal(3), z.literal(4), z.literal(5)]);
const direction = z.enum(['toBroker', 'toClient']);
const none = z.object({});
const id = z.object({ id: nonEmpty });
const seq = z.object({ seq: z.number().int() });

const userProperties = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

const messageProperties = {
  payloadFormatIndicator: z.boolean().optional(),
  messageExpiryInterval: uint.optional(),
  contentType: text.optional(),
  responseTopic: text.optional(),
  correlationData: bytes.optional(),
  userProperties: userProperties.optional(),
  topicAlias: uint.optional(),
  subscriptionIdentifier: z.union([uint, z.array(uint)]).optional(),
};

const clientOptions = z.object({
  clientId: text.optional(),
  protocolVersion: version.optional(),
  clean: z.boolean().optional(),
  keepalive: uint.max(65535).optional(),
  username: text.optional(),
  password: bytes.optional(),
  will: z.object({
    topic: text,
    payload: bytes,
    qos: qos.optional(),
    retain: z.boolean().optional(),
    properties: z.object({ ...messageProperties, willDelayInterval: uint.optional() }).optional(),
  }).optional(),
  sessionExpiryInterval: uint.optional(),
  transport: z.enum(['tcp', 'tls', 'ws', 'wss']).optional(),
  properties: z.object({
    receiveMaximum: uint.optional(),
    maximumPacketSize: uint.optional(),
    topicAliasMaximum: uint.optional(),
    requestResponseInformation: z.boolean().optional(),
    requestProblemInformation: z.boolean().optional(),
    userProperties: userProperties.optional(),
    authenticationMethod: text.optional(),
    authenticationData: bytes.optional(),
  }).optional(),
  connectTimeoutMs: uint.optional(),
});

const subscription = z.object({
  filter: nonEmpty,
  qos: qos.optional(),
  nl: z.boolean().optional(),
  rap: z.boolean().optional(),
  rh: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
});

const faultRule = z.object({
  id: nonEmpty.optional(),
  match: z.object({
    direction: direction.optional(),
    type: text.optional(),
    clientId: text.optional(),
    topic: text.optional(),
    qos: qos.optional(),
    nth: z.number().int().min(1).optional(),
  }),
  action: z.enum(['drop', 'delay', 'hold', 'corrupt', 'sever']),
  ms: uint.optional(),
  times: z.number().int().min(1).optional(),
  field: text.optional(),
});

const aclRule = z.object({
  user: text.optional(),
  clientId: text.optional(),
  topic: nonEmpty,
  access: z.enum(['publish', 'subscribe', 'both']),
  allow: z.boolean(),
});

const classQuery = z.object({ search: text.optional(), prefix: text.optional(), lessonId: text.optional() });

type Schemas = { [K in CommandName]: z.ZodType<ParamsOf<K>> };

export const PARAM_SCHEMAS: Schemas = {
  'lab.status': none,
  'packets.query': z.object({
    connId: z.number().int().optional(),
    clientId: text.optional(),
    type: text.optional(),
    topic: text.optional(),
    direction: direction.optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    afterSeq: z.number().int().optional(),
    limit: uint.optional(),
    filter: text.max(4096).optional(),
  }),
  'packets.window': z.object({ filter: text.max(4096).optional(), offset: uint, limit: uint.max(10_000) }),
  'packets.indexOf': z.object({ seq: z.number().int(), filter: text.max(4096).optional() }),
  'packets.get': seq,
  'packets.getMany': z.object({ seqs: z.array(z.number().int()).max(10_000) }),
  'packets.clear': none,
  'capture.digest': z.object({ messages: uint.max(1000).optional(), times: z.array(z.number()).max(2000).optional() }),
  'capture.save': z.object({ brokerPort: uint.min(1).max(65535).optional() }),
  'capture.saveStart': z.object({ brokerPort: uint.min(1).max(65535).optional() }),
  'capture.saveRead': z.object({ saveId: nonEmpty.max(100) }),
  'capture.saveCancel': z.object({ saveId: nonEmpty.max(100) }),
  'capture.open': z.object({ pcapng: nonEmpty, ports: z.array(uint.max(65535)).optional() }),
  'clients.list': none,
  'clients.create': z.object({ id: nonEmpty, options: clientOptions.optional() }),
  'clients.connect': id,
  'clients.publish': z.object({
    id: nonEmpty,
    topic: text,
    payload: bytes,
    qos: qos.optional(),
    retain: z.boolean().optional(),
    properties: z.object(messageProperties).optional(),
  // An empty topic only with a Topic Alias standing for it: MQTT 5's publish by alias (§3.3.2.1).
  }).refine((p) => p.topic !== '' || p.properties?.topicAlias !== undefined, { path: ['topic'], message: 'must not be empty (unless a topicAlias stands for it)' }),
  'clients.subscribe': z.object({ id: nonEmpty, subscriptions: z.array(subscription).min(1, 'must list at least one filter') }),
  'clients.unsubscribe': z.object({ id: nonEmpty, filters: z.array(nonEmpty).min(1, 'must list at least one filter') }),
  'clients.disconnect': id,
  'clients.kill': id,
  'clients.reconnect': id,
  'clients.remove': id,
  'clients.messages': id,
  'faults.list': none,
  'faults.add': faultRule,
  'faults.remove': id,
  'faults.clear': none,
  'step.set': z.object({ on: z.boolean(), pings: z.boolean().optional() }),
  'step.next': none,
  'step.release': seq,
  'step.releaseAll': none,
  'connections.list': none,
  'connections.sever': z.object({ connId: z.number().int() }),
  'connections.find': z.object({
    search: text.optional(),
    prefix: text.optional(),
    group: text.optional(),
    state: z.enum(['open', 'connected', 'closed']).optional(),
    idleFor: uint.optional(),
    activeWithin: uint.optional(),
    limit: z.number().int().min(1).optional(),
  }),
  'connections.groups': z.object({ activeWithin: uint.optional() }),
  'transport.units': z.object({ connId: z.number().int() }),
  'transport.forPacket': seq,
  'http.post': z.object({ client: nonEmpty, body: text }),
  'http.poll': z.object({ client: nonEmpty, everyMs: z.number().int().min(1), forMs: uint }),
  'http.dropNextReadings': none,
  'http.reset': none,
  'broker.configure': z.object({ users: z.record(z.string(), z.string()).optional(), acl: z.array(aclRule).optional() }),
  'lessons.list': none,
  'lessons.reload': none,
  'lessons.get': id,
  'lessons.start': z.object({ id: nonEmpty, graded: z.boolean().optional(), resume: z.boolean().optional() }),
  'lessons.next': none,
  'lessons.answer': z.object({
    step: z.number().int().min(0),
    choice: z.number().int().min(0).optional(),
    text: z.string().max(10_000).optional(),
  }).refine((a) => a.choice !== undefined || a.text !== undefined, 'an answer needs a choice or a text'),
  'lessons.choose': z.object({ step: z.number().int().min(0), value: z.string().max(10_000) }),
  'lessons.rerun': z.object({ step: z.number().int().min(0) }),
  'lessons.close': z.object({ id: nonEmpty.optional() }),
  'progress.get': id,
  'progress.clear': id,
  'progress.predict': z.object({ id: nonEmpty, step: z.number().int().min(0), choice: z.number().int().min(0) }),
  'progress.summaries': none,
  'student.get': none,
  'student.set': z.object({ name: text.max(200, 'a name has at most 200 characters') }),
  'report.build': id,
  'class.table': classQuery,
  'class.csv': classQuery,
  'class.clear': none,
};

/** A command name a caller may use: an own key of the table, so `constructor` or `toString` are not commands. */
export function isCommand(method: unknown): method is CommandName {
  return typeof method === 'string' && Object.hasOwn(PARAM_SCHEMAS, method);
}

/**
 * Checks a call as it arrives from a transport. Returns the params to pass on (as given: the schema checks, it
 * does not rewrite); throws an Error whose message names the command and every field that is wrong.
 */
export function checkCall(method: unknown, params: unknown): { method: CommandName; params: unknown } {
  if (!isCommand(method)) {
    throw new Error(typeof method === 'string' ? `unknown command '${method.slice(0, 100)}'` : 'a call needs a command name');
  }
  const given = params ?? {};
  const r = PARAM_SCHEMAS[method].safeParse(given);
  if (!r.success) throw new Error(`${method}: ${describeIssues(r.error.issues)}`);
  return { method, params: given };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 5).map((i) => `${i.path.length === 0 ? 'params' : i.path.join('.')}: ${i.message}`);
  if (issues.length > 5) parts.push(`and ${issues.length - 5} more`);
  return parts.join('; ');
}
