// The capture viewer's own state: which file is open, and the ways to open one (file picker, drop, a URL
// beside the page, a bundled demo). The packets themselves reach the views through the ordinary LabStore.
import type { CaptureLabApi, OpenedCapture } from '../lib/viewer/capture-lab.js';
import { DEMO_CAPTURES, dataUrlBytes } from '../lib/viewer/demo-captures.js';
import type { NoticeStore } from './notices.svelte.js';

export class ViewerStore {
  opened = $state.raw<OpenedCapture | null>(null);
  busy = $state(false);

  constructor(private readonly source: CaptureLabApi, private readonly notices: NoticeStore) {}

  /** `?capture=URL` opens a file served beside the page; `?demo` (or `?demo=NAME`) replays a bundled one. */
  async fromLocation(loc: Location): Promise<void> {
    const params = new URLSearchParams(loc.search);
    const url = params.get('capture');
    if (url !== null && url !== '') await this.openUrl(url, loc);
    else if (params.has('demo')) this.demo(params.get('demo') || DEMO_CAPTURES[0]!.name);
  }

  async openFile(file: File): Promise<void> {
    await this.#guard(`Opening ${file.name}`, async () => this.#show(file.name, new Uint8Array(await file.arrayBuffer())));
  }

  async openUrl(url: string, loc: Location): Promise<void> {
    await this.#guard(`Opening ${url}`, async () => {
      if (loc.protocol === 'file:') {
        throw new Error('a page opened from file:// may not read other files; use "Open a capture" or drop the file here');
      }
      const res = await fetch(new URL(url, loc.href));
      if (!res.ok) throw new Error(`the server answered ${res.status} ${res.statusText}`);
      const name = decodeURIComponent(new URL(url, loc.href).pathname.split('/').pop() || url);
      this.#show(name, new Uint8Array(await res.arrayBuffer()));
    });
  }

  demo(name: string): void {
    const d = DEMO_CAPTURES.find((x) => x.name === name);
    if (d === undefined) {
      this.notices.push(`No demo capture '${name}'; there are ${DEMO_CAPTURES.map((x) => x.name).join(', ')}`, 'error');
      return;
    }
    this.opened = this.source.replay(`${d.name}.pcapng`, dataUrlBytes(d.dataUrl));
    this.#watchReplay();
  }

  #show(name: string, bytes: Uint8Array): void {
    const opened = this.source.open(name, bytes);
    this.opened = opened;
    const n = opened.notes.length;
    if (opened.packets === 0) this.notices.push(`${name}: no MQTT packets found (TCP port 1883 or 8883, or a conversation that opens with CONNECT)`, 'error');
    if (n > 0) this.notices.push(`${name}: ${opened.notes[0]}${n > 1 ? ` (and ${n - 1} more notes)` : ''}`, 'info');
  }

  /** The replay ends on its own; the header's "replaying" mark should too. */
  #watchReplay(): void {
    const t = setInterval(() => {
      if (this.opened?.replaying) return;
      clearInterval(t);
      this.opened = this.opened === null ? null : { ...this.opened };
    }, 500);
  }

  async #guard(what: string, fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await fn();
    } catch (e) {
      this.notices.push(`${what}: ${e instanceof Error ? e.message : String(e)}`, 'error');
    } finally {
      this.busy = false;
    }
  }
}
