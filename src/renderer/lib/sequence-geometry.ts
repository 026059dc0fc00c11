// Pixels for the visible part of the sequence diagram: d3 places the lanes, this turns rows into arrows,
// notes and group brackets. Only rows in (or reaching into) the viewport are computed, so the cost of a frame
// does not grow with the capture.
import { scaleLinear, scalePoint } from 'd3';
import { isWaiting } from './labels.js';
import type { SeqRow, SequenceLayout } from './sequence-layout.js';

export type ArrowKind = 'normal' | 'drop' | 'delay' | 'waiting' | 'released' | 'sever' | 'corrupt';

export interface ArrowVM {
  /** The row here; the view makes it the slot of the element that draws the arrow (sequence-slots.ts). */
  key: number;
  seq: number;
  lane: string;
  type: string;
  kind: ArrowKind;
  toBroker: boolean;
  d: string;
  /**
   * A packet held at the tap and released later, in three pieces: to the tap, waiting at the tap, and on to its
   * receiver (`d` is the whole path, for the hit area).
   */
  split?: { toTap: string; wait: string; onward: string; waitMidY: number };
  /** On a group lane: which member sent or receives it (its id without the group's prefix). */
  member?: string;
  /** Arrowhead polygon points (absent when the packet never arrived). */
  head?: string;
  /** Where the packet stopped at the tap (✕, ⚡ or the waiting pulse). */
  stop?: { x: number; y: number };
  y: number;
  label: string;
  labelX: number;
  labelY: number;
  faultLabel?: string;
  faultX?: number;
  faultY?: number;
  time: string;
  willOf?: string;
  issues: boolean;
  fresh: boolean;
}

export interface NoteVM {
  key: number;
  kind: string;
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'end';
  markX: number;
}

export interface GroupVM {
  key: number;
  qos: 1 | 2;
  y1: number;
  y2: number;
  x1: number;
  x2: number;
  bracketX: number;
  label: string;
  state: 'done' | 'open' | 'abandoned';
}

export interface LaneVM {
  key: string;
  x: number;
}

export interface Frame {
  width: number;
  /** Pixels of one rem, so the diagram scales with the zoom. */
  rem: number;
  rowH: number;
  headerH: number;
  /** Draw the web server's lane (HTTP beside MQTT), right of the broker's. */
  web?: boolean;
}

export interface LaneGeometry {
  lanes: LaneVM[];
  tapX: number;
  tapW: number;
  brokerX: number;
  /** x of the web server's lane, where HTTP requests go (only when the frame has one). */
  webX?: number;
  gutter: number;
  contentWidth: number;
  /** How many characters of a lane title fit between neighbouring lanes. */
  titleChars: number;
  /** x of a client lane (the planned lane it is drawn on, when `of` maps it). */
  laneX: (key: string) => number;
  /** The member tag of a client lane drawn on a group lane. */
  tagOf: (key: string) => string | undefined;
}

const gutterOf = (f: Frame): number => 4.6 * f.rem;
const groupMarginOf = (f: Frame): number => 9.5 * f.rem;
const minLaneOf = (f: Frame): number => 5.5 * f.rem;
const tapGapOf = (f: Frame): number => Math.max(6 * f.rem, Math.min(14 * f.rem, f.width * 0.15));
/** Room for the web server's lane beyond the broker's QoS brackets: its title is 10 characters. */
const webLaneOf = (f: Frame): number => (f.web ? 7.5 * f.rem : 0);

/** How many lanes fit side by side without the diagram scrolling sideways. */
export function lanesThatFit(f: Frame): number {
  return Math.max(1, Math.floor((f.width - gutterOf(f) - tapGapOf(f) - groupMarginOf(f) - webLaneOf(f)) / minLaneOf(f)));
}

/**
 * Lanes placed left of the tap. `of` maps client lanes to the planned lane they are drawn on (a group's lane),
 * and `tags` names a folded client on its group lane's arrows.
 */
export function laneGeometry(
  lanes: readonly string[],
  f: Frame,
  of?: ReadonlyMap<string, string>,
  tags?: (key: string) => string | undefined,
): LaneGeometry {
  const gutter = gutterOf(f);
  const groupMargin = groupMarginOf(f);
  const minLane = minLaneOf(f);
  const tapW = 2.6 * f.rem;
  const tapGap = tapGapOf(f);
  const webLane = webLaneOf(f);
  // Lanes spread over the room left of the tap, but never closer than minLane: then the diagram scrolls sideways.
  const needed = gutter + lanes.length * minLane + tapGap + groupMargin + webLane;
  const contentWidth = Math.max(f.width, needed);
  const brokerX = contentWidth - groupMargin - webLane;
  const tapX = brokerX - tapGap;
  const scale = scalePoint<string>().domain(lanes).range([gutter, tapX - tapW / 2 - 1.5 * f.rem]).padding(0.5);
  const laneX = (key: string): number => scale(of?.get(key) ?? key) ?? gutter;
  const tagOf = (key: string): string | undefined => (of !== undefined && of.get(key) !== key ? tags?.(key) : undefined);
  // Titles are bold at 0.95rem: roughly 0.62rem per character.
  const titleChars = Math.max(4, Math.floor((lanes.length > 1 ? scale.step() : tapX - gutter) / (0.62 * f.rem)) - 1);
  const geo: LaneGeometry = {
    lanes: lanes.map((key) => ({ key, x: scale(key) ?? gutter })), tapX, tapW, brokerX, gutter, contentWidth, titleChars, laneX, tagOf,
  };
  if (f.web) geo.webX = contentWidth - webLane / 2;
  return geo;
}

export interface VisibleParts {
  arrows: ArrowVM[];
  notes: NoteVM[];
  groups: GroupVM[];
}

const FRESH_MS = 900;

export function visibleParts(
  layout: SequenceLayout,
  g: LaneGeometry,
  f: Frame,
  scrollTop: number,
  viewH: number,
  timeOf: (t: number) => string,
  now: number,
): VisibleParts {
  const rows = layout.rows;
  const yOf = (row: number): number => f.headerH + row * f.rowH + f.rowH / 2;
  const first = Math.max(0, Math.floor(scrollTop / f.rowH) - 1);
  const last = Math.min(rows.length - 1, Math.ceil((scrollTop + viewH) / f.rowH) + 1);
  const delayY = scaleLinear().domain([0, 3000]).range([0, 5 * f.rowH]).clamp(true);
  const arrows: ArrowVM[] = [];
  const notes: NoteVM[] = [];
  // Delayed and held arrows end below their own row, so look back a little (and at every held row).
  const LOOKBACK = 6;
  const extra = new Set<number>();
  for (const r of layout.holdRows) if (r < first - LOOKBACK) extra.add(r);
  const from = Math.max(0, first - LOOKBACK);
  const indices: number[] = [...extra];
  for (let i = from; i <= last; i++) indices.push(i);
  for (const i of indices) {
    const row = rows[i]!;
    // Paced: a row whose turn has not come yet is not drawn (it appears in sequence order, a moment later).
    if (row.addedAt > now) continue;
    if (row.note) {
      if (i < first) continue;
      notes.push(noteVM(row, g, yOf(i), f));
      continue;
    }
    const a = arrowVM(row, layout, g, f, yOf, delayY, timeOf, now);
    if (!a) continue;
    const bottom = Math.max(a.y, a.stop?.y ?? 0, parseEndY(a));
    if (i < first && bottom < yOf(first) - f.rowH) continue;
    arrows.push(a);
  }
  const groups = layout.groupsIn(from, last).map((grp): GroupVM => {
    const xc = g.laneX(grp.lane);
    return {
      key: grp.id,
      qos: grp.qos,
      y1: yOf(grp.firstRow) - f.rowH * 0.42,
      y2: yOf(grp.lastRow) + f.rowH * 0.42,
      x1: Math.min(xc, g.brokerX) - 0.6 * f.rem,
      x2: Math.max(xc, g.brokerX) + 0.6 * f.rem,
      bracketX: g.brokerX + (0.9 + grp.depth * 0.7) * f.rem,
      label: `QoS ${grp.qos} m${grp.packetId}`,
      state: grp.done ? 'done' : grp.abandoned ? 'abandoned' : 'open',
    };
  });
  return { arrows, notes, groups };
}

function parseEndY(a: ArrowVM): number {
  const m = /(-?[\d.]+)$/.exec(a.d);
  return m ? Number(m[1]) : a.y;
}

function head(x: number, y: number, fromX: number, fromY: number, size: number): string {
  const ang = Math.atan2(y - fromY, x - fromX);
  const p = (da: number): string => `${(x - size * Math.cos(ang + da)).toFixed(1)},${(y - size * Math.sin(ang + da)).toFixed(1)}`;
  return `${x.toFixed(1)},${y.toFixed(1)} ${p(0.45)} ${p(-0.45)}`;
}

function arrowVM(
  row: SeqRow,
  layout: SequenceLayout,
  g: LaneGeometry,
  f: Frame,
  yOf: (row: number) => number,
  delayY: (ms: number) => number,
  timeOf: (t: number) => string,
  now: number,
): ArrowVM | undefined {
  const p = row.p;
  if (!p) return undefined;
  const y = yOf(row.row);
  const xc = g.laneX(row.lane);
  const toBroker = p.direction === 'toBroker';
  // HTTP goes between the client and the web server, not the broker ('toBroker' is towards the server).
  const serverX = p.type === 'HTTP' && g.webX !== undefined ? g.webX : g.brokerX;
  const x1 = toBroker ? xc : serverX;
  const x2 = toBroker ? serverX : xc;
  const xt = g.tapX;
  const fault = p.fault;
  const hs = 0.55 * f.rem;
  let kind: ArrowKind = 'normal';
  let d = `M${x1},${y} L${x2},${y}`;
  let endY = y;
  let prevX = x1;
  let prevY = y;
  let stop: { x: number; y: number } | undefined;
  if (fault) {
    switch (fault.action) {
      case 'drop':
        kind = 'drop';
        break;
      case 'sever':
        kind = 'sever';
        break;
      case 'corrupt':
        kind = 'corrupt';
        break;
      case 'delay':
        kind = 'delay';
        endY = y + Math.max(f.rowH * 0.6, delayY(fault.ms ?? 0));
        break;
      case 'hold': case 'step':
        if (isWaiting(p)) kind = 'waiting';
        else {
          kind = 'released';
          const releasedAt = p.time + (fault.ms ?? 0);
          const r = Math.max(row.row + 1, layout.rowAtTime(releasedAt));
          endY = yOf(Math.min(r, layout.rows.length)) - f.rowH * 0.15;
        }
        break;
    }
  }
  if (kind === 'drop' || kind === 'sever' || kind === 'waiting') {
    d = `M${x1},${y} L${xt},${y}`;
    stop = { x: xt, y };
  } else if (kind === 'delay') {
    d = `M${x1},${y} L${xt},${y} L${x2},${endY}`;
    prevX = xt;
  } else if (kind === 'released') {
    d = `M${x1},${y} L${xt},${y} L${xt},${endY} L${x2},${endY}`;
    prevX = xt;
    prevY = endY;
  }
  const split = kind === 'released'
    ? { toTap: `M${x1},${y} L${xt},${y}`, wait: `M${xt},${y} L${xt},${endY}`, onward: `M${xt},${endY} L${x2},${endY}`, waitMidY: (y + endY) / 2 }
    : undefined;
  // The label sits over the client-side half, between the client's lifeline and the tap, on the row where
  // the packet was sent: a slanted arrow's end may share its row with another packet's label.
  const labelY = y - 0.38 * f.rem;
  const a: ArrowVM = {
    key: row.row,
    seq: p.seq,
    lane: row.lane,
    type: p.type,
    kind,
    toBroker,
    d,
    y,
    label: row.label ?? p.type,
    labelX: (xc + xt) / 2,
    labelY,
    time: timeOf(p.time),
    issues: (p.issues ?? 0) > 0,
    fresh: now - row.addedAt < FRESH_MS,
  };
  if (split) a.split = split;
  const tag = g.tagOf(row.lane);
  if (tag !== undefined) a.member = tag;
  if (stop) a.stop = stop;
  else a.head = head(x2, endY, prevX, prevY === endY ? endY : prevY, hs);
  if (fault) {
    a.faultLabel = shortFault(kind, fault.ms);
    a.faultX = xt + g.tapW / 2 + 0.25 * f.rem;
    // A released packet's label sits beside its wait at the tap, which it measures.
    a.faultY = split ? split.waitMidY + 0.3 * f.rem : y - 0.38 * f.rem;
  }
  if (row.willOf !== undefined) a.willOf = row.willOf;
  return a;
}

function shortFault(kind: ArrowKind, ms: number | undefined): string {
  switch (kind) {
    case 'drop': return 'dropped';
    case 'sever': return 'severed';
    case 'corrupt': return 'corrupted';
    case 'delay': return `+${ms ?? 0} ms`;
    case 'waiting': return 'waiting';
    case 'released': return `held ${ms ?? 0} ms`;
    default: return '';
  }
}

function noteVM(row: SeqRow, g: LaneGeometry, y: number, f: Frame): NoteVM {
  const n = row.note!;
  if (n.kind === 'will') {
    return { key: row.row, kind: n.kind, x: g.brokerX - 0.6 * f.rem, y, text: n.text, anchor: 'end', markX: g.brokerX };
  }
  const x = g.laneX(row.lane);
  return { key: row.row, kind: n.ungraceful ? 'ungraceful' : n.kind, x: x + 0.9 * f.rem, y, text: n.text, anchor: 'start', markX: x };
}
