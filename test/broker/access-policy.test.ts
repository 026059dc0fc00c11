import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../src/core/broker/access-policy.js';

describe('AccessPolicy.authenticate', () => {
  const policy = new AccessPolicy({ alice: 'secret' }, undefined);
  const bytes = (s: string): Uint8Array => Buffer.from(s);

  it('accepts the right password', () => expect(policy.authenticate('alice', bytes('secret'))).toBe(0));
  it('answers 4 to a wrong password or an unknown user', () => {
    expect(policy.authenticate('alice', bytes('nope'))).toBe(4);
    expect(policy.authenticate('mallory', bytes('secret'))).toBe(4);
    expect(policy.authenticate('alice', undefined)).toBe(4);
  });
  it('answers 5 to a client without a user name', () => expect(policy.authenticate(undefined, undefined)).toBe(5));
  it('lets everyone in without users', () => expect(new AccessPolicy(undefined, undefined).authenticate(undefined, undefined)).toBe(0));
  it('does not take inherited names for users', () => expect(policy.authenticate('constructor', bytes('x'))).toBe(4));
});

describe('AccessPolicy ACL', () => {
  const policy = new AccessPolicy(undefined, [
    { topic: 'public/#', access: 'both', allow: true },
    { user: 'alice', topic: 'home/#', access: 'both', allow: true },
    { user: 'alice', topic: 'home/secret', access: 'both', allow: false },
    { clientId: 'sensor-1', topic: 'sensors/1/#', access: 'publish', allow: true },
  ]);
  const alice = { clientId: 'a', username: 'alice' };
  const anon = { clientId: 'x' };

  it('denies what no rule allows', () => {
    expect(policy.mayPublish(anon, 'home/kitchen')).toBe(false);
    expect(policy.maySubscribe(anon, 'home/#')).toBe(false);
  });
  it('applies rules without user or client id to everybody', () => {
    expect(policy.mayPublish(anon, 'public/x')).toBe(true);
    expect(policy.mayPublish(alice, 'public/x')).toBe(true);
  });
  it('lets a deny rule win over an allow rule', () => {
    expect(policy.mayPublish(alice, 'home/kitchen')).toBe(true);
    expect(policy.mayPublish(alice, 'home/secret')).toBe(false);
    expect(policy.mayReceive(alice, 'home/secret')).toBe(false);
  });
  it('refuses a subscription only when no allowed message could ever flow through it', () => {
    expect(policy.maySubscribe(alice, 'home/secret')).toBe(false);
    expect(policy.maySubscribe(alice, 'home/#')).toBe(true); // granted; home/secret is withheld per message
    expect(policy.maySubscribe(alice, '#')).toBe(true);
    expect(policy.maySubscribe(alice, 'work/#')).toBe(false);
  });
  it('matches rules by client id and by access', () => {
    expect(policy.mayPublish({ clientId: 'sensor-1' }, 'sensors/1/temp')).toBe(true);
    expect(policy.mayPublish({ clientId: 'sensor-2' }, 'sensors/1/temp')).toBe(false);
    expect(policy.maySubscribe({ clientId: 'sensor-1' }, 'sensors/1/#')).toBe(false);
  });
  it('allows everything without an ACL', () => {
    const open = new AccessPolicy(undefined, undefined);
    expect(open.mayPublish(anon, 'a')).toBe(true);
    expect(open.maySubscribe(anon, '#')).toBe(true);
  });
});
