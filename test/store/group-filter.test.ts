// The class roster's "Only this group's packets": a prefix test on the client id in the display-filter
// language, evaluated by the core's filter views from the store's columns (no packet tree built).
import { describe, expect, it } from 'vitest';
import { generate, type Packet } from 'mqtt-packet';
import { CaptureStore, FilterViews } from '../../src/core/store/index.js';
import { lazyRecord } from '../../src/core/tap/lazy-record.js';
import { parseFilter } from '../../src/shared/filter/parse.js';
import { groupFilter } from '../../src/renderer/lib/client-filter.js';

/** One real CONNECT and PUBLISH per client id (undefined: a connection that sent no id), in that order. */
function classOf(ids: Array<string | undefined>): CaptureStore {
  const store = new CaptureStore(1000);
  ids.forEach((id, i) => {
    const connId = i + 1;
    if (id !== undefined) store.setClientId(connId, id);
    const packets: Packet[] = [
      { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: id ?? '' } as Packet,
      { cmd: 'publish', topic: `t/${i}`, payload: Buffer.from('1'), qos: 0, dup: false, retain: false } as Packet,
    ];
    for (const p of packets) store.append(lazyRecord({ time: i, connId, direction: 'toBroker', bytes: new Uint8Array(generate(p)) }, 4));
  });
  return store;
}

/** The client ids (or conn numbers) whose packets a filter shows. */
function shown(store: CaptureStore, filter: string): string[] {
  const views = new FilterViews(store);
  const ids = views.window(filter, 0, 1000).seqs.map((s) => store.clientIdOf(store.connIdOf(s)!) ?? `#${store.connIdOf(s)}`);
  return [...new Set(ids)];
}

describe('a group\'s packets by client-id prefix', () => {
  it('writes the filter a student would: lab.client matches "^prefix"', () => {
    expect(groupFilter('student-')).toBe('lab.client matches "^student-"');
    expect(groupFilter('conn #')).toBe('!lab.client');
    expect(parseFilter(groupFilter('student-'))).toMatchObject({ kind: 'compare', field: 'lab.client', op: 'matches' });
  });

  it('shows exactly the clients whose id starts with the prefix, from the store\'s columns alone', () => {
    const store = classOf(['student-1', 'student-2', 'lecturer', 'my-student-3', 'Student-4', 'student-10', undefined]);
    expect(shown(store, groupFilter('student-'))).toEqual(['student-1', 'student-2', 'student-10']);
    expect(shown(store, groupFilter('conn #'))).toEqual(['#7']);
    // Evaluated at summary level: the prefix test reads the client id column, never a packet's tree.
    expect(store.treesBuilt).toBe(0);
  });

  it('takes a prefix with regular-expression and string syntax in it literally', () => {
    const odd = ['a.b(1', 'axb(2', 'a.b(3', 'q"\\x', 'q"\\y', 'q"z', '[lab]|1', 'l|2'];
    const store = classOf(odd);
    expect(shown(store, groupFilter('a.b('))).toEqual(['a.b(1', 'a.b(3']);
    expect(shown(store, groupFilter('q"\\'))).toEqual(['q"\\x', 'q"\\y']);
    expect(shown(store, groupFilter('[lab]|'))).toEqual(['[lab]|1']);
    expect(store.treesBuilt).toBe(0);
  });
});
