import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '../../src/shared/api.js';
import { WsLabApi, apiUrlFromLocation, type LinkStatus } from '../../src/renderer/lib/transport-ws.js';
import { FrameEncoder } from '../../src/shared/event-stream/index.js';

/** A stream frame as the server's sender writes it. */
function frame(events: Array<[string, unknown]>): string {
  const enc = new FrameEncoder();
  for (const [event, data] of events) enc.addEvent(event, data);
  return enc.finish();
}

/** Just enough of a browser WebSocket for the transport: the test plays the server. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(s: string): void {
    this.sent.push(JSON.parse(s));
  }
  close(): void {
    this.drop(1000);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  push(f: ServerFrame | string): void {
    this.onmessage?.({ data: typeof f === 'string' ? f : JSON.stringify(f) });
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function make(): { api: WsLabApi; statuses: LinkStatus[] } {
  const api = new WsLabApi({ url: 'ws://x/api?token=t', minDelayMs: 100, maxDelayMs: 400, socketFactory: (u) => new FakeSocket(u) as unknown as WebSocket });
  const statuses: LinkStatus[] = [];
  api.onStatus((s) => statuses.push(s));
  return { api, statuses };
}

describe('LabApi over WebSocket', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('takes the token from the page URL', () => {
    expect(apiUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:8080', search: '?token=a%2Bb' } as Location)).toBe('ws://127.0.0.1:8080/api?token=a%2Bb');
    expect(apiUrlFromLocation({ protocol: 'https:', host: 'h', search: '' } as Location)).toBe('wss://h/api?token=');
  });

  it('queues calls until the socket opens, then matches results by id', async () => {
    const { api } = make();
    const ws = FakeSocket.all[0]!;
    const status = api.call('lab.status', {});
    expect(ws.sent).toEqual([]);
    ws.open();
    expect(ws.sent).toEqual([{ kind: 'call', id: 1, method: 'lab.status', params: {} }]);
    const list = api.call('clients.list', {});
    ws.push({ kind: 'result', id: 2, ok: true, result: [] });
    ws.push({ kind: 'result', id: 1, ok: false, error: 'nope' });
    await expect(list).resolves.toEqual([]);
    await expect(status).rejects.toThrow('nope');
  });

  it('delivers events to their listeners until unsubscribed', () => {
    const { api } = make();
    const ws = FakeSocket.all[0]!;
    ws.open();
    const got: unknown[] = [];
    const off = api.on('cleared', (d) => got.push(d));
    ws.push(frame([['cleared', null]]));
    off();
    ws.push(frame([['cleared', null]]));
    expect(got).toEqual([null]);
  });

  it('unpacks a frame of events in order, missed markers included, and pays its credit back after', () => {
    const { api } = make();
    const ws = FakeSocket.all[0]!;
    ws.open();
    const got: unknown[] = [];
    api.on('step', (d) => got.push(d));
    api.on('cleared', () => got.push('cleared'));
    api.on('missed', (m) => got.push(m));
    ws.push(frame([['step', { on: true, waiting: [1] }], ['cleared', null], ['missed', { fromSeq: 5, toSeq: 9 }], ['step', { on: false, waiting: [] }]]));
    ws.push(frame([['cleared', null]]));
    expect(got).toEqual([{ on: true, waiting: [1] }, 'cleared', { fromSeq: 5, toSeq: 9 }, { on: false, waiting: [] }, 'cleared']);
    expect(ws.sent).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(ws.sent).toEqual([{ kind: 'credit', n: 2 }]);
  });

  it('rejects calls in flight when the socket closes, and reconnects with growing delays', async () => {
    const { api, statuses } = make();
    FakeSocket.all[0]!.open();
    const pending = api.call('lab.status', {});
    FakeSocket.all[0]!.drop(1006);
    await expect(pending).rejects.toThrow('lost');
    expect(statuses.at(-1)).toMatchObject({ state: 'closed', retryInMs: 100 });
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop(1006);
    expect(statuses.at(-1)).toMatchObject({ state: 'closed', retryInMs: 200 });
    vi.advanceTimersByTime(200);
    FakeSocket.all[2]!.drop(1006);
    vi.advanceTimersByTime(400);
    FakeSocket.all[3]!.drop(1006);
    expect(statuses.at(-1)).toMatchObject({ retryInMs: 400 });
    vi.advanceTimersByTime(400);
    // Open again: the generation moves on (views resync) and the backoff starts over.
    FakeSocket.all[4]!.open();
    expect(statuses.at(-1)).toMatchObject({ state: 'open', generation: 2 });
    FakeSocket.all[4]!.drop(1006);
    expect(statuses.at(-1)).toMatchObject({ retryInMs: 100 });
  });

  it('says when the server refused the token', () => {
    const { statuses } = make();
    FakeSocket.all[0]!.drop(1008);
    expect(statuses.at(-1)!.reason).toContain('token');
  });

  it('rejects new calls once closed on purpose', async () => {
    const { api } = make();
    FakeSocket.all[0]!.open();
    api.close();
    await expect(api.call('lab.status', {})).rejects.toThrow('closed');
  });
});

describe('a lost lab server', () => {
  beforeEach(() => {
    FakeSocket.all = [];
  });

  function withProbe(status: number): { api: WsLabApi; statuses: LinkStatus[] } {
    const api = new WsLabApi({
      url: 'ws://x/api?token=t',
      minDelayMs: 100,
      maxDelayMs: 400,
      socketFactory: (u) => new FakeSocket(u) as unknown as WebSocket,
      probe: () => Promise.resolve(status),
    });
    const statuses: LinkStatus[] = [];
    api.onStatus((s) => statuses.push(s));
    return { api, statuses };
  }

  it('stops retrying and says the lab restarted when the server refuses the token (403)', async () => {
    const { api, statuses } = withProbe(403);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop(1006);
    // The reconnect attempt fails its handshake; the probe finds a 403.
    await vi.waitFor(() => expect(FakeSocket.all.length).toBe(2), { timeout: 2000 });
    FakeSocket.all[1]!.drop(1006);
    await vi.waitFor(() => expect(statuses.at(-1)).toMatchObject({ state: 'closed', refused: true }));
    await new Promise((r) => setTimeout(r, 500));
    expect(FakeSocket.all.length).toBe(2);
    await expect(api.call('lab.status', {})).rejects.toThrow(/not connected|restarted/);
    api.close();
  });

  it('counts down to the next attempt while the server does not answer, and refuses calls meanwhile', async () => {
    const { api, statuses } = withProbe(0);
    FakeSocket.all[0]!.drop(1006);
    await vi.waitFor(() => expect(statuses.at(-1)).toMatchObject({ state: 'closed', reason: 'the lab is not running' }));
    const s = statuses.at(-1)!;
    expect(s.retryAt! - Date.now()).toBeGreaterThan(0);
    expect(s.retryAt! - Date.now()).toBeLessThanOrEqual(s.retryInMs!);
    await expect(api.call('lab.status', {})).rejects.toThrow('The lab is not connected (the lab is not running)');
    api.close();
  });
});
