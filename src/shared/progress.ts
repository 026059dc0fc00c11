// A student's progress through one lesson, as saved in the data folder and restored when the lesson
// reopens: predictions, answers, each step's result with the packets that step captured, completion.
// Plain JSON, so it crosses the process boundary and lands in a file as it is.
import type { Direction, FaultRecord } from './lab.js';
import type { MqttVersion } from './packet.js';
import type { StepResult } from './lesson-results.js';

/** The student's latest answer: a choice's index, or the text typed for an open question. */
export interface SavedAnswer {
  choice?: number;
  text?: string;
  /** null for an open prediction (no right answer). */
  correct: boolean | null;
  time: number;
}

/** One packet of a step, kept so a report can show it (re-dissected) and attach it as pcapng later. */
export interface SavedPacket {
  seq: number;
  time: number;
  connId: number;
  clientId?: string;
  direction: Direction;
  /** Hex of the bytes on the wire. */
  bytes: string;
  version: MqttVersion;
  fault?: FaultRecord;
}

/** The TCP endpoints of a connection seen in a step, for the pcapng attachment. */
export interface SavedConnection {
  connId: number;
  client: { ip: string; port: number };
  broker: { ip: string; port: number };
  openedAt: number;
  closedAt?: number;
  closedBy?: 'client' | 'broker';
  reset?: boolean;
}

export interface SavedStep {
  result: StepResult;
  packets: SavedPacket[];
  /** Packets the step captured beyond those kept (a busy classroom broker). */
  packetsLeftOut: number;
  connections: SavedConnection[];
}

export interface LessonProgress {
  lessonId: string;
  lessonTitle: string;
  /** A digest of the lesson as it was run: a changed lesson file gives another version. */
  lessonVersion: string;
  startedAt: number;
  updatedAt: number;
  /** Set when every step has run. */
  completedAt?: number;
  /** By step index (0-based). */
  predictions: Record<number, SavedAnswer>;
  answers: Record<number, SavedAnswer>;
  /** Values the student chose for steps with `choose:` (a resumed lesson runs those steps with them). */
  chosen?: Record<number, string>;
  steps: Record<number, SavedStep>;
}

export interface ProgressView {
  progress: LessonProgress | null;
  /** Whether progress lasts beyond this run (false when the lab has no data folder). */
  saved: boolean;
  /** The data folder, when there is one. */
  folder?: string;
  /** Files that could not be read and were set aside, in words. */
  problems: string[];
  /** The lesson file changed since this progress was saved. */
  lessonChanged?: boolean;
}

/** Per lesson id: what the lesson list shows beside each lesson. */
export interface ProgressSummary {
  stepsRun: number;
  stepsPassed: number;
  completed: boolean;
  updatedAt: number;
}
