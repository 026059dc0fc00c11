// Class exercises: what a lesson asks every student's own client to do on the lecturer's broker, stated so
// the lab can check it from the broker's side (e.g. "publish your reading to lab/{client}/temp"), and the
// class table built from the packets that completed them.
import type { SourcePos } from './lesson.js';

/** What a completing payload must be: anything, a JSON document, or a reading (a number, or JSON with one). */
export type PayloadRule = 'any' | 'json' | 'number';

export interface Exercise {
  at: SourcePos;
  /** Unique within its lesson. */
  id: string;
  title: string;
  kind: 'publish' | 'subscribe';
  /** Topic (publish) or filter (subscribe); `{client}` stands for the sender's own client id. */
  topic: string;
  qos?: number;
  retain?: boolean;
  payload?: PayloadRule;
}

export interface ClassExercise {
  /** `lessonId/exerciseId`: the column key. */
  key: string;
  lessonId: string;
  lessonTitle: string;
  id: string;
  title: string;
  kind: 'publish' | 'subscribe';
  topic: string;
}

export interface ClassRow {
  clientId: string;
  /** A client the lab itself runs (a lesson's or the Clients panel's), not a student's. */
  embedded: boolean;
  connected: boolean;
  firstSeen: number;
  lastSeen: number;
  /** By exercise key: when and by which packet it was first completed. */
  done: Record<string, { time: number; seq: number }>;
}

export interface ClassTable {
  exercises: ClassExercise[];
  rows: ClassRow[];
  /** Client ids not tracked because the table was full. */
  leftOut: number;
}

/** What `class.table` may be asked for: rows whose client id contains `search`, or starts with `prefix`. */
export interface ClassQuery {
  search?: string;
  prefix?: string;
  lessonId?: string;
}
