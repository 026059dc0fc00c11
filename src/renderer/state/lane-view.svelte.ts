// How the sequence diagram folds a crowd of lanes: the grouping mode, the lecturer's own group prefixes
// (kept across reloads, like the rest of a projector setup), the focused client or group, and whether idle
// clients are unfolded.
import { parsePrefixes, type LaneFocus, type LaneMode } from '../lib/sequence-lanes.js';

const KEY = 'mqtt-lab.lanes';
const MODES: readonly LaneMode[] = ['auto', 'groups', 'each'];

export class LaneView {
  mode = $state<LaneMode>('auto');
  /** The lecturer's groups as typed: prefixes separated by commas or spaces. */
  prefixText = $state('');
  focus = $state<LaneFocus>(null);
  showIdle = $state(false);
  readonly prefixes = $derived(parsePrefixes(this.prefixText));

  constructor() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) ?? '{}') as { mode?: LaneMode; prefixes?: string };
      if (s.mode && MODES.includes(s.mode)) this.mode = s.mode;
      if (typeof s.prefixes === 'string') this.prefixText = s.prefixes;
    } catch {
      // no storage, or a damaged entry: start with the defaults
    }
  }

  save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify({ mode: this.mode, prefixes: this.prefixText }));
    } catch {
      // private mode or full storage: the setup just does not persist
    }
  }

  /** Focuses one client or one group; the same again takes the focus away. */
  toggleFocus(kind: 'client' | 'group', key: string): void {
    this.focus = this.focus?.kind === kind && this.focus.key === key ? null : { kind, key };
  }
}
