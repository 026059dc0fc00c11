// Who may connect, publish and subscribe: the decisions behind the embedded broker's users and ACL options,
// kept apart from aedes so they can be tested and explained on their own.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AclAccess, AclRule } from '../../shared/lab.js';
import { filterCovers, filtersIntersect, topicMatches } from '../../shared/topic-filter.js';

/** CONNACK return codes of MQTT 3.1.1 Table 3.1 that authentication can give. */
export const BAD_USER_NAME_OR_PASSWORD = 4;
export const NOT_AUTHORIZED = 5;

export interface Principal {
  clientId: string;
  username?: string;
}

export class AccessPolicy {
  constructor(
    private readonly users: Readonly<Record<string, string>> | undefined,
    private readonly acl: readonly AclRule[] | undefined,
  ) {}

  /**
   * 0 when the client may connect, else the CONNACK code. Credentials that are present but wrong get 4 (bad
   * user name or password); no user name at all gets 5 (not authorized): the client did not try to log in.
   * mosquitto 2.0 answers 5 to both, which a lesson may point out.
   */
  authenticate(username: string | undefined, password: Uint8Array | undefined): number {
    if (this.users === undefined) return 0;
    if (username === undefined) return NOT_AUTHORIZED;
    const expected = Object.hasOwn(this.users, username) ? this.users[username] : undefined;
    if (expected === undefined || password === undefined) return BAD_USER_NAME_OR_PASSWORD;
    return sameSecret(password, Buffer.from(expected, 'utf8')) ? 0 : BAD_USER_NAME_OR_PASSWORD;
  }

  mayPublish(who: Principal, topic: string): boolean {
    return this.decide(who, 'publish', (rule) => topicMatches(rule.topic, topic), (rule) => topicMatches(rule.topic, topic));
  }

  /** Whether a message on `topic` may be delivered to `who` (checked per message, like mosquitto's read ACL). */
  mayReceive(who: Principal, topic: string): boolean {
    return this.decide(who, 'subscribe', (rule) => topicMatches(rule.topic, topic), (rule) => topicMatches(rule.topic, topic));
  }

  /**
   * A SUBSCRIBE is refused when a deny rule covers the whole filter, or no allow rule can ever deliver through
   * it. A filter that is only partly allowed (`#` with `a/secret` denied) is granted, and the messages the
   * client may not read are withheld one by one (mayReceive).
   */
  maySubscribe(who: Principal, filter: string): boolean {
    return this.decide(who, 'subscribe', (rule) => filterCovers(rule.topic, filter), (rule) => filtersIntersect(rule.topic, filter));
  }

  get hasAcl(): boolean {
    return this.acl !== undefined;
  }

  private decide(
    who: Principal,
    action: Exclude<AclAccess, 'both'>,
    denies: (rule: AclRule) => boolean,
    allows: (rule: AclRule) => boolean,
  ): boolean {
    if (this.acl === undefined) return true;
    const rules = this.acl.filter((r) => applies(r, who) && (r.access === action || r.access === 'both'));
    if (rules.some((r) => !r.allow && denies(r))) return false;
    return rules.some((r) => r.allow && allows(r));
  }
}

function applies(rule: AclRule, who: Principal): boolean {
  if (rule.user !== undefined && rule.user !== who.username) return false;
  if (rule.clientId !== undefined && rule.clientId !== who.clientId) return false;
  return true;
}

/** Compare through fixed-length digests so the time taken says nothing about the password. */
function sameSecret(given: Uint8Array, expected: Uint8Array): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
