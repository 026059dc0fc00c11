// The class book inside a running Lab: every packet of every connection through the tap, the exercises of
// every loaded lesson (reloaded with them), and a 'class' event at most twice a second for the views.
import type { ClassQuery, ClassTable } from '../../shared/exercise.js';
import type { Connection, PacketRecord } from '../../shared/lab.js';
import type { Lab } from '../lab/lab.js';
import { ClassBook } from './class-book.js';
import { classCsv } from './class-csv.js';

const EMIT_EVERY_MS = 500;

export class ClassTracker {
  readonly book = new ClassBook();
  private timer: NodeJS.Timeout | null = null;
  private readonly offs: Array<() => void> = [];
  /** Client ids of the lab's own clients, kept current from their state events (not listed per packet). */
  private readonly own = new Set<string>();

  constructor(private readonly lab: Lab) {
    for (const c of lab.clients.list()) this.own.add(c.clientId);
    this.offs.push(lab.api.on('client', (c) => this.own.add(c.clientId)));
    this.book.setLessons(lab.lessons.all());
    this.offs.push(lab.api.on('lessons', () => {
      this.book.setLessons(lab.lessons.all());
      this.changed();
    }));
    const onPacket = (r: PacketRecord): void => {
      const id = lab.store.clientIdOf(r.connId);
      if (id !== undefined && this.book.observe(r, id, this.embedded(id))) this.changed();
    };
    const onConn = (c: Connection): void => {
      if (c.clientId === undefined) return;
      this.book.connection(c.clientId, c.state !== 'closed', c.endedAt ?? Date.now(), this.embedded(c.clientId));
      this.changed();
    };
    lab.tap.on('packet', onPacket);
    lab.tap.on('connection', onConn);
    this.offs.push(() => lab.tap.off('packet', onPacket), () => lab.tap.off('connection', onConn));
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
      this.lab.emit('class', this.book.table());
    }, EMIT_EVERY_MS);
  }
}
