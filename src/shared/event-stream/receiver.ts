// The page's end of the stream: decodes each frame, hands its events to the listeners, and only then gives the
// sender its credit back, after the work the listeners queued (Svelte's effects) has had its turn. A page busy
// rendering thus slows the sender down instead of piling frames up in its own memory.
import { decodeFrame, FrameError, isStreamFrame } from './frame-decoder.js';

export interface ReceiverOptions {
  dispatch(event: string, data: unknown): void;
  /** Tells the sender it may send `n` more frames. */
  grant(n: number): void;
  /** Runs `fn` once the current task and its microtasks are done (setTimeout 0 in a page). */
  later?(fn: () => void): void;
  /** A frame that could not be read (a bug on one side or the other: said, never swallowed). */
  onError?(e: Error): void;
}

export class EventReceiver {
  #o: ReceiverOptions;
  #owed = 0;
  #scheduled = false;

  constructor(opts: ReceiverOptions) {
    this.#o = opts;
  }

  /** A frame as JSON text or already parsed. Returns false when it is not a stream frame at all. */
  receive(frame: unknown): boolean {
    let f = frame;
    if (typeof f === 'string') {
      try {
        f = JSON.parse(f);
      } catch {
        this.#fail(new FrameError('a stream frame is not JSON'));
        return true;
      }
    }
    if (!isStreamFrame(f)) return false;
    try {
      decodeFrame(f, (event, data) => {
        try {
          this.#o.dispatch(event, data);
        } catch (e) {
          // One broken view must not stop the stream for the others.
          console.error(`listener for ${event} failed`, e);
        }
      });
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    }
    // Credit is owed even for a frame that could not be read: the sender spent it.
    this.#owed++;
    if (!this.#scheduled) {
      this.#scheduled = true;
      const later = this.#o.later ?? ((fn: () => void) => void setTimeout(fn, 0));
      later(() => {
        this.#scheduled = false;
        const n = this.#owed;
        this.#owed = 0;
        this.#o.grant(n);
      });
    }
    return true;
  }

  #fail(e: Error): void {
    if (this.#o.onError) this.#o.onError(e);
    else console.error('unreadable stream frame', e);
  }
}
