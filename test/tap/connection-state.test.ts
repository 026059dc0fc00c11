// The tap's conclusions about a connection, as pure functions: order findings and how it ended.
import { describe, expect, it } from 'vitest';
import { clientPacket, connectCounts, howItEnded, OPENED, type OrderState } from '../../src/core/tap/connection-state.js';

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
