// What a run of a lesson reports, step by step: for the lesson pane, `lesson run` and its --json output.
// Plain JSON, like the lesson itself.
import type { ActionKind, ExpectationKind, SourcePos } from './lesson.js';

export interface ActionResult {
  kind: ActionKind;
  at: SourcePos;
  /** The action in words, e.g. "publish '21.5' to home/temp from sensor (qos 1)". */
  label: string;
  ok: boolean;
  /** Why it failed, or why it was not run (an earlier action of the step failed). */
  error?: string;
  /** Something worth knowing that is not a failure, e.g. "PUBACK #8 was dropped by the tap: still in flight". */
  note?: string;
  /** Packets the action concerned, e.g. the ones released from the tap. */
  seqs?: number[];
}

export interface ExpectationResult {
  kind: ExpectationKind;
  at: SourcePos;
  /** The expectation in words, e.g. "PUBACK to sensor within 1000 ms". */
  label: string;
  passed: boolean;
  /** On a pass, what satisfied it; on a failure, what was expected and what was seen instead. */
  message: string;
  /** Packets that satisfied it (on failure: the near misses, if any). */
  seqs: number[];
}

export interface StepResult {
  index: number;
  at: SourcePos;
  title?: string;
  /** The value the student chose for a step with `choose:` (the lesson's example in a headless run). */
  chosen?: string;
  passed: boolean;
  actions: ActionResult[];
  expectations: ExpectationResult[];
  /** Packets of this step are those with seq > afterSeq, up to lastSeq when the step ended. */
  afterSeq: number;
  lastSeq: number;
  durationMs: number;
  /** Set when the step was run again after failing: 2 for the first re-run. */
  attempt?: number;
}

export interface LessonResult {
  file: string;
  id: string;
  title: string;
  passed: boolean;
  /** Set when the lesson could not run at all on this lab (e.g. it needs MQTT 5 and the broker lacks it). */
  skipped?: string;
  /** Set when the lesson could not start on this lab (e.g. its broker users and ACL cannot be set there); it fails. */
  error?: string;
  steps: StepResult[];
  /** Problems while resetting the lab afterwards; they do not fail the lesson. */
  cleanup: string[];
  durationMs: number;
}
