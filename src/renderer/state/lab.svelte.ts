// The renderer's root store: one LabApi, its events collected and applied once per animation frame (a burst
// of 10,000 packets/s must cost a handful of DOM updates per frame, not one per packet), and resynchronised
// from scratch whenever the link to the Lab comes back. Packets arrive as summaries; the page holds none of
// them for long (see view, list-window, details).
import { EVENT_NAMES, type EventName, type LabEvents, type LabStatus, type PacketSummary } from '../../shared/api.js';
import type { BrokerEvent, Connection } from '../../shared/lab.js';
import type { LinkStatus, LinkedLabApi } from '../lib/transport-ws.js';
import type { TransportKind } from '../lib/transport.js';
import type { LessonsApi } from '../lib/lessons-api.js';
import { LessonsStore } from './lessons.svelte.js';
import { CaptureStore, type TimelineNote } from './capture.svelte.js';
import { ClientsStore } from './clients.svelte.js';
import { DetailCache } from './details.svelte.js';
import { ListWindow } from './list-window.svelte.js';
import { ViewStore } from './view.svelte.js';
import { FaultsStore } from './faults.svelte.js';
import { FilterStore } from './filter.svelte.js';
import { NoticeStore } from './notices.svelte.js';
import { SequenceStore } from './sequence.svelte.js';
import { SeriesStore } from './series.svelte.js';
import { TopicsStore } from './topics.svelte.js';
import { ViewerStore } from './viewer.svelte.js';
import type { CaptureLabApi } from '../lib/viewer/capture-lab.js';

type AnyEvent = { [E in EventName]: { event: E; data: LabEvents[E] } }[EventName];

/** Runs `fn` in a task of its own as soon as possible (a message to ourselves: no timer clamping). */
const afterFrame = ((): ((fn: () => void) => void) => {
  const queue: Array<() => void> = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => queue.shift()?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(0);
  };
})();

// Summaries per page when the capture is read after a gap: small enough that one page stays a short task.
const PAGE = 5000;
/** Messages per topic the digest brings for the chart (the topic history keeps the newest HISTORY of them). */
const DIGEST_MESSAGES = 1000;
/** Connections that ended, placed as notes on a resync: the capture keeps no more notes than this. */
const MAX_ENDED = 2000;

/**
 * The page fell behind the live stream: these packets' events were not sent, and are being fetched. Or, with
 * `flood`, they came too fast to draw one by one, and the page jumps to the newest instead.
 */
export interface Behind {
  fromSeq: number;
  toSeq: number;
  /** Caught up (or the flood is over): the status bar says so for a moment, then the mark goes. */
  done: boolean;
  fetched: number;
  flood?: boolean;
}
/** A flood counts as over when no flood marker came for this long (the stream sends one a second in a flood). */
const FLOOD_OVER_MS = 2500;
/**
 * Newest packets the list and the diagram read at each of a flood's jumps. The usual 5,000 (the diagram's
 * history) are a tenth of a second of a flood, and reading them every second took the page and the lab as much
 * as the jump saved; the list reads any other packet when scrolled to.
 */
const FLOOD_VIEW_TAIL = 500;
/**
 * Events are applied in chunks of this many, as many chunks a frame as fit in FRAME_BUDGET_MS; a backlog is
 * worked off over the next frames. A fixed 4,000 a frame made a page that had fallen behind in a burst run
 * 200 ms tasks (every store and view takes the chunk in turn), which made it fall further behind.
 */
const EVENTS_PER_CHUNK = 500;
const FRAME_BUDGET_MS = 8;

const ENDINGS: Record<string, string> = {
  disconnect: 'disconnected (DISCONNECT)',
  'client-closed': 'closed its connection without DISCONNECT',
  'broker-closed': 'was disconnected by the broker',
  severed: 'connection severed by the tap',
  'keepalive-timeout': 'keepalive expired (1.5 × keepalive without traffic)',
  'protocol-error': 'closed after a protocol error',
  'tap-limit': 'cut by the tap (a limit was exceeded)',
};

export class LabStore {
  link = $state<LinkStatus>({ state: 'connecting', generation: 0 });
  status = $state.raw<LabStatus | null>(null);
  connections = $state.raw<Connection[]>([]);
  brokerEvents = $state.raw<BrokerEvent[]>([]);
  step = $state<{ on: boolean; waiting: number[] }>({ on: false, waiting: [] });
  loading = $state(false);
  behind = $state.raw<Behind | null>(null);
  #floodOver: ReturnType<typeof setTimeout> | undefined;
  readonly capture = new CaptureStore();
  readonly filter = new FilterStore(this.capture);
  readonly details: DetailCache;
  readonly view: ViewStore;
  readonly list: ListWindow;
  readonly sequence: SequenceStore;
  readonly topics = new TopicsStore(this.capture);
  readonly series = new SeriesStore(this.capture);
  readonly notices = new NoticeStore();
  readonly clients: ClientsStore;
  readonly faults: FaultsStore;
  readonly lessons: LessonsStore;
  /** Only in the offline capture viewer (kind 'capture'): the open file and the ways to open one. */
  readonly viewer: ViewerStore | null;
  #queue: AnyEvent[] = [];
  #scheduled = false;
  #holdEvents = false;
  #seenGeneration = 0;
  /** Seqs up to here were fetched to fill a gap (or exist no more): never fetched twice. */
  #filledTo = 0;
  /** Resyncs started: a newer one ends the read-through of an older one. */
  #resyncs = 0;
  #lastEventAt = 0;

  constructor(readonly api: LinkedLabApi, readonly kind: TransportKind, lessons: LessonsApi, capture?: CaptureLabApi) {
    this.viewer = capture === undefined ? null : new ViewerStore(capture, this.notices);
    this.details = new DetailCache(api);
    this.view = new ViewStore(api, this.capture, this.filter);
    this.list = new ListWindow(api, this.view, this.capture);
    this.sequence = new SequenceStore(this.view);
    this.details.onPacket = (p) => this.filter.learn(p);
    this.filter.sample = (seqs) => this.details.prefetch(seqs);
    this.filter.onChange = () => void this.view.reload();
    this.topics.fetchPacket = async (seq) => (await this.details.fetch([seq]))[0];
    this.series.fetchPackets = (seqs) => this.details.fetch(seqs);
    this.capture.onRebuild = () => void this.resync();
    this.clients = new ClientsStore(this);
    this.faults = new FaultsStore(this);
    this.lessons = new LessonsStore(this, lessons);
  }

  start(): () => void {
    const offs = EVENT_NAMES.map((e) => this.api.on(e, (data: unknown) => this.#enqueue({ event: e, data } as AnyEvent)));
    const watchdog = setInterval(() => void this.#checkTail(), 2000);
    offs.push(() => clearInterval(watchdog));
    this.link = { ...this.api.status };
    offs.push(this.api.onStatus((s) => {
      this.link = { ...s };
      if (s.state === 'open' && s.generation !== this.#seenGeneration) void this.resync();
    }));
    if (this.api.status.state === 'open') void this.resync();
    return () => offs.forEach((off) => off());
  }

  /** Runs an API call for a button, turning a failure into a visible notice instead of a silent no-op. */
  async run<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.notices.push(`${what}: ${e instanceof Error ? e.message : String(e)}`, 'error');
      return undefined;
    }
  }

  async refreshStatus(): Promise<void> {
    const s = await this.run('Reading the lab status', () => this.api.call('lab.status', {}));
    if (s) {
      this.status = s;
      this.step = { on: s.stepMode, waiting: s.waiting };
    }
  }

  /** Reads the lab's state and capture again; `viewTail`: how many of the newest packets the views read. */
  async resync(viewTail?: number): Promise<void> {
    this.#seenGeneration = this.link.generation || this.api.status.generation;
    const gen = ++this.#resyncs;
    this.loading = true;
    this.#holdEvents = true;
    try {
      await this.refreshStatus();
      const [conns, clients, rules] = await Promise.all([
        this.api.call('connections.list', {}),
        this.api.call('clients.list', {}),
        this.api.call('faults.list', {}),
      ]);
      this.connections = conns;
      this.clients.setAll(clients);
      this.faults.rules = rules;
      const s = this.status;
      if (s) this.capture.capacity = s.packets.capacity;
      this.details.clear();
      // The list and the diagram fetch their own part of the capture (the view reloads on the reset). The
      // topics, the chart, the wills and the rule hits come from the core's digest of the whole capture, in
      // one call (reading a million summaries through took minutes); the first packet and the live events
      // after the digest's newest packet follow. Connections that ended are placed by the digest's seqsAt.
      const ended = conns.filter((c) => c.state === 'closed' && c.ended).sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0)).slice(-MAX_ENDED);
      const digest = await this.api.call('capture.digest', { messages: DIGEST_MESSAGES, times: ended.map((c) => c.endedAt ?? 0) });
      if (gen !== this.#resyncs) return;
      const upTo = digest.upTo;
      // Only the first packet is needed here (the zero of relative times): the list and the diagram fetch
      // their own end of the capture, and the digest stands for the rest. A first page of PAGE summaries
      // was read, parsed and handed to every store for nothing, one long task on a big capture.
      const got = await this.api.call('packets.query', { limit: 1 });
      if (gen !== this.#resyncs) return;
      const page = upTo === null ? [] : got.filter((p) => p.seq <= upTo);
      const notes = ended.map((c, i) => this.capture.makeNote(this.#endNoteData(c), digest.seqsAt[i] ?? null));
      // The status counted packets up to its own newest; the digest may reach a little further.
      const count = s === null ? page.length : Math.min(s.packets.capacity, s.packets.count + Math.max(0, (upTo ?? 0) - (s.packets.lastSeq ?? 0)));
      this.capture.reset(Math.max(count, page.length), page, notes, upTo ?? undefined, digest, viewTail);
      this.#filledTo = this.capture.lastSeq ?? 0;
      this.#holdEvents = false;
      this.#schedule();
    } catch (e) {
      this.notices.push(`Loading the capture failed: ${e instanceof Error ? e.message : String(e)}`, 'error');
    } finally {
      if (gen === this.#resyncs) {
        this.loading = false;
        this.#holdEvents = false;
        this.#schedule();
      }
    }
  }

  #enqueue(ev: AnyEvent): void {
    this.#lastEventAt = performance.now();
    this.#queue.push(ev);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#holdEvents) return;
    this.#scheduled = true;
    let done = false;
    const run = (): void => {
      // One run per schedule: the fallback timer of an older schedule must not apply a newer one's events
      // outside its frame.
      if (done) return;
      done = true;
      clearTimeout(fallback);
      if (!this.#scheduled) return;
      this.#scheduled = false;
      this.#flush();
    };
    // Once a frame, in the task right after it was rendered: the events and the views' DOM updates take one
    // task, and the next frame lays out and paints them in another (scroll writes wait for it, see
    // scroll-writes.ts). Applied inside the frame, both made one task, the longest of a burst.
    requestAnimationFrame(() => afterFrame(run));
    // Hidden pages get no animation frames; events must still be applied, just less often.
    const fallback = setTimeout(run, 250);
  }

  #flush(): void {
    if (this.#holdEvents) return;
    const start = performance.now();
    const queue = this.#queue;
    this.#queue = [];
    let at = 0;
    while (at < queue.length && !this.#holdEvents) {
      at = this.#applyChunk(queue, at, Math.min(queue.length, at + EVENTS_PER_CHUNK));
      if (performance.now() - start >= FRAME_BUDGET_MS) break;
    }
    // What is left goes before anything that arrived meanwhile (a gap being filled holds it until then).
    if (at < queue.length) this.#queue = at === 0 ? queue.concat(this.#queue) : queue.slice(at).concat(this.#queue);
    if (this.#queue.length) this.#schedule();
  }

  /** Applies queue[from, to) as one batch; returns where the next batch starts (early after a gap marker). */
  #applyChunk(queue: readonly AnyEvent[], from: number, to: number): number {
    const added: PacketSummary[] = [];
    const updated: PacketSummary[] = [];
    const notes: TimelineNote[] = [];
    const lastSeq = (): number | null => added.at(-1)?.seq ?? this.capture.lastSeq;
    let conns: Connection[] | null = null;
    let broker: BrokerEvent[] | null = null;
    let reset = false;
    const rules: Array<LabEvents['rules']> = [];
    let missed: LabEvents['missed'] | null = null;
    let next = to;
    for (let k = from; k < to; k++) {
      const ev = queue[k]!;
      if (ev.event === 'missed') {
        // What came before the gap is applied now; what comes after waits until the gap is fetched.
        missed = ev.data;
        next = k + 1;
        break;
      }
      switch (ev.event) {
        case 'packet':
          added.push(ev.data);
          break;
        case 'packet-update':
          updated.push(ev.data);
          this.details.invalidate(ev.data.seq);
          break;
        case 'connection': {
          const c = ev.data;
          conns ??= this.connections.slice();
          const i = conns.findIndex((x) => x.connId === c.connId);
          // Known closed already: a resync (a flood's jump) read it from the lab and placed its note, and this
          // is its own event, queued meanwhile. A second note would say the client ended twice.
          const known = i >= 0 && conns[i]!.state === 'closed';
          if (i >= 0) conns[i] = c;
          else conns.push(c);
          if (c.state === 'closed' && c.ended && !known) notes.push(this.capture.makeNote(this.#endNoteData(c), lastSeq()));
          break;
        }
        case 'broker': {
          const b = ev.data;
          broker ??= this.brokerEvents.slice(-999);
          broker.push(b);
          if (b.kind === 'will-published') {
            this.topics.willPublished(b.clientId, b.topic, b.retain, b.time);
            notes.push(this.capture.makeNote({
              time: b.time, lane: b.clientId, kind: 'will', willTopic: b.topic,
              text: `${b.clientId}'s Last Will published to ${b.topic}`,
            }, lastSeq()));
          } else if (b.kind === 'keepalive-timeout') {
            notes.push(this.capture.makeNote({ time: b.time, lane: b.clientId, kind: 'keepalive', text: 'keepalive expired' }, lastSeq()));
          }
          break;
        }
        case 'client':
          this.clients.upsert(ev.data);
          break;
        case 'message':
          this.clients.onMessage(ev.data.id, ev.data.message);
          break;
        case 'rules':
          // Applied after this frame's packets: a rule that retired is told apart by the packets it acted on.
          rules.push(ev.data);
          break;
        case 'step':
          this.step = { on: ev.data.on, waiting: ev.data.waiting };
          break;
        case 'lessons':
          this.lessons.setList(ev.data);
          break;
        case 'lesson-step':
          this.lessons.onStep(ev.data);
          break;
        case 'cleared':
          // A read-through of the capture that was cleared must not feed its old packets in after the clear.
          this.#resyncs++;
          this.loading = false;
          reset = true;
          added.length = 0;
          updated.length = 0;
          notes.length = 0;
          break;
      }
    }
    if (conns) this.connections = conns;
    if (broker) this.brokerEvents = broker;
    if (reset) {
      this.details.clear();
      this.capture.reset(added.length, added, notes);
    } else if (added.length || updated.length || notes.length) this.capture.apply({ added, updated, notes, reset: false });
    // Each list in turn: a rule added and retired within one frame must be seen arriving and leaving.
    for (const r of rules) this.faults.rules = r;
    if (!rules.length && (added.length || updated.length)) this.faults.settle();
    if (missed !== null) void (missed.flood ? this.#jumpAfter(missed) : this.#catchUpAfter(missed));
    return next;
  }

  /**
   * The stream skipped these packets in a flood (more a second than a page can draw one by one, which took a
   * core from the relay it shows): the page jumps to the newest, as when it opens, rather than reading them
   * all. They stay in the capture: the list reads any of them when scrolled to, and the topics, the chart and
   * the rule hits come from the core's digest of every packet. Markers that came during the jump wait behind
   * it, so a flood makes about one jump a second.
   */
  async #jumpAfter(m: LabEvents['missed']): Promise<void> {
    const b = this.behind;
    const going = b !== null && b.flood === true && !b.done;
    if (m.toSeq > (this.capture.lastSeq ?? 0)) {
      this.behind = { fromSeq: going ? b.fromSeq : m.fromSeq, toSeq: m.toSeq, done: false, fetched: 0, flood: true };
      await this.resync(FLOOD_VIEW_TAIL);
    }
    clearTimeout(this.#floodOver);
    this.#floodOver = setTimeout(() => {
      const now = this.behind;
      if (now === null || now.flood !== true) return;
      const over = { ...now, done: true };
      this.behind = over;
      setTimeout(() => {
        if (this.behind === over) this.behind = null;
      }, 4000);
    }, FLOOD_OVER_MS);
  }

  /**
   * The transport could not keep up and skipped these packets' events: say so, and fetch them (and anything
   * after them) by query before applying the events that waited. Nothing is silently missing.
   */
  async #catchUpAfter(m: LabEvents['missed']): Promise<void> {
    const from = Math.min(m.fromSeq - 1, this.capture.lastSeq ?? m.fromSeq - 1);
    this.behind = { fromSeq: m.fromSeq, toSeq: m.toSeq, done: false, fetched: 0 };
    await this.#fillGap(from, m.toSeq);
    this.behind = { ...this.behind, done: true };
    const shown = this.behind;
    setTimeout(() => {
      if (this.behind === shown) this.behind = null;
    }, 4000);
  }

  /**
   * Events dropped at the end of a burst leave no later packet to reveal the gap; the Lab's own count does.
   * Checked every few seconds once the events have gone quiet.
   */
  async #checkTail(): Promise<void> {
    if (this.link.state !== 'open' || this.#holdEvents || this.loading || performance.now() - this.#lastEventAt < 1000) return;
    let s: LabStatus;
    try {
      s = await this.api.call('lab.status', {});
    } catch {
      return;
    }
    this.status = s;
    const known = this.capture.lastSeq ?? 0;
    const last = s.packets.lastSeq;
    if (last !== null && last > known && last > this.#filledTo && !this.#holdEvents && this.#queue.length === 0) await this.#fillGap(known, last);
  }

  /**
   * Fetches everything after `after`, page by page, until caught up. Events keep arriving meanwhile and wait
   * in the queue; those the fetch already brought are dropped as duplicates when the queue is applied.
   */
  async #fillGap(after: number, upTo: number): Promise<void> {
    this.#holdEvents = true;
    try {
      let from = after;
      for (;;) {
        const page = await this.api.call('packets.query', { afterSeq: from, limit: PAGE });
        if (page.length) this.capture.apply({ added: page, updated: [], notes: [], reset: false });
        if (this.behind && !this.behind.done) this.behind = { ...this.behind, fetched: this.behind.fetched + page.length };
        if (page.length < PAGE) break;
        from = page[page.length - 1]!.seq;
      }
    } catch {
      // The link went down; the resync after reconnecting loads everything anyway.
    } finally {
      this.#filledTo = Math.max(this.#filledTo, upTo, this.capture.lastSeq ?? 0);
      this.#holdEvents = false;
      this.#schedule();
    }
  }

  #endNoteData(c: Connection): Omit<TimelineNote, 'id' | 'afterSeq'> {
    const lane = c.clientId ?? `conn #${c.connId}`;
    const ungraceful = c.ended !== 'disconnect';
    return { time: c.endedAt ?? Date.now(), lane, kind: 'ended', ungraceful, text: `${lane} ${ENDINGS[c.ended ?? ''] ?? 'closed'}${c.endNote === undefined ? '' : `: ${c.endNote}`}` };
  }

  #endNote(c: Connection, packets: PacketSummary[]): TimelineNote {
    const t = c.endedAt ?? 0;
    let after: number | null = null;
    for (let i = packets.length - 1; i >= 0; i--) {
      if (packets[i]!.time <= t) {
        after = packets[i]!.seq;
        break;
      }
    }
    return this.capture.makeNote(this.#endNoteData(c), after);
  }

  /** Lane names of currently connected clients, for the connection bar. */
  get connectedLanes(): string[] {
    return this.connections.filter((c) => c.state !== 'closed').map((c) => c.clientId ?? `conn #${c.connId}`);
  }
}

