// The Lab's command handlers, one per name in LabCommands. Parameters arrive from untrusted transports
// (a WebSocket, IPC), so each handler checks what it relies on and fails with a sentence, never a crash.
import type { CommandName, LabCommands, PacketQuery, ParamsOf, ResultOf, WirePacket } from '../../shared/api.js';
import type { LabParts } from './lab-parts.js';
import { CaptureDigestCache } from './capture-digest.js';
import { CaptureDownloads } from './capture-downloads.js';
import { captureOpen, captureSaveBase64Async } from './capture-files.js';
import { wireMessage } from './wire.js';
import { classroomCommands } from './classroom-commands.js';

export type Handlers = { [K in CommandName]: (p: ParamsOf<K>) => Promise<ResultOf<K>> | ResultOf<K> };

export function need(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${what} is required`);
  return value;
}

function filters(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new Error(`${what} must list at least one filter`);
  return value.map((f, i) => need(f, `${what}[${i}]`));
}

export function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what} must be a number`);
  return value;
}

/** Rows of one page (packets.window) and packets of one getMany. */
const MAX_PAGE = 10_000;
/** Summaries one packets.query answers at most. */
const MAX_QUERY = 200_000;

function whole(value: unknown, what: string): number {
  const n = num(value, what);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number, not ${n}`);
  return n;
}

function brokerPortOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const port = whole(value, 'brokerPort');
  if (port < 1 || port > 65535) throw new Error(`brokerPort must be 1-65535, not ${port}`);
  return port;
}

function filterOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error('filter must be text');
  return value;
}

/**
 * The seqs a packets.query answers: the store's own field query, narrowed by a display filter when one is
 * given (its matches are kept per filter string, so paging forward with afterSeq costs a binary search).
 */
function queryPackets(lab: LabParts, q: PacketQuery): number[] {
  const limit = Math.min(q.limit ?? 10_000, MAX_QUERY);
  const filter = filterOf(q.filter);
  if (filter === undefined || filter.trim() === '') return lab.store.querySeqs({ ...q, limit });
  const matches = lab.views.seqsAfter(filter, q.afterSeq);
  const test = lab.store.matcher({ ...q, afterSeq: undefined, limit: undefined });
  const out: number[] = [];
  for (let i = 0; i < matches.length && out.length < limit; i++) if (test(matches[i]!)) out.push(matches[i]!);
  return out;
}

export function commandTable(lab: LabParts): Handlers {
  const c = lab.clients;
  const digest = new CaptureDigestCache(lab.store);
  const downloads = new CaptureDownloads(lab);
  return {
    'lab.status': () => lab.status(),
    'packets.query': async (q) => {
      await lab.views.prepare(filterOf(q?.filter));
      return queryPackets(lab, q ?? {}).map((s) => lab.summaryAt(s)!);
    },
    'packets.window': async (p) => {
      await lab.views.prepare(filterOf(p?.filter));
      const w = lab.views.window(filterOf(p?.filter), whole(p?.offset, 'offset'), Math.min(whole(p?.limit, 'limit'), MAX_PAGE));
      return { total: w.total, offset: w.offset, rows: w.seqs.map((s) => lab.summaryAt(s)!) };
    },
    'packets.indexOf': async (p) => {
      await lab.views.prepare(filterOf(p?.filter));
      return lab.views.indexOf(filterOf(p?.filter), num(p?.seq, 'seq'));
    },
    'packets.get': (p) => {
      const r = lab.store.get(num(p?.seq, 'seq'));
      return r === undefined ? null : lab.packet(r);
    },
    'packets.getMany': (p) => {
      if (!Array.isArray(p?.seqs)) throw new Error('seqs must be a list of packet numbers');
      if (p.seqs.length > MAX_PAGE) throw new Error(`at most ${MAX_PAGE} packets at once, not ${p.seqs.length}`);
      const out: WirePacket[] = [];
      for (const seq of p.seqs) {
        const r = lab.store.get(num(seq, 'seqs[]'));
        if (r !== undefined) out.push(lab.packet(r));
      }
      return out;
    },
    'packets.clear': () => {
      lab.store.clear();
      lab.transports.log.clear();
      // Connections outlive a cleared capture: their next packets still belong to the same named clients
      // (a live client must not turn into "conn #N" after Clear).
      for (const conn of lab.tap.connections()) if (conn.state !== 'closed' && conn.clientId !== undefined) lab.store.setClientId(conn.connId, conn.clientId);
      // The store announces 'cleared' itself.
      return null;
    },
    'capture.digest': async (p) => {
      await digest.prepare();
      return digest.result(p?.messages, p?.times);
    },
    // Both made a slice at a time, so the tap relays and the live stream flows while a big capture is saved.
    'capture.save': async (p) => ({ pcapng: await captureSaveBase64Async(lab, brokerPortOf(p?.brokerPort)) }),
    'capture.saveStart': (p) => downloads.start(brokerPortOf(p?.brokerPort)),
    'capture.saveRead': (p) => downloads.read(need(p?.saveId, 'saveId')),
    'capture.saveCancel': (p) => {
      downloads.cancel(need(p?.saveId, 'saveId'));
      return null;
    },
    'capture.open': (p) => {
      // Opening clears the store, which announces 'cleared'.
      return { packets: captureOpen(lab, Buffer.from(need(p?.pcapng, 'pcapng'), 'base64'), p.ports) };
    },
    'clients.list': () => c.list(),
    'clients.create': (p) => {
      const id = need(p?.id, 'id');
      if (p.options !== undefined && (typeof p.options !== 'object' || p.options === null)) throw new Error('options must be an object');
      return c.create(id, p.options ?? {});
    },
    'clients.connect': (p) => c.connect(need(p?.id, 'id')),
    'clients.publish': (p) => {
      const { id, ...req } = p ?? ({} as typeof p);
      const payload = req.payload ?? '';
      if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) throw new Error('payload must be text or bytes');
      // An empty topic is allowed only with a Topic Alias: MQTT 5's way to publish by alias (§3.3.2.1).
      const byAlias = req.topic === '' && typeof req.properties?.topicAlias === 'number';
      return c.publish(need(id, 'id'), { ...req, topic: byAlias ? '' : need(req.topic, 'topic'), payload });
    },
    'clients.subscribe': async (p) => {
      if (!Array.isArray(p?.subscriptions) || p.subscriptions.length === 0) throw new Error('subscriptions must list at least one filter');
      p.subscriptions.forEach((s, i) => need((s as { filter?: unknown } | null)?.filter, `subscriptions[${i}].filter`));
      return c.subscribe(need(p.id, 'id'), p.subscriptions);
    },
    'clients.unsubscribe': async (p) => {
      await c.unsubscribe(need(p?.id, 'id'), filters(p.filters, 'filters'));
      return null;
    },
    'clients.disconnect': async (p) => {
      await c.disconnect(need(p?.id, 'id'));
      return null;
    },
    'clients.kill': async (p) => {
      await c.kill(need(p?.id, 'id'));
      return null;
    },
    'clients.reconnect': (p) => c.reconnect(need(p?.id, 'id')),
    'clients.remove': async (p) => {
      await c.remove(need(p?.id, 'id'));
      return null;
    },
    'clients.messages': (p) => c.messages(need(p?.id, 'id')).map(wireMessage),
    'faults.list': () => lab.tap.rules.list(),
    'faults.add': (p) => {
      // No params at all is a rule with nothing in it; the rule check then names what is missing.
      return lab.tap.rules.add(typeof p === 'object' && p !== null ? p : ({} as typeof p));
    },
    'faults.remove': (p) => {
      if (!lab.tap.rules.remove(need(p?.id, 'id'))) throw new Error(`no fault rule '${p.id}'`);
      return null;
    },
    'faults.clear': () => {
      lab.tap.rules.clear();
      return null;
    },
    // The tap and its rules announce their own changes (Lab forwards them as 'rules' and 'step' events).
    'step.set': (p) => {
      lab.tap.setStepMode(p?.on === true, p?.pings === true);
      return null;
    },
    'step.next': () => {
      const r = lab.tap.releaseNext();
      return r === null ? null : lab.packet(r);
    },
    'step.release': (p) => lab.tap.release(num(p?.seq, 'seq')),
    'step.releaseAll': () => lab.tap.releaseAll(),
    'connections.list': () => lab.tap.connections(),
    'connections.sever': (p) => lab.tap.sever(num(p?.connId, 'connId')),
    'transport.units': (p) => lab.transports.log.list(num(p?.connId, 'connId')),
    'transport.forPacket': (p) => lab.transports.log.forPacket(num(p?.seq, 'seq')),
    'broker.configure': (p) => {
      if (lab.broker.configureAuth === undefined) {
        throw new Error(`users and ACL of the ${lab.brokerInfo.kind} broker are set in its own configuration, not from the lab`);
      }
      lab.broker.configureAuth({ users: p?.users, acl: p?.acl });
      return null;
    },
    'http.post': (p) => {
      if (typeof p?.body !== 'string') throw new Error('body must be text');
      return lab.http.post(need(p.client, 'client'), p.body);
    },
    'http.poll': (p) => {
      const every = num(p?.everyMs, 'everyMs');
      const forMs = num(p?.forMs, 'forMs');
      if (every < 10 || forMs < 1 || forMs > 30_000) throw new Error('everyMs must be at least 10 and forMs 1-30000');
      return lab.http.poll(need(p.client, 'client'), every, forMs);
    },
    'http.dropNextReadings': async () => {
      await lab.http.dropNextReadings();
      return null;
    },
    'http.reset': async () => {
      await lab.http.stop();
      return null;
    },
    'lessons.list': () => lab.lessons.list(),
    'lessons.reload': async () => {
      await lab.lessons.reload();
      return lab.lessons.list();
    },
    'lessons.get': (p) => lab.lessons.get(need(p?.id, 'id')),
    'lessons.start': (p) => lab.lessons.start(need(p?.id, 'id'), { graded: p?.graded === true, resume: p?.resume === true }),
    'lessons.next': () => lab.lessons.next(),
    'lessons.answer': (p) => lab.lessons.answer(num(p?.step, 'step'), p?.text === undefined
      ? { choice: num(p?.choice, 'choice') }
      : { text: need(p.text, 'text') }),
    'lessons.choose': (p) => lab.lessons.choose(num(p?.step, 'step'), need(p?.value, 'value')),
    'lessons.rerun': (p) => lab.lessons.rerun(num(p?.step, 'step')),
    'lessons.close': (p) => lab.lessons.close(p?.id),
    ...classroomCommands(lab),
  } satisfies Handlers as Handlers & Record<keyof LabCommands, unknown>;
}
