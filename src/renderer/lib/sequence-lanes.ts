// Which lanes the sequence diagram draws when a whole class is connected. Two hundred lifelines cannot be
// read from the back of a lecture hall, so clients fold into one lane per group (client-id prefix, or a
// prefix the lecturer chose), connected clients with nothing in view fold into one "N idle" lane, and a
// focus on one client or one group unfolds just that while the rest stays folded. Plain data, no pixels.
import { groupOf } from '../../shared/client-groups.js';

/** auto: fold groups only when the lanes would not fit; groups: always fold; each: one lane per client. */
export type LaneMode = 'auto' | 'groups' | 'each';

export type LaneFocus = { kind: 'client' | 'group'; key: string } | null;

export interface LaneInput {
  /** Every client lane (client id or `conn #N`), in order of appearance. */
  lanes: readonly string[];
  /** Lanes with a packet in view or lately: these are drawn. */
  active: ReadonlySet<string>;
  /** Lanes of connected clients: drawn folded into the idle lane when not active. */
  connected: ReadonlySet<string>;
  /** How many lanes fit the diagram's width. */
  fit: number;
  mode: LaneMode;
  /** The lecturer's own groups: a lane belongs to the longest of these its name starts with. */
  prefixes: readonly string[];
  focus: LaneFocus;
  /** Unfold the idle lane: idle clients get lanes (or group lanes) like the active ones. */
  showIdle: boolean;
}

export interface PlannedLane {
  /** Key for the geometry: the client lane itself, or a key no client id can take for a group or idle lane. */
  key: string;
  kind: 'client' | 'group' | 'idle';
  title: string;
  /** The group a client lane belongs to, or the group a group lane stands for. */
  group: string;
  /** Client lanes drawn on this lane (a client lane: itself). */
  members: string[];
  focused: boolean;
}

export interface LanePlan {
  lanes: PlannedLane[];
  /** The planned lane each drawn client lane's arrows go to. */
  of: Map<string, string>;
  /** Connected clients folded into the idle lane. */
  idle: number;
  /** Closed clients with nothing in view: not drawn at all. */
  gone: number;
}

export const IDLE_LANE = '\u0000idle';
const GROUP_KEY = '\u0000group:';

export function groupLaneKey(group: string): string {
  return GROUP_KEY + group;
}

/** The group of a client lane: the lecturer's longest matching prefix, else the client-id prefix. */
export function laneGroup(lane: string, prefixes: readonly string[]): string {
  let best = '';
  for (const p of prefixes) if (p.length > best.length && lane.startsWith(p)) best = p;
  return best || groupOf(lane);
}

export function planLanes(input: LaneInput): LanePlan {
  const { lanes, active, connected, focus, prefixes } = input;
  const groupOfLane = new Map<string, string>();
  const gOf = (l: string): string => {
    let g = groupOfLane.get(l);
    if (g === undefined) groupOfLane.set(l, (g = laneGroup(l, prefixes)));
    return g;
  };
  const inFocus = (l: string): boolean =>
    focus !== null && (focus.kind === 'client' ? l === focus.key : gOf(l) === focus.key);

  const shown: string[] = [];
  const idle: string[] = [];
  for (const l of lanes) {
    if (active.has(l) || inFocus(l) || (input.showIdle && connected.has(l))) shown.push(l);
    else if (connected.has(l)) idle.push(l);
  }

  const byGroup = new Map<string, string[]>();
  for (const l of shown) {
    const g = gOf(l);
    const list = byGroup.get(g);
    if (list) list.push(l);
    else byGroup.set(g, [l]);
  }
  const folded = new Set<string>();
  const foldable = [...byGroup].filter(([, m]) => m.length > 1);
  if (focus !== null) {
    // Focused: everything else folds, whatever the mode, so the focused lanes stand out.
    for (const [g] of foldable) if (!(focus.kind === 'group' && g === focus.key)) folded.add(g);
  } else if (input.mode === 'groups') {
    for (const [g] of foldable) folded.add(g);
  } else if (input.mode === 'auto') {
    // Fold the biggest groups first: they free the most room for the fewest lanes lost.
    let count = shown.length + (idle.length ? 1 : 0);
    foldable.sort((a, b) => b[1].length - a[1].length);
    for (const [g, m] of foldable) {
      if (count <= input.fit) break;
      folded.add(g);
      count -= m.length - 1;
    }
  }

  const out: PlannedLane[] = [];
  const of = new Map<string, string>();
  const groupLanes = new Map<string, PlannedLane>();
  for (const l of shown) {
    const g = gOf(l);
    const ownLane = !folded.has(g) || (focus?.kind === 'client' && l === focus.key);
    if (ownLane) {
      out.push({ key: l, kind: 'client', title: l, group: g, members: [l], focused: inFocus(l) });
      of.set(l, l);
      continue;
    }
    let lane = groupLanes.get(g);
    if (!lane) {
      lane = { key: groupLaneKey(g), kind: 'group', title: '', group: g, members: [], focused: false };
      groupLanes.set(g, lane);
      out.push(lane);
    }
    lane.members.push(l);
    of.set(l, lane.key);
  }
  for (const lane of groupLanes.values()) lane.title = `${lane.group}* (${lane.members.length})`;
  if (idle.length) out.push({ key: IDLE_LANE, kind: 'idle', title: `${idle.length} idle`, group: '', members: idle, focused: false });
  return { lanes: out, of, idle: idle.length, gone: lanes.length - shown.length - idle.length };
}

/** What a member of a group lane is called on its arrows: its id without the group's prefix, when it has one. */
export function memberTag(lane: string, group: string): string {
  return group && lane.startsWith(group) && lane.length > group.length ? lane.slice(group.length) : lane;
}

/** Parses the lecturer's group box: prefixes separated by commas or spaces, duplicates and blanks dropped. */
export function parsePrefixes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((p) => p !== ''))];
}

/**
 * A lane title cut to `max` characters. Numbered ids keep their number, which is what tells them apart
 * (`student-017` → `stud…017`); other ids keep their start (`dashboard` → `dashbo…`).
 */
export function shortLane(id: string, max: number): string {
  if (id.length <= max) return id;
  const g = groupOf(id);
  const tail = id.startsWith(g) && id.length > g.length ? id.slice(g.length) : '';
  if (tail !== '' && /\d/.test(tail) && tail.length <= max - 3) return id.slice(0, max - 1 - tail.length) + '…' + tail;
  return id.slice(0, Math.max(1, max - 1)) + '…';
}

export interface GroupHeading {
  title: string;
  /** Font size relative to a lane title's: a little smaller rather than cut. */
  scale: number;
  count: string;
}

/** Smallest font a group title may shrink to before it is cut: still readable from the back of a hall. */
const MIN_TITLE_SCALE = 0.78;

/**
 * A group lane's two header lines within `chars` title characters. The group must stay identifiable when
 * lanes narrow, so the title gives up its decorations before any letter: `student-*`, then `student-`, then
 * `student`; then it shrinks a little; only then is it cut (the full name stays in the tooltip). The count
 * says `12 clients`, or `×12` where that does not fit.
 */
export function groupHeading(group: string, members: number, chars: number): GroupHeading {
  const bare = group.replace(/[-_./:]+$/, '') || group;
  const forms = [`${group}*`, group, bare];
  const fits = forms.find((f) => f.length <= chars);
  // Titles reckon 0.62rem a character and keep one spare; a count, at 0.8rem, needs about 0.48rem a character
  // and may use the lane's whole width.
  const countChars = Math.floor(((chars + 2) * 0.62) / 0.48);
  const long = `${members} clients`;
  const count = long.length <= countChars ? long : `×${members}`;
  if (fits !== undefined) return { title: fits, scale: 1, count };
  if (bare.length * MIN_TITLE_SCALE <= chars) return { title: bare, scale: chars / bare.length, count };
  return { title: `${bare.slice(0, Math.max(1, Math.floor(chars / MIN_TITLE_SCALE) - 1))}…`, scale: MIN_TITLE_SCALE, count };
}
