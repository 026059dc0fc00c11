// The sequence diagram's lanes for a class: group folding, the idle lane, focus, and the lecturer's groups.
import { describe, expect, it } from 'vitest';
import { IDLE_LANE, groupHeading, groupLaneKey, laneGroup, memberTag, parsePrefixes, planLanes, shortLane, type LaneInput } from '../../src/renderer/lib/sequence-lanes.js';

const students = Array.from({ length: 200 }, (_, i) => `student-${String(i + 1).padStart(3, '0')}`);

function input(over: Partial<LaneInput>): LaneInput {
  const lanes = over.lanes ?? ['lecturer', ...students];
  return {
    lanes,
    active: new Set(lanes),
    connected: new Set(lanes),
    fit: 6,
    mode: 'auto',
    prefixes: [],
    focus: null,
    showIdle: false,
    ...over,
  };
}

describe('sequence lanes for a class', () => {
  it('folds 200 students into one group lane when they do not fit, keeping each arrow on it', () => {
    const plan = planLanes(input({}));
    expect(plan.lanes.map((l) => [l.kind, l.title])).toEqual([['client', 'lecturer'], ['group', 'student-* (200)']]);
    expect(plan.of.get('student-017')).toBe(groupLaneKey('student-'));
    expect(plan.of.get('lecturer')).toBe('lecturer');
    expect(plan.lanes[1]!.members).toHaveLength(200);
  });

  it('keeps one lane per client while they fit, and in mode "each" always', () => {
    const few = ['sensor', 'dashboard', 'student1', 'student2'];
    expect(planLanes(input({ lanes: few })).lanes.map((l) => l.key)).toEqual(few);
    expect(planLanes(input({ mode: 'each' })).lanes).toHaveLength(201);
    // Mode "groups" folds even when they would fit.
    expect(planLanes(input({ lanes: few, mode: 'groups' })).lanes.map((l) => l.title)).toEqual(['sensor', 'dashboard', 'student* (2)']);
  });

  it('folds the biggest groups first, only as far as needed', () => {
    const lanes = ['a-1', 'a-2', 'b-1', 'b-2', 'b-3', 'b-4', 'c'];
    const plan = planLanes(input({ lanes, fit: 4 }));
    expect(plan.lanes.map((l) => l.title)).toEqual(['a-1', 'a-2', 'b-* (4)', 'c']);
  });

  it('collapses connected clients with nothing in view into one "N idle" lane, and drops closed ones', () => {
    const lanes = ['lecturer', 'student-001', 'student-002', 'student-003', 'old'];
    const plan = planLanes(input({ lanes, active: new Set(['lecturer', 'student-001']), connected: new Set(['lecturer', 'student-001', 'student-002', 'student-003']) }));
    expect(plan.lanes.map((l) => [l.key, l.title])).toEqual([['lecturer', 'lecturer'], ['student-001', 'student-001'], [IDLE_LANE, '2 idle']]);
    expect(plan.lanes[2]!.members).toEqual(['student-002', 'student-003']);
    expect([plan.idle, plan.gone]).toEqual([2, 1]);
    expect(plan.of.has('student-002')).toBe(false);
    // Unfolding the idle lane gives them lanes again.
    const open = planLanes(input({ lanes, active: new Set(['lecturer']), connected: new Set(lanes.slice(0, 4)), showIdle: true }));
    expect(open.lanes.map((l) => l.key)).toEqual(lanes.slice(0, 4));
  });

  it('focuses one client: it gets its own lane, the rest of its group stays folded', () => {
    const plan = planLanes(input({ focus: { kind: 'client', key: 'student-017' }, mode: 'each' }));
    expect(plan.lanes.map((l) => [l.title, l.focused])).toEqual([['lecturer', false], ['student-* (199)', false], ['student-017', true]]);
    expect(plan.of.get('student-017')).toBe('student-017');
    expect(plan.of.get('student-018')).toBe(groupLaneKey('student-'));
  });

  it('focuses one group: its members unfold, every other group folds, even in mode "each"', () => {
    const lanes = ['lecturer', 'team-a-1', 'team-a-2', 'team-b-1', 'team-b-2', 'team-b-3'];
    const prefixes = ['team-a-', 'team-b-'];
    const plan = planLanes(input({ lanes, prefixes, mode: 'each', focus: { kind: 'group', key: 'team-a-' } }));
    expect(plan.lanes.map((l) => [l.title, l.focused])).toEqual([
      ['lecturer', false], ['team-a-1', true], ['team-a-2', true], ['team-b-* (3)', false],
    ]);
    // A focused client that went quiet keeps its lane.
    const quiet = planLanes(input({ lanes, active: new Set(['lecturer']), focus: { kind: 'client', key: 'team-b-2' } }));
    expect(quiet.lanes.map((l) => l.key)).toEqual(['lecturer', 'team-b-2', IDLE_LANE]);
  });

  it('groups by the lecturer\'s prefixes before the automatic ones', () => {
    expect(laneGroup('team-a-7', ['team-', 'team-a-'])).toBe('team-a-');
    expect(laneGroup('team-a-7', [])).toBe('team-a-');
    expect(laneGroup('ada/laptop', ['zz'])).toBe('ada/');
    expect(laneGroup('conn #12', [])).toBe('conn #');
    const plan = planLanes(input({ lanes: ['lab1-ada', 'lab1-bob', 'lab2-cy', 'lab2-dee'], prefixes: ['lab1-', 'lab2-'], mode: 'groups' }));
    expect(plan.lanes.map((l) => l.title)).toEqual(['lab1-* (2)', 'lab2-* (2)']);
    expect(parsePrefixes(' lab1-, lab2-  lab1- ,')).toEqual(['lab1-', 'lab2-']);
  });

  it('shortens lane titles keeping what tells numbered ids apart', () => {
    expect(shortLane('student-017', 8)).toBe('stud…017');
    expect(shortLane('student1', 6)).toBe('stud…1');
    expect(shortLane('dashboard', 7)).toBe('dashbo…');
    expect(shortLane('sensor', 7)).toBe('sensor');
    expect(shortLane('ada/laptop', 6)).toBe('ada/l…');
  });

  it('tags a folded member by what follows its group prefix', () => {
    expect(memberTag('student-017', 'student-')).toBe('017');
    expect(memberTag('ada', 'ada')).toBe('ada');
    expect(memberTag('x', '')).toBe('x');
  });

  it('keeps a group identifiable in a narrow lane: decorations go first, then a little size, letters last', () => {
    expect(groupHeading('student-', 4, 12)).toEqual({ title: 'student-*', scale: 1, count: '4 clients' });
    // The narrowest lane holds 7 title characters: `student-*` would be cut to `stude…`.
    expect(groupHeading('student-', 4, 7)).toEqual({ title: 'student', scale: 1, count: '4 clients' });
    expect(groupHeading('display-', 12, 7)).toEqual({ title: 'display', scale: 1, count: '12 clients' });
    const shrunk = groupHeading('classroom-b-', 30, 9);
    expect(shrunk.title).toBe('classroom-b');
    expect(shrunk.scale).toBeCloseTo(9 / 11);
    expect(shrunk.count).toBe('30 clients');
    const cut = groupHeading('international-students-', 200, 7);
    expect(cut.title).toBe('interna…');
    expect(cut.scale).toBeGreaterThanOrEqual(0.78);
    expect(cut.count).toBe('200 clients');
    // Only a lane too narrow for the words gets the short count.
    expect(groupHeading('rpi', 3, 4).count).toBe('×3');
    // Every title fits its lane at the size it is drawn.
    for (const [g, chars] of [['student-', 4], ['a-very-long-group-name/', 6], ['rpi', 4], ['x', 4]] as const) {
      const h = groupHeading(g, 3, chars);
      expect(h.title.length * h.scale, `${g} in ${chars}`).toBeLessThanOrEqual(chars + 1e-9);
    }
  });
});
