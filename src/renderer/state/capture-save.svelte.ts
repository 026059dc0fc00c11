// Saving the capture from the page: the lab makes the file a part at a time (so the class goes on while
// a million packets are saved) and the page pulls the parts, showing how far it is and offering Cancel.
// The parts are kept as binary pieces of one Blob, never as one big string.
import type { LabApi, SaveProgress } from '../../shared/api.js';
import { downloadFile } from '../lib/download.js';

/** base64 to bytes: the engine's own decoder where it has one. */
function fromBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native !== undefined) return native(text);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export type SaveOutcome = { saved: string; packets: number } | { cancelled: true } | { failed: string };

export class CaptureSaver {
  /** How far the running save is; null when none runs. */
  progress = $state.raw<SaveProgress | null>(null);
  #cancel: (() => void) | null = null;

  constructor(private readonly api: Pick<LabApi, 'call'>) {}

  get saving(): boolean {
    return this.progress !== null;
  }

  /** Saves the capture as it is now and hands it to the browser as a download named `name`. */
  async save(name: string): Promise<SaveOutcome> {
    if (this.saving) return { failed: 'a save is already running' };
    let cancelled = false;
    let saveId: string | null = null;
    this.progress = { phase: 'reading', done: 0, total: 0 };
    this.#cancel = () => {
      cancelled = true;
      if (saveId !== null) void this.api.call('capture.saveCancel', { saveId }).catch(() => undefined);
    };
    try {
      const started = await this.api.call('capture.saveStart', {});
      saveId = started.saveId;
      this.progress = started.progress;
      const parts: Uint8Array[] = [];
      for (;;) {
        if (cancelled) return { cancelled: true };
        const part = await this.api.call('capture.saveRead', { saveId });
        if (cancelled) return { cancelled: true };
        this.progress = part.progress;
        if (part.done) {
          downloadFile(name, new Blob(parts as BlobPart[]), 'application/vnd.tcpdump.pcap');
          return { saved: name, packets: part.progress.total };
        }
        if (part.chunk !== '') parts.push(fromBase64(part.chunk));
      }
    } catch (e) {
      return cancelled ? { cancelled: true } : { failed: e instanceof Error ? e.message : String(e) };
    } finally {
      this.progress = null;
      this.#cancel = null;
    }
  }

  /** Stops the running save; nothing is downloaded. */
  cancel(): void {
    this.#cancel?.();
  }
}
