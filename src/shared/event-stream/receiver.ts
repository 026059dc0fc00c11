// The page's end of the stream: decodes each frame, hands its events to the listeners, and only then gives the
// sender its credit back, once the views have applied and painted what the listeners queued. A page busy
// rendering thus slows the sender down instead of piling frames up in its own memory.
import { decodeFrame, FrameError, isStreamFrame } from './frame-decoder.js';

export interface ReceiverOptions {
  dispatch(event: string, data: unknown): void;
  /** Tells the sender it may send `n` more frames. */
  grant(n: number): void;
  /** Runs `fn` once the frame's events have been applied (default: afterPaint). */
  later?(fn: () => void): void;
  /** A frame that could not be read (a bug on one side or the other: said, never swallowed). */
  onError?(e: Error): void;
}

/**
 * In a page: after the next animation frame has run (where the views apply queued events and render) and
 * painted, so credit follows what the page has really shown; a hidden page then takes nothing more until it
 * is seen again, and is told what it missed. Elsewhere: after the current task.
 */
export function afterPaint(fn: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  if (typeof raf === 'function') raf(() => setTimeout(fn, 0));
  else setTimeout(fn, 0);
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
      const later = this.#o.later ?? afterPaint;
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
