// The lecturer's view of the class: for every client id seen on the broker, which class exercises it has
// completed, when, and by which packet. Fed packet by packet (live from the tap, or from a capture file).
import type { ClassExercise, ClassQuery, ClassRow, ClassTable, Exercise } from '../../shared/exercise.js';
import type { PacketRecord } from '../../shared/lab.js';
import type { Lesson } from '../../shared/lesson.js';
import { completes } from './exercise-match.js';

/** A classroom is a few hundred clients; a runaway script making fresh ids must not eat the lab's memory. */
export const MAX_CLIENTS = 5000;

interface Column extends ClassExercise {
  exercise: Exercise;
}

export function exerciseColumns(lessons: readonly Lesson[]): Column[] {
  return lessons.flatMap((l) => l.steps.flatMap((s) => (s.exercise === undefined ? [] : [{
    key: `${l.id}/${s.exercise.id}`, lessonId: l.id, lessonTitle: l.title, id: s.exercise.id, title: s.exercise.title,
    kind: s.exercise.kind, topic: s.exercise.topic, exercise: s.exercise,
  }])));
}

export class ClassBook {
  private columns: Column[] = [];
  private readonly rows = new Map<string, ClassRow>();
  private leftOut = new Set<string>();

  setLessons(lessons: readonly Lesson[]): void {
    this.columns = exerciseColumns(lessons);
  }

  /** Marks a client id connected or gone (from the tap's connection events). */
  connection(clientId: string, connected: boolean, time: number, embedded: boolean): void {
    const row = this.row(clientId, time, embedded);
    if (row === undefined) return;
    row.connected = connected;
    row.lastSeen = Math.max(row.lastSeen, time);
  }

  /** Looks at one packet from `clientId`; true when it completed an exercise not completed before. */
  observe(r: PacketRecord, clientId: string, embedded = false): boolean {
    if (r.direction !== 'toBroker') return false;
    const row = this.row(clientId, r.time, embedded);
    if (row === undefined) return false;
    row.lastSeen = Math.max(row.lastSeen, r.time);
    let changed = false;
    for (const c of this.columns) {
      if (row.done[c.key] !== undefined || !completes(c.exercise, r, clientId)) continue;
      row.done[c.key] = { time: r.time, seq: r.seq };
      changed = true;
    }
    return changed;
  }

  clear(): void {
    this.rows.clear();
    this.leftOut.clear();
  }

  table(q: ClassQuery = {}): ClassTable {
    const exercises = this.columns.filter((c) => q.lessonId === undefined || c.lessonId === q.lessonId)
      .map(({ exercise: _e, ...c }) => c);
    const needle = q.search?.toLowerCase();
    const rows = [...this.rows.values()]
      .filter((r) => (needle === undefined || r.clientId.toLowerCase().includes(needle)) && (q.prefix === undefined || r.clientId.startsWith(q.prefix)))
      .sort((a, b) => a.clientId.localeCompare(b.clientId, undefined, { numeric: true }))
      .map((r) => ({ ...r, done: Object.fromEntries(exercises.filter((e) => r.done[e.key]).map((e) => [e.key, r.done[e.key]!])) }));
    return { exercises, rows, leftOut: this.leftOut.size };
  }

  private row(clientId: string, time: number, embedded: boolean): ClassRow | undefined {
    let row = this.rows.get(clientId);
    if (row === undefined) {
      if (this.rows.size >= MAX_CLIENTS) {
        if (this.leftOut.size < MAX_CLIENTS) this.leftOut.add(clientId);
        return undefined;
      }
      row = { clientId, embedded, connected: true, firstSeen: time, lastSeen: time, done: {} };
      this.rows.set(clientId, row);
    }
    if (embedded) row.embedded = true;
    return row;
  }
}
