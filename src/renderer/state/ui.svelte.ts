// View preferences: theme, zoom, which panels show. Kept in localStorage so a lecturer's projector setup
// survives a reload.

import type { ColumnId } from '../lib/list-columns.js';

export type Theme = 'dark' | 'light';
export type SideTab = 'lesson' | 'clients' | 'faults' | 'topics';
export type CenterView = 'both' | 'diagram' | 'list';

const KEY = 'mqtt-lab.ui';
const ZOOMS = [0.67, 0.75, 0.85, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5];

interface Saved {
  theme?: Theme;
  zoom?: number;
  sideTab?: SideTab;
  showSide?: boolean;
  showDetail?: boolean;
  center?: CenterView;
  split?: number;
  detailSplit?: number;
  pace?: number;
  cols?: Partial<Record<ColumnId, number>>;
  clock?: boolean;
}

function load(): Saved {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

export class UiStore {
  theme = $state<Theme>('dark');
  zoom = $state(1);
  // A newcomer lands on the numbered lesson list, the way into the course.
  sideTab = $state<SideTab>('lesson');
  showSide = $state(true);
  showDetail = $state(true);
  center = $state<CenterView>('both');
  /** Share of the centre column the diagram takes when both views show. */
  split = $state(0.36);
  /** Share of the centre column the packet detail (tree and bytes, below the list) takes. */
  detailSplit = $state(0.32);
  /** Milliseconds between arrows drawn in sequence (0 = as they arrive). */
  pace = $state(150);
  /** Packet-list column widths the user dragged, in em (fr for the flexible ones). */
  cols = $state<Partial<Record<ColumnId, number>>>({});
  /** Absolute clock times instead of seconds since the first packet. */
  clock = $state(false);
  help = $state(false);
  /** The list and the diagram keep the newest packet in view until the user scrolls back. */
  follow = $state(true);
  connectInfo = $state(false);

  constructor() {
    const s = load();
    const prefersLight = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches;
    this.theme = s.theme ?? (prefersLight ? 'light' : 'dark');
    if (s.zoom && ZOOMS.includes(s.zoom)) this.zoom = s.zoom;
    if (s.sideTab) this.sideTab = s.sideTab;
    if (s.showSide !== undefined) this.showSide = s.showSide;
    if (s.showDetail !== undefined) this.showDetail = s.showDetail;
    if (s.center) this.center = s.center;
    if (s.split) this.split = Math.min(0.85, Math.max(0.15, s.split));
    if (s.clock !== undefined) this.clock = s.clock;
    if (s.detailSplit) this.detailSplit = Math.min(0.75, Math.max(0.15, s.detailSplit));
    if (s.cols && typeof s.cols === 'object') this.cols = s.cols;
    if (typeof s.pace === 'number' && s.pace >= 0) this.pace = s.pace;
  }

  save(): void {
    const s: Saved = {
      theme: this.theme, zoom: this.zoom, sideTab: this.sideTab, showSide: this.showSide,
      showDetail: this.showDetail, center: this.center, split: this.split, clock: this.clock,
      detailSplit: this.detailSplit, cols: this.cols, pace: this.pace,
    };
    try {
      localStorage.setItem(KEY, JSON.stringify(s));
    } catch {
      // private mode or full storage: preferences just do not persist
    }
  }

  zoomBy(step: 1 | -1 | 0): void {
    if (step === 0) this.zoom = 1;
    else {
      const i = ZOOMS.findIndex((z) => z >= this.zoom - 1e-9);
      this.zoom = ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, (i < 0 ? ZOOMS.length - 1 : i) + step))]!;
    }
    this.save();
  }

  toggleTheme(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    this.save();
  }

  openTab(tab: SideTab): void {
    if (this.showSide && this.sideTab === tab) this.showSide = false;
    else {
      this.sideTab = tab;
      this.showSide = true;
    }
    this.save();
  }
}
