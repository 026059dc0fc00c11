// Saves a page (or the Electron shell) pulls part by part: capture.saveStart, capture.saveRead until done,
// capture.saveCancel. The puller is the backpressure: a part is made only when the previous one was taken,
// so a slow page or disk slows the save instead of piling the file up in the core.
import type { SavePart, SaveProgress } from '../../shared/api.js';
import { CaptureSaveJob } from './capture-saving.js';
import type { LabParts } from './lab-parts.js';

/** A save nobody reads for this long is given up (a page closed mid-save must not pin a snapshot forever). */
export const IDLE_MS = 60_000;
/** A read answers with at least the progress after this long, even when no part is ready yet. */
export const READ_WAIT_MS = 250;
/** Saves at once: each holds a snapshot index of its capture. */
export const MAX_SAVES = 4;

interface Save {
  job: CaptureSaveJob;
  parts: AsyncGenerator<Uint8Array, void, undefined>;
  next: Promise<IteratorResult<Uint8Array, void>> | null;
  reading: boolean;
  idle: ReturnType<typeof setTimeout>;
}

export class CaptureDownloads {
  readonly #saves = new Map<string, Save>();
  #count = 0;

  constructor(private readonly lab: LabParts, private readonly opts: { idleMs?: number; waitMs?: number } = {}) {}

  start(brokerPort?: number): { saveId: string; progress: SaveProgress } {
    if (this.#saves.size >= MAX_SAVES) throw new Error(`${MAX_SAVES} saves are already running; wait for one to finish or cancel it`);
    const job = new CaptureSaveJob(this.lab, brokerPort);
    const saveId = `save-${++this.#count}`;
    const save: Save = { job, parts: job.chunks(), next: null, reading: false, idle: this.#idle(saveId) };
    this.#saves.set(saveId, save);
    return { saveId, progress: job.progress() };
  }

  async read(saveId: string): Promise<SavePart> {
    const save = this.#get(saveId);
    if (save.reading) throw new Error(`a read of ${saveId} is already waiting; read one part at a time`);
    clearTimeout(save.idle);
    save.reading = true;
    try {
      save.next ??= save.parts.next();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.opts.waitMs ?? READ_WAIT_MS)));
      const got = await Promise.race([save.next, waited]).finally(() => clearTimeout(timer));
      if (got === null) return { chunk: '', done: false, progress: save.job.progress() };
      save.next = null;
      if (got.done === true) {
        this.#forget(saveId);
        return { chunk: '', done: true, progress: save.job.progress() };
      }
      return { chunk: Buffer.from(got.value.buffer, got.value.byteOffset, got.value.length).toString('base64'), done: false, progress: save.job.progress() };
    } catch (e) {
      this.#forget(saveId);
      throw e;
    } finally {
      save.reading = false;
      if (this.#saves.has(saveId)) save.idle = this.#idle(saveId);
    }
  }

  cancel(saveId: string): void {
    const save = this.#get(saveId);
    save.job.cancel();
    // A read may be waiting on the part being made: it fails with the cancel's message.
    void save.next?.catch(() => undefined);
    this.#forget(saveId);
  }

  /** Every save given up (the lab is stopping). */
  cancelAll(): void {
    for (const id of [...this.#saves.keys()]) this.cancel(id);
  }

  #get(saveId: string): Save {
    const save = this.#saves.get(saveId);
    if (save === undefined) throw new Error(`no save '${saveId}' is running (it finished, failed, was cancelled or sat unread for ${(this.opts.idleMs ?? IDLE_MS) / 1000} s)`);
    return save;
  }

  #forget(saveId: string): void {
    const save = this.#saves.get(saveId);
    if (save === undefined) return;
    clearTimeout(save.idle);
    this.#saves.delete(saveId);
  }

  #idle(saveId: string): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      if (this.#saves.has(saveId)) this.cancel(saveId);
    }, this.opts.idleMs ?? IDLE_MS);
    t.unref?.();
    return t;
  }
}
