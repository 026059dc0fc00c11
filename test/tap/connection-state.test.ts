// The tap's conclusions about a connection, as pure functions: order findings and how it ended.
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import {
  clientPacket, connectCounts, ended, errorSeen, finalEnd, FRESH, howItEnded, OPENED, packetSeen, type ConnState, type OrderState, type Seen,
} from '../../src/core/tap/connection-state.js';
import { packetFacts } from '../../src/core/tap/packet-facts.js';
import type { Direction } from '../../src/shared/lab.js';

/** Feeds first bytes in order; returns each finding's spec rule (or null) and the final state. */
function feed(...firstBytes: number[]): { refs: Array<string | null>; state: OrderState } {
  let state = OPENED;
  const refs: Array<string | null> = [];
  for (const b of firstBytes) {
    const r = clientPacket(state, b);
    state = r.state;
    refs.push(r.finding?.specRef ?? null);
  }
  return { refs, state };
}

describe('order of a client\'s packets', () => {
  it('CONNECT first, then anything: no finding', () => {
    expect(feed(0x10, 0x30, 0x82, 0xc0, 0xe0).refs).toEqual([null, null, null, null, null]);
  });

  it('MQTT-3.1.0-1: a first packet that is not CONNECT, named in the message; only the first is flagged', () => {
    const first = clientPacket(OPENED, 0x30);
    expect(first.finding).toEqual({ message: 'PUBLISH before CONNECT: the first packet from a client must be CONNECT', specRef: 'MQTT-3.1.0-1' });
    expect(feed(0xc0, 0x30, 0x10).refs).toEqual(['MQTT-3.1.0-1', null, null]);
  });

  it('MQTT-3.1.0-2: every CONNECT after the first; only the first teaches the connection', () => {
    const { refs, state } = feed(0x10, 0x30, 0x10, 0x10);
    expect(refs).toEqual([null, null, 'MQTT-3.1.0-2', 'MQTT-3.1.0-2']);
    expect(state.connects).toBe(3);
    expect(connectCounts(feed(0x10).state)).toBe(true);
    expect(connectCounts(state)).toBe(false);
  });
});

describe('how a connection ended', () => {
  const base = { closedBy: 'toClient' as const, sawError: false, lastReceivedBroken: false, keepaliveS: 0, silentMs: 0 };

  it('a protocol error wins over who closed', () => {
    expect(howItEnded({ ...base, sawError: true })).toBe('protocol-error');
    expect(howItEnded({ ...base, closedBy: 'toBroker', lastReceivedBroken: true })).toBe('protocol-error');
  });

  it('the client hanging up is the client closing', () => {
    expect(howItEnded({ ...base, closedBy: 'toBroker', keepaliveS: 1, silentMs: 10_000 })).toBe('client-closed');
  });

  it('MQTT-3.1.2-24: the broker closing after 1.5 × keepalive of silence enforces keepalive, not before', () => {
    expect(howItEnded({ ...base, keepaliveS: 2, silentMs: 3000 })).toBe('keepalive-timeout');
    expect(howItEnded({ ...base, keepaliveS: 2, silentMs: 2750 })).toBe('keepalive-timeout');
    expect(howItEnded({ ...base, keepaliveS: 2, silentMs: 2749 })).toBe('broker-closed');
    expect(howItEnded({ ...base, keepaliveS: 0, silentMs: 1e9 })).toBe('broker-closed');
  });
});

describe('the connection-state reducer, on real packets\' facts', () => {
  const facts = (p: Parameters<typeof generate>[0], v: 3 | 4 | 5 = 4) => packetFacts(generate(p, { protocolVersion: v }), v)!;
  const CONNECT5 = facts({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: false, clientId: 'five', keepalive: 30 }, 5);
  const CONNECT4 = facts({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'four', keepalive: 0 });
  const CONNACK_OK = facts({ cmd: 'connack', returnCode: 0, sessionPresent: false });
  const CONNACK_NO = facts({ cmd: 'connack', returnCode: 5, sessionPresent: false });
  const PUBLISH = facts({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 0, dup: false, retain: false });
  const DISCONNECT = facts({ cmd: 'disconnect' });
  const run = (...steps: Array<[Direction, ReturnType<typeof facts>]>): { state: ConnState; seen: Seen[] } => {
    let state = FRESH;
    const seen = steps.map(([d, f]) => {
      const r = packetSeen(state, d, f) ?? { state, finding: null, identified: false, accepted: false, judge: undefined };
      state = r.state;
      return r;
    });
    return { state, seen };
  };

  it('learns version, client id, keepalive and what to judge the CONNACK by from the first CONNECT', () => {
    const { state, seen } = run(['toBroker', CONNECT5], ['toClient', CONNACK_OK]);
    expect(seen[0]).toMatchObject({ identified: true, finding: null, accepted: false });
    expect(state).toMatchObject({ version: 5, clientId: 'five', keepaliveS: 30, connect: { clientId: 'five', version: 5, clean: false }, connected: true });
    expect(seen[1]).toMatchObject({ accepted: true, judge: { clientId: 'five', version: 5, clean: false } });
  });

  it('a refused CONNACK is judged but does not connect', () => {
    const { state, seen } = run(['toBroker', CONNECT4], ['toClient', CONNACK_NO]);
    expect(seen[1]).toMatchObject({ accepted: false, judge: { clientId: 'four' } });
    expect(state.connected).toBe(false);
  });

  it('MQTT-3.1.0-2: a second CONNECT is flagged and teaches nothing', () => {
    const { state, seen } = run(['toBroker', CONNECT4], ['toBroker', CONNECT5]);
    expect(seen[1]!.finding?.specRef).toBe('MQTT-3.1.0-2');
    expect(seen[1]!.identified).toBe(false);
    expect(state).toMatchObject({ version: 4, clientId: 'four', sawError: true });
  });

  it('MQTT-3.1.0-1: a PUBLISH first is flagged; a CONNECT after it still names the connection', () => {
    const { state, seen } = run(['toBroker', PUBLISH], ['toBroker', CONNECT4]);
    expect(seen[0]!.finding?.specRef).toBe('MQTT-3.1.0-1');
    expect(seen[1]).toMatchObject({ finding: null, identified: true });
    expect(state.sawError).toBe(true);
  });

  it('packets that change nothing give nothing to do', () => {
    const { state } = run(['toBroker', CONNECT4], ['toClient', CONNACK_OK]);
    expect(packetSeen(state, 'toBroker', PUBLISH)).toBeNull();
    expect(packetSeen(state, 'toClient', PUBLISH)).toBeNull();
    expect(packetSeen(FRESH, 'toClient', PUBLISH)).toBeNull();
    // The first packet from a client always counts: it may break MQTT-3.1.0-1.
    expect(packetSeen(FRESH, 'toBroker', PUBLISH)).not.toBeNull();
  });

  it('a broker\'s packets never count against the client\'s order', () => {
    expect(run(['toClient', PUBLISH], ['toBroker', CONNECT4]).seen.map((x) => x.finding)).toEqual([null, null]);
  });

  it('how it ended: a DISCONNECT, then a sever, stays a DISCONNECT; the first reason wins', () => {
    const { state } = run(['toBroker', CONNECT4], ['toClient', CONNACK_OK], ['toBroker', DISCONNECT]);
    expect(finalEnd(ended(state, 'severed'), undefined)).toBe('disconnect');
    expect(finalEnd(ended(FRESH, 'tap-limit', 'why'), undefined)).toBe('tap-limit');
    expect(ended(FRESH, 'tap-limit', 'why').endNote).toBe('why');
    expect(finalEnd(FRESH, undefined)).toBe('client-closed');
  });

  it('how it ended with no explanation of its own: from who closed, errors seen and keepalive', () => {
    const { state } = run(['toBroker', CONNECT5], ['toClient', CONNACK_OK]);
    const close = { closedBy: 'toClient' as const, lastReceivedBroken: false, silentMs: 45_000 };
    expect(finalEnd(state, close)).toBe('keepalive-timeout');
    expect(finalEnd(state, { ...close, silentMs: 1000 })).toBe('broker-closed');
    expect(finalEnd(errorSeen(state), close)).toBe('protocol-error');
    expect(finalEnd(state, { ...close, closedBy: 'toBroker' })).toBe('client-closed');
  });
});
