// The Lab API answered from a capture file instead of a running lab: the notebook's views read packets,
// connections and status through it as they do over IPC or the WebSocket, and everything that would change
// a lab (clients, faults, step mode, lessons) is refused in words. The packets are the core's CaptureStore
// records, turned into the API's shapes (summaries for lists, whole packets on demand) by the Lab's own
// conversions, and the display filter runs here over them through the core's own filter views.
import type { CommandName, EventName, LabEvents, LabStatus, PacketSummary, ParamsOf, ResultOf } from '../../../shared/api.js';
import type { Connection, PacketRecord } from '../../../shared/lab.js';
import { CaptureDigestCache } from '../../../core/lab/capture-digest.js';
import { summaryOf, wirePacket } from '../../../core/lab/wire.js';
import { FilterViews } from '../../../core/store/filter-views.js';
import { detectCaptureFormat } from '../../../core/pcap/capture-reader.js';
import { CaptureStore } from '../../../core/store/capture-store.js';
import type { LessonsApi } from '../lessons-api.js';
import type { LinkStatus, LinkedLabApi } from '../transport-ws.js';
import { readCaptureInPage, type ReadCapture } from './read-capture.js';

export interface OpenedCapture {
  name: string;
  /** MQTT packets found in the file (tshark's count of MQTT PDUs for the same file). */
  packets: number;
  connections: number;
  notes: string[];
  /** Being replayed packet by packet (the demo) rather than shown whole. */
  replaying: boolean;
}

/** The largest page one `packets.query` returns, as the Lab caps it. */
const QUERY_CAP = 200_000;

export class CaptureLabApi implements LinkedLabApi {
  status: LinkStatus = { state: 'open', generation: 1 };
  opened: OpenedCapture | null = null;
  #store = new CaptureStore();
  #bytes: Uint8Array | null = null;
  #connections: Connection[] = [];
  #listeners = new Map<string, Set<(d: unknown) => void>>();
  #statusListeners = new Set<(s: LinkStatus) => void>();
  #replay: ReturnType<typeof setTimeout> | undefined;
  #views = new FilterViews(this.#store);
  #digest = new CaptureDigestCache(this.#store);
  /** A save of the opened file: its one part, until read. */
  #saving: { id: string; part: string | null } | null = null;

  /**
   * Shows a capture file whole. Throws, leaving the current capture in place, when the bytes are not a
   * pcap or pcapng at all; a file cut short keeps what came before the cut and says so in `notes`.
   */
  open(name: string, bytes: Uint8Array): OpenedCapture {
    const read = readCaptureInPage(bytes);
    this.#stopReplay();
    this.#store = new CaptureStore(Math.max(1, read.records.length));
    this.#views = new FilterViews(this.#store);
    this.#digest = new CaptureDigestCache(this.#store);
    for (const [connId, id] of read.clientIds) this.#store.setClientId(connId, id);
    for (const r of read.records) this.#store.append(r);
    this.#connections = read.connections;
    this.#bytes = bytes;
    this.opened = describe(name, read, false);
    this.#reload();
    return this.opened;
  }

  /**
   * Plays a capture into the views packet by packet, as if it were happening now (the demo): the gaps of
   * the recording, stretched or shortened to between `minGapMs` and `maxGapMs` so each arrow can be seen.
   */
  replay(name: string, bytes: Uint8Array, minGapMs = 350, maxGapMs = 1200): OpenedCapture {
    const read = readCaptureInPage(bytes);
    this.#stopReplay();
    this.#store = new CaptureStore(Math.max(1, read.records.length));
    this.#views = new FilterViews(this.#store);
    this.#digest = new CaptureDigestCache(this.#store);
    for (const [connId, id] of read.clientIds) this.#store.setClientId(connId, id);
    this.#connections = [];
    this.#bytes = bytes;
    this.opened = describe(name, read, true);
    this.#reload();
    const opened = this.opened;
    const shift = Date.now() - (read.records[0]?.time ?? 0);
    const ends = read.connections.filter((c) => c.endedAt !== undefined).sort((a, b) => a.endedAt! - b.endedAt!);
    let i = 0;
    const step = (): void => {
      const r = read.records[i++];
      if (r === undefined) {
        for (const c of ends.splice(0)) this.#connectionEvent({ ...c, endedAt: c.endedAt! + shift });
        opened.replaying = false;
        this.#replay = undefined;
        return;
      }
      while (ends.length > 0 && ends[0]!.endedAt! <= r.time) {
        const c = ends.shift()!;
        this.#connectionEvent({ ...c, endedAt: c.endedAt! + shift });
      }
      const known = this.#connections.find((c) => c.connId === r.connId);
      if (known === undefined) {
        const c = read.connections.find((x) => x.connId === r.connId)!;
        const live: Connection = { ...c, state: 'open', since: c.since + shift };
        delete live.ended;
        delete live.endedAt;
        this.#connectionEvent(live);
      }
      const rec = this.#store.append({ ...r, time: r.time + shift });
      this.#emit('packet', this.#summary(rec));
      const next = read.records[i];
      const gap = next === undefined ? minGapMs : Math.min(maxGapMs, Math.max(minGapMs, next.time - r.time));
      this.#replay = setTimeout(step, gap);
    };
    this.#replay = setTimeout(step, minGapMs);
    return opened;
  }

  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    // Answers come in a later task, as they do from a server, so views behave the same in either mode.
    return Promise.resolve().then(() => this.#dispatch(method, params) as ResultOf<K>);
  }

  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    const l = listener as (d: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onStatus(listener: (s: LinkStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  close(): void {
    this.#stopReplay();
  }

  #dispatch(method: CommandName, p: unknown): unknown {
    switch (method) {
      case 'lab.status':
        return this.#status();
      case 'packets.query': {
        const { filter, ...q } = (p ?? {}) as ParamsOf<'packets.query'>;
        const limit = Math.min(q.limit ?? 10_000, QUERY_CAP);
        if (filter === undefined || filter.trim() === '') return this.#store.query({ ...q, limit }).map((r) => this.#summary(r));
        // The filter's matches after afterSeq, narrowed by the query's own fields (a capture is small).
        const expr = this.#views.parse(filter);
        const out: PacketSummary[] = [];
        for (const r of this.#store.query({ ...q, limit: undefined })) {
          if (out.length >= limit) break;
          if (this.#views.test(expr, r.seq)) out.push(this.#summary(r));
        }
        return out;
      }
      case 'packets.window': {
        const q = p as ParamsOf<'packets.window'>;
        const w = this.#views.window(q.filter, q.offset, q.limit);
        return { total: w.total, offset: w.offset, rows: w.seqs.map((s) => this.#summary(this.#store.get(s)!)) };
      }
      case 'packets.indexOf': {
        const q = p as ParamsOf<'packets.indexOf'>;
        return this.#views.indexOf(q.filter, q.seq);
      }
      case 'packets.get': {
        const r = this.#store.get((p as ParamsOf<'packets.get'>).seq);
        return r === undefined ? null : wirePacket(r, this.#store.clientIdOf(r.connId));
      }
      case 'packets.getMany': {
        const out = [];
        for (const seq of (p as ParamsOf<'packets.getMany'>).seqs) {
          const r = this.#store.get(seq);
          if (r !== undefined) out.push(wirePacket(r, this.#store.clientIdOf(r.connId)));
        }
        return out;
      }
      case 'capture.digest': {
        const q = (p ?? {}) as ParamsOf<'capture.digest'>;
        this.#digest.update();
        return this.#digest.result(q.messages, q.times);
      }
      case 'connections.list':
        return this.#connections.map((c) => ({ ...c }));
      case 'clients.list':
      case 'faults.list':
        return [];
      case 'capture.save':
        // Saving gives back the file as it was opened; a classic pcap is not relabelled as pcapng.
        if (this.#bytes === null) throw new Error('No capture is open');
        if (detectCaptureFormat(this.#bytes.subarray(0, 4)) !== 'pcapng') throw new Error('This capture is a classic pcap file; it is already on your disk as it was opened');
        return { pcapng: toBase64(this.#bytes) };
      // The file as it was opened, in one part (it is in the page already).
      case 'capture.saveStart': {
        const pcapng = this.#dispatch('capture.save', {}) as ResultOf<'capture.save'>;
        this.#saving = { id: `file-${this.status.generation}`, part: pcapng.pcapng };
        return { saveId: this.#saving.id, progress: { phase: 'writing', done: 0, total: this.#store.size } };
      }
      case 'capture.saveRead': {
        const save = this.#saving;
        if (save === null || save.id !== (p as ParamsOf<'capture.saveRead'>).saveId) throw new Error('no save is running');
        const total = this.#store.size;
        if (save.part === null) {
          this.#saving = null;
          return { chunk: '', done: true, progress: { phase: 'done', done: total, total } };
        }
        const chunk = save.part;
        save.part = null;
        return { chunk, done: false, progress: { phase: 'writing', done: total, total } };
      }
      case 'capture.saveCancel':
        this.#saving = null;
        return null;
      default:
        throw new Error(`This is a capture file, read only: '${method}' needs a running lab (npm start, or mqtt-lab web)`);
    }
  }

  #summary(r: PacketRecord): PacketSummary {
    return summaryOf(r, this.#store.clientIdOf(r.connId));
  }

  #status(): LabStatus {
    const s = this.#store;
    return {
      tap: { host: '', port: 0 },
      broker: { host: '', port: 0, kind: 'upstream', mqtt5: this.#connections.some((c) => c.version === 5) },
      stepMode: false,
      waiting: [],
      packets: { count: s.size, firstSeq: s.firstSeq ?? null, lastSeq: s.lastSeq ?? null, capacity: s.capacity },
    };
  }

  #connectionEvent(c: Connection): void {
    const i = this.#connections.findIndex((x) => x.connId === c.connId);
    if (i >= 0) this.#connections[i] = c;
    else this.#connections.push(c);
    this.#emit('connection', { ...c });
  }

  /** A new capture replaces the old one whole: views resynchronise as after a reconnect. */
  #reload(): void {
    this.status = { state: 'open', generation: this.status.generation + 1 };
    for (const l of this.#statusListeners) l(this.status);
  }

  #emit<E extends EventName>(event: E, data: LabEvents[E]): void {
    for (const l of this.#listeners.get(event) ?? []) l(data);
  }

  #stopReplay(): void {
    if (this.#replay !== undefined) clearTimeout(this.#replay);
    this.#replay = undefined;
  }
}

function describe(name: string, read: ReadCapture, replaying: boolean): OpenedCapture {
  const notes = read.notes.map((n) => `frame ${n.frame}: ${n.message}`);
  if (read.error !== undefined) notes.unshift(read.error);
  return { name, packets: read.records.length, connections: read.connections.length, notes, replaying };
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** A capture has no lesson engine: the list is empty and nothing can start. */
export const noLessons: LessonsApi = {
  list: () => Promise.resolve({ lessons: [], problems: [] }),
  get: () => Promise.reject(new Error('Lessons need a running lab')),
  start: () => Promise.reject(new Error('Lessons need a running lab')),
  next: () => Promise.resolve(null),
  answer: () => Promise.reject(new Error('Lessons need a running lab')),
  choose: () => Promise.reject(new Error('Lessons need a running lab')),
  rerun: () => Promise.reject(new Error('Lessons need a running lab')),
  close: () => Promise.resolve([]),
};
