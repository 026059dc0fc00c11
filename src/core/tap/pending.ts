// A packet waiting at the tap: held by a rule, delayed, or waiting for the lecturer's step. Packets of
// one direction of one connection leave in order, as TCP would deliver them: a held packet holds up the
// ones behind it.
import type { TimerHandle } from '../../shared/clock.js';
import type { Direction, PacketRecord } from '../../shared/lab.js';

export interface Pending {
  /** The record the fault acted on; null for packets merely queued behind a waiting one. */
  record: PacketRecord | null;
  dir: Direction;
  /** Bytes to send (after any corruption). */
  bytes: Uint8Array;
  /** False while delayed, held or waiting for a step. */
  ready: boolean;
  /** Set once it has been written to the other side or discarded. */
  done: boolean;
  since: number;
  timer?: TimerHandle;
  /** Lets it go: its connection writes it, and any ready packets queued behind it. */
  release: () => void;
}
