// The front matter between the --- lines at the top of a lesson: title (required), order, objectives,
// the broker capabilities the lesson needs, and the users and ACL the broker enforces while it runs.
import { isScalar } from 'yaml';
import type { AclRule } from '../../shared/lab.js';
import type { BrokerSetup } from '../../shared/lesson.js';
import { topicFilterProblem } from '../dissect/topic-rules.js';
import type { Reader, YNode } from './yaml-reader.js';
import { ACL_ACCESS, ACL_RULE_KEYS, BROKER_KEYS, FRONT_MATTER_KEYS, REQUIREMENTS } from './vocabulary.js';

export interface FrontMatter {
  title?: string;
  order?: number;
  objectives: string[];
  requires: string[];
  broker?: BrokerSetup;
  /** `broker: mosquitto`: the lesson runs on the system mosquitto rather than the embedded aedes. */
  runsOn?: 'mosquitto';
}

export function readFrontMatter(r: Reader, root: YNode): FrontMatter {
  const out: FrontMatter = { objectives: [], requires: [] };
  const at = { line: 1, col: 1 };
  if (r.isNull(root)) {
    r.report(at, "the front matter needs 'title'");
    return out;
  }
  const f = r.fields(root, 'front matter', FRONT_MATTER_KEYS, ['title'], at);
  if (f === undefined) return out;
  const get = (k: string): YNode => f.get(k)?.value;
  if (f.has('title')) {
    const title = r.text(get('title'), 'title', r.at(f.get('title')!.key));
    if (title !== undefined && title.trim() === '') r.report(get('title'), 'title is empty');
    else if (title !== undefined) out.title = title;
  }
  if (f.has('order')) {
    const order = r.int(get('order'), 'order', 0, 10_000);
    if (order !== undefined) out.order = order;
  }
  if (f.has('objectives')) {
    for (const n of r.items(get('objectives'), 'objectives', true) ?? []) {
      const o = r.text(n, 'objectives: item');
      if (o !== undefined) out.objectives.push(o);
    }
  }
  if (f.has('requires')) {
    for (const n of r.items(get('requires'), 'requires', true) ?? []) {
      const req = r.choice(n, 'requires', REQUIREMENTS);
      if (req !== undefined) out.requires.push(req);
    }
  }
  if (f.has('broker')) {
    const node = get('broker');
    // `broker: mosquitto` names the broker; a mapping gives the embedded broker users and an ACL.
    if (isScalar(node) && typeof node.value === 'string') {
      const kind = r.choice(node, 'broker', ['mosquitto'] as const);
      if (kind !== undefined) out.runsOn = kind;
    } else {
      const broker = readBroker(r, node, r.at(f.get('broker')!.key));
      if (broker !== undefined) out.broker = broker;
    }
  }
  return out;
}

/**
 * `broker: { users: { hans: letmein }, acl: [ { user: hans, topic: "home/#", access: both, allow: true } ] }`.
 * Returns undefined when anything in it is wrong: a lesson never runs with half of its security setup.
 */
function readBroker(r: Reader, node: YNode, at: { line: number; col: number }): BrokerSetup | undefined {
  if (r.isNull(node)) {
    r.report(at, "broker needs 'users', 'acl' or both");
    return undefined;
  }
  const f = r.fields(node, 'broker', BROKER_KEYS, [], at);
  if (f === undefined) return undefined;
  if (f.size === 0) {
    r.report(at, "broker needs 'users', 'acl' or both");
    return undefined;
  }
  let ok = true;
  const setup: BrokerSetup = {};
  const users = f.get('users');
  if (users !== undefined) {
    const read = readUsers(r, users.value, r.at(users.key));
    if (read === undefined) ok = false;
    else setup.users = read;
  }
  const acl = f.get('acl');
  if (acl !== undefined) {
    const rules: AclRule[] = [];
    let items: YNode[] | undefined;
    if (r.isNull(acl.value)) r.report(acl.key, 'broker: acl needs a list of rules');
    else items = r.items(acl.value, 'broker: acl');
    if (items === undefined) ok = false;
    for (const item of items ?? []) {
      const rule = readAclRule(r, item, setup.users);
      if (rule === undefined) ok = false;
      else rules.push(rule);
    }
    setup.acl = rules;
  }
  return ok ? setup : undefined;
}

function readUsers(r: Reader, node: YNode, at: { line: number; col: number }): Record<string, string> | undefined {
  if (r.isNull(node)) {
    r.report(at, 'broker: users needs at least one user, as name: password');
    return undefined;
  }
  const m = r.map(node, 'broker: users');
  if (m === undefined) return undefined;
  if (m.items.length === 0) {
    r.report(node, 'broker: users needs at least one user, as name: password');
    return undefined;
  }
  const entries: Array<[string, string]> = [];
  let ok = true;
  for (const pair of m.items) {
    const key = pair.key as YNode;
    const name = r.text(key, 'broker: users: a user name');
    if (name === undefined) {
      ok = false;
      continue;
    }
    if (name === '') {
      r.report(key, 'broker: users: a user name must not be empty');
      ok = false;
      continue;
    }
    const value = pair.value as YNode;
    if (r.isNull(value)) {
      r.report(key, `broker: users: '${name}' needs a password (write "" for an empty one)`);
      ok = false;
      continue;
    }
    const password = r.text(value, `broker: users: the password of '${name}'`);
    if (password === undefined) ok = false;
    else entries.push([name, password]);
  }
  // fromEntries defines own properties, so even a user called __proto__ is just a user.
  return ok ? Object.fromEntries(entries) : undefined;
}

function readAclRule(r: Reader, node: YNode, users: Record<string, string> | undefined): AclRule | undefined {
  const f = r.fields(node, 'broker: acl rule', ACL_RULE_KEYS, ['topic', 'access', 'allow']);
  if (f === undefined) return undefined;
  let ok = ['topic', 'access', 'allow'].every((k) => f.has(k));
  const text = (key: 'user' | 'clientId' | 'topic'): string | undefined => {
    const field = f.get(key);
    if (field === undefined) return undefined;
    const v = r.text(field.value, `broker: acl: ${key}`, r.at(field.key));
    if (v === undefined) ok = false;
    return v;
  };
  const user = text('user');
  if (user !== undefined && users !== undefined && !Object.hasOwn(users, user)) {
    r.report(f.get('user')!.value, `broker: acl: user '${user}' is not one of the broker's users (${Object.keys(users).join(', ')})`);
    ok = false;
  }
  const clientId = text('clientId');
  const topic = text('topic');
  if (topic !== undefined) {
    const problem = topicFilterProblem(topic);
    if (problem !== null) {
      r.report(f.get('topic')!.value, `broker: acl: topic '${topic}' is not a valid topic filter: ${problem}`);
      ok = false;
    }
  }
  const accessField = f.get('access');
  const access = accessField === undefined ? undefined : r.choice(accessField.value, 'broker: acl: access', ACL_ACCESS);
  if (accessField !== undefined && access === undefined) ok = false;
  const allowField = f.get('allow');
  const allow = allowField === undefined ? undefined : r.bool(allowField.value, 'broker: acl: allow');
  if (allowField !== undefined && allow === undefined) ok = false;
  if (!ok || topic === undefined || access === undefined || allow === undefined) return undefined;
  const rule: AclRule = { topic, access, allow };
  if (user !== undefined) rule.user = user;
  if (clientId !== undefined) rule.clientId = clientId;
  return rule;
}
