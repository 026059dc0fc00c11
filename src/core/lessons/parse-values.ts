// Values that recur across actions and expectations: client references, topics, packet types, field
// names and time windows. Each reads one node, reports what is wrong with it, and returns undefined then.
import type { PacketTypeName } from '../../shared/packet.js';
import { PACKET_TYPES } from '../dissect/spec.js';
import { topicFilterProblem, topicNameProblem } from '../dissect/topic-rules.js';
import type { ParseContext } from './scope.js';
import { didYouMean } from './suggest.js';
import { MAX_WITHIN_MS } from './vocabulary.js';
import type { Field, YNode } from './yaml-reader.js';

/** A lesson client id that must already have been created. */
export function clientRef(c: ParseContext, node: YNode, what: string): string | undefined {
  const id = c.r.text(node, what);
  if (id === undefined) return undefined;
  if (!c.scope.clients.has(id)) {
    c.r.report(node, `${what}: unknown client '${id}'${didYouMean(id, c.scope.clients.keys())}; create it first with \`client: { id: ${id} }\` in this or an earlier step`);
    return undefined;
  }
  return id;
}

export function topicName(c: ParseContext, node: YNode, what: string): string | undefined {
  const t = c.r.text(node, what);
  if (t === undefined) return undefined;
  const problem = topicNameProblem(t);
  if (problem !== null) {
    c.r.report(node, `${what}: '${t}' is not a valid topic name: ${problem}`);
    return undefined;
  }
  return t;
}

export function topicFilter(c: ParseContext, node: YNode, what: string): string | undefined {
  const t = c.r.text(node, what);
  if (t === undefined) return undefined;
  const problem = topicFilterProblem(t);
  if (problem !== null) {
    c.r.report(node, `${what}: '${t}' is not a valid topic filter: ${problem}`);
    return undefined;
  }
  return t;
}

/** `withHttp`: in expectations, HTTP requests and responses (http-post, http-poll) are packets too; fault rules act on MQTT only. */
export function packetType(c: ParseContext, node: YNode, what: string, withHttp = false): PacketTypeName | undefined {
  const t = c.r.text(node, what);
  if (t === undefined) return undefined;
  const upper = t.toUpperCase() as PacketTypeName;
  if (PACKET_TYPES.includes(upper) || (withHttp && upper === 'HTTP')) return upper;
  c.r.report(node, `${what}: unknown packet type '${t}'${didYouMean(upper, PACKET_TYPES)}; MQTT has ${PACKET_TYPES.slice(1).join(', ')}${withHttp ? ' (and HTTP for requests and responses)' : ''}`);
  return undefined;
}

export function fieldFilter(c: ParseContext, node: YNode, what: string): string | undefined {
  const f = c.r.text(node, what);
  if (f === undefined) return undefined;
  return checkFieldName(c, node, f, what);
}

export function checkFieldName(c: ParseContext, node: YNode, name: string, what: string): string | undefined {
  if (c.filters.has(name)) return name;
  c.r.report(node, `${what}: unknown field filter name '${name}'${didYouMean(name, c.filters)}`);
  return undefined;
}

export function within(c: ParseContext, node: YNode, what: string, fallback: number): number {
  if (node === undefined) return fallback;
  return c.r.int(node, `${what}: within`, 1, MAX_WITHIN_MS, ' ms') ?? fallback;
}

/**
 * An item of `do:` or `expect:`: a mapping with exactly one key naming what it is. A second key is
 * nearly always an indentation slip (`qos: 1` level with `publish:` instead of under it).
 */
export function singleKey<K extends string>(c: ParseContext, node: YNode, what: string, kinds: readonly K[]): { kind: K; key: YNode; value: YNode } | undefined {
  const m = c.r.map(node, what);
  if (m === undefined) return undefined;
  const [first, ...rest] = m.items;
  if (first === undefined) {
    c.r.report(node, `${what} is empty; expected one of ${kinds.join(', ')}`);
    return undefined;
  }
  const key = first.key as YNode;
  const name = c.r.text(key, what);
  if (name === undefined) return undefined;
  const kind = kinds.find((k) => k === name);
  if (kind === undefined) {
    c.r.report(key, `unknown ${what} '${name}'${didYouMean(name, kinds)}; expected one of ${kinds.join(', ')}`);
    return undefined;
  }
  for (const extra of rest) {
    c.r.report(extra.key as YNode, `${what} '${name}' has a second key '${c.r.text(extra.key as YNode, what) ?? '?'}': each item is one ${what}; indent its settings under '${name}:'`);
  }
  return { kind, key, value: first.value as YNode };
}

/** Reads `key` of a mapping when present; a key with no value is reported here once. */
export function optional<T>(c: ParseContext, f: Map<string, Field>, key: string, read: (n: YNode) => T | undefined): T | undefined {
  const field = f.get(key);
  if (field === undefined) return undefined;
  if (c.r.isNull(field.value)) {
    c.r.report(field.key, `${key} needs a value`);
    return undefined;
  }
  return read(field.value);
}

export function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
