// Saving the capture to a file on this machine (the desktop app's File › Save): the parts of
// capture.saveStart/saveRead go to a file stream, and the next part is asked for only once the disk
// has taken the last one. The file is written as NAME.part and renamed when whole, so a cancelled or
// failed save never leaves something that looks like a finished capture.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { LabApi, SaveProgress } from '../../shared/api.js';

export interface SaveToFileOptions {
  brokerPort?: number;
  onProgress?: (p: SaveProgress) => void;
  /** Aborting cancels the save and removes the partial file. */
  signal?: AbortSignal;
}

/** Saves the capture as it is now to `path`; resolves with the final progress (packets written). */
export async function saveCaptureToFile(api: Pick<LabApi, 'call'>, path: string, opts: SaveToFileOptions = {}): Promise<SaveProgress> {
  const partial = `${path}.part`;
  const { saveId, progress: first } = await api.call('capture.saveStart', opts.brokerPort === undefined ? {} : { brokerPort: opts.brokerPort });
  opts.onProgress?.(first);
  const out = createWriteStream(partial);
  let failed: Error | null = null;
  out.on('error', (e) => (failed ??= e));
  let running = true;
  try {
    for (;;) {
      if (opts.signal?.aborted === true) throw new Error('The save was cancelled.');
      if (failed !== null) throw failed;
      const part = await api.call('capture.saveRead', { saveId });
      opts.onProgress?.(part.progress);
      if (part.done) {
        running = false;
        out.end();
        await once(out, 'finish');
        if (failed !== null) throw failed;
        await rename(partial, path);
        return part.progress;
      }
      if (part.chunk !== '' && !out.write(Buffer.from(part.chunk, 'base64'))) await once(out, 'drain');
    }
  } catch (e) {
    // A save that failed in the lab is gone already; one stopped here is cancelled there.
    if (running) await api.call('capture.saveCancel', { saveId }).catch(() => undefined);
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
}
