import type { Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/core/clients/session-store.js';

function readAll(store: SessionStore): Promise<Packet[]> {
  return new Promise((resolve, reject) => {
    const out: Packet[] = [];
    const stream = store.createStream();
    stream.on('data', (p: Packet) => out.push(p));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

const publish = (messageId: number, qos: 1 | 2 = 1): Packet => ({ cmd: 'publish', messageId, qos, dup: false, retain: false, topic: 't', payload: Buffer.from('x') });

describe('SessionStore', () => {
  it('hands stored PUBLISH packets out for re-sending with DUP=1, and PUBREL unchanged', async () => {
    const store = new SessionStore();
    store.put(publish(1), () => undefined);
    store.put({ cmd: 'pubrel', messageId: 2 }, () => undefined);
    const out = await readAll(store);
    expect(out).toEqual([{ ...publish(1), dup: true }, { cmd: 'pubrel', messageId: 2 }]);
    // The stored packet itself is untouched: the DUP flag belongs to the re-send.
    store.get({ messageId: 1 }, (_e, p) => expect((p as { dup: boolean }).dup).toBe(false));
  });

  it('replaces a PUBLISH by the PUBREL with the same packet id (QoS 2 after PUBREC)', async () => {
    const store = new SessionStore();
    store.put(publish(9, 2), () => undefined);
    store.put({ cmd: 'pubrel', messageId: 9 }, () => undefined);
    expect(await readAll(store)).toEqual([{ cmd: 'pubrel', messageId: 9 }]);
  });

  it('survives close() — the session outlives the connection — and empties on clear()', async () => {
    const store = new SessionStore();
    store.put(publish(3), () => undefined);
    store.close();
    expect(store.size).toBe(1);
    store.clear();
    expect(await readAll(store)).toEqual([]);
  });

  it('del and get report a missing packet id', () => {
    const store = new SessionStore();
    store.put(publish(4), () => undefined);
    store.del({ messageId: 4 }, (err, p) => {
      expect(err).toBeUndefined();
      expect(p?.messageId).toBe(4);
    });
    store.del({ messageId: 4 }, (err) => expect(err?.message).toBe('missing packet'));
    store.get({ messageId: 5 }, (err) => expect(err?.message).toBe('missing packet'));
  });
});
