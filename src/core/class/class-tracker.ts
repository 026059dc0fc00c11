// The class book inside a running Lab: every packet of every connection through the tap, the exercises of
// every loaded lesson (reloaded with them), and a 'class' event at most twice a second for the views.
import { EventEmitter } from 'node:events';
import type { ClassQuery, ClassTable } from '../../shared/exercise.js';
import type { Connection, PacketRecord } from '../../shared/lab.js';
import type { ClientSummary } from '../../shared/lab.js';
import type { ClientManager } from '../clients/index.js';
import type { LessonHost } from '../lab/lesson-host.js';
import type { Tap } from '../tap/tap.js';
import { ClassBook } from './class-book.js';
import { classCsv } from './class-csv.js';

const EMIT_EVERY_MS = 500;

/** What the tracker reads, given at construction: the tap, the lab's own clients, the lessons, client ids. */
export interface ClassSources {
  tap: Pick<Tap, 'on' | 'off'>;
  clients: Pick<ClientManager, 'on' | 'off' | 'list'>;
  lessons: Pick<LessonHost, 'on' | 'off' | 'all'>;
  /** The client id the capture knows a connection by (from its CONNECT). */
  clientIdOf(connId: number): string | undefined;
}

export interface ClassTrackerEvents {
  /** The table changed (coalesced: at most one every EMIT_EVERY_MS). */
  class: [ClassTable];
}

export class ClassTracker extends EventEmitter<ClassTrackerEvents> {
  readonly book = new ClassBook();
  private timer: NodeJS.Timeout | null = null;
  private readonly offs: Array<() => void> = [];
  /** Client ids of the lab's own clients, kept current from their state events (not listed per packet). */
  private readonly own = new Set<string>();

  constructor(src: ClassSources) {
    super();
    const { tap, clients, lessons } = src;
    for (const c of clients.list()) this.own.add(c.clientId);
    const onClient = (c: ClientSummary): void => void this.own.add(c.clientId);
    const onLessons = (): void => {
      this.book.setLessons(lessons.all());
      this.changed();
    };
    this.book.setLessons(lessons.all());
    const onPacket = (r: PacketRecord): void => {
      const id = src.clientIdOf(r.connId);
      if (id !== undefined && this.book.observe(r, id, this.embedded(id))) this.changed();
    };
    const onConn = (c: Connection): void => {
      if (c.clientId === undefined) return;
      this.book.connection(c.clientId, c.state !== 'closed', c.endedAt ?? Date.now(), this.embedded(c.clientId));
      this.changed();
    };
    clients.on('client-state', onClient);
    lessons.on('lessons', onLessons);
    tap.on('packet', onPacket);
    tap.on('connection', onConn);
    this.offs.push(
      () => clients.off('client-state', onClient), () => lessons.off('lessons', onLessons),
      () => tap.off('packet', onPacket), () => tap.off('connection', onConn),
    );
  }

  table(q?: ClassQuery): ClassTable {
    return this.book.table(q);
  }

  csv(q?: ClassQuery): string {
    return classCsv(this.book.table(q));
  }

  clear(): void {
    this.book.clear();
    this.changed();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const off of this.offs.splice(0)) off();
  }

  private embedded(clientId: string): boolean {
    return this.own.has(clientId);
  }

  /** Coalesced: 200 students publishing every second cause two table events a second, not 200. */
  private changed(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.emit('class', this.book.table());
    }, EMIT_EVERY_MS);
  }
}
