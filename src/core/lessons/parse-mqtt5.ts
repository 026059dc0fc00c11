// The MQTT 5 words of the `do:` vocabulary: CONNECT properties of a client, the will delay, and the
// properties a PUBLISH carries. Each is refused for a client that does not speak MQTT 5, with the reason,
// because mqtt.js would otherwise drop them silently and the packets would not show what the lesson says.
import type { ConnectProperties, MessageProperties, UserProperties } from '../../shared/lab.js';
import { optional, setIf, topicName } from './parse-values.js';
import type { ParseContext } from './scope.js';
import type { Field, YNode } from './yaml-reader.js';

type Fields = Map<string, Field>;

/** Keys of `client:` that set CONNECT properties. */
export const CLIENT_V5_KEYS = ['receiveMaximum', 'topicAliasMaximum', 'userProperties'] as const;
/** Keys of `publish:` that set PUBLISH properties. */
export const PUBLISH_V5_KEYS = ['expiry', 'alias', 'responseTopic', 'correlationData', 'userProperties'] as const;

function notV5(c: ParseContext, f: Fields, keys: readonly string[], what: string, v5: boolean): void {
  if (v5) return;
  for (const k of keys) {
    const given = f.get(k);
    if (given !== undefined) c.r.report(given.key, `${what}: ${k} is MQTT 5 only; give the client version: 5`);
  }
}

export function connectProperties(c: ParseContext, f: Fields, v5: boolean): ConnectProperties | undefined {
  notV5(c, f, CLIENT_V5_KEYS, 'client', v5);
  const p: ConnectProperties = {};
  // Receive Maximum 0 is a protocol error (MQTT 5 §3.1.2.11.3), so 1 is the least.
  setIf(p, 'receiveMaximum', optional(c, f, 'receiveMaximum', (n) => c.r.int(n, 'client: receiveMaximum', 1, 65535)));
  setIf(p, 'topicAliasMaximum', optional(c, f, 'topicAliasMaximum', (n) => c.r.int(n, 'client: topicAliasMaximum', 0, 65535)));
  setIf(p, 'userProperties', optional(c, f, 'userProperties', (n) => userProperties(c, n, 'client: userProperties')));
  return Object.keys(p).length === 0 ? undefined : p;
}

/** `delay` of a will: the Will Delay Interval in seconds (§3.1.3.2.2). */
export function willDelay(c: ParseContext, f: Fields, v5: boolean): number | undefined {
  notV5(c, f, ['delay'], 'client: will', v5);
  return optional(c, f, 'delay', (n) => c.r.int(n, 'will: delay', 0, 4294967295, ' seconds'));
}

export function publishProperties(c: ParseContext, f: Fields, v5: boolean): MessageProperties | undefined {
  notV5(c, f, PUBLISH_V5_KEYS, 'publish', v5);
  const p: MessageProperties = {};
  setIf(p, 'messageExpiryInterval', optional(c, f, 'expiry', (n) => c.r.int(n, 'publish: expiry', 0, 4294967295, ' seconds')));
  // A Topic Alias of 0 is a protocol error [MQTT-3.3.2-8].
  setIf(p, 'topicAlias', optional(c, f, 'alias', (n) => c.r.int(n, 'publish: alias', 1, 65535)));
  setIf(p, 'responseTopic', optional(c, f, 'responseTopic', (n) => topicName(c, n, 'publish: responseTopic')));
  setIf(p, 'correlationData', optional(c, f, 'correlationData', (n) => c.r.text(n, 'publish: correlationData')));
  setIf(p, 'userProperties', optional(c, f, 'userProperties', (n) => userProperties(c, n, 'publish: userProperties')));
  return Object.keys(p).length === 0 ? undefined : p;
}

/** `userProperties: { unit: mmHg, ward: "7" }`: name → text, both UTF-8 strings on the wire. */
function userProperties(c: ParseContext, n: YNode, what: string): UserProperties | undefined {
  const m = c.r.map(n, what);
  if (m === undefined) return undefined;
  if (m.items.length === 0) {
    c.r.report(n, `${what} is empty; give at least one name: value`);
    return undefined;
  }
  const entries: Array<[string, string]> = [];
  for (const pair of m.items) {
    const name = c.r.text(pair.key as YNode, `${what}: a name`);
    const value = c.r.text(pair.value as YNode, `${what}: a value`);
    if (name === undefined || value === undefined) return undefined;
    entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}
