import { describe, expect, it } from 'vitest';
import { filterCovers, filtersIntersect, topicMatches } from '../../src/shared/topic-filter.js';

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true], // MQTT-4.7.1-2: # includes the parent level
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['+/+', '/x', true], // an empty level is a level
    ['+', '/x', false],
    ['#', '$SYS/uptime', false], // MQTT-4.7.2-1
    ['+/uptime', '$SYS/uptime', false],
    ['$SYS/#', '$SYS/uptime', true],
    ['a/b', 'a/b/', false],
  ])('%s ~ %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterCovers', () => {
  it.each([
    ['#', 'a/+/c', true],
    ['a/#', 'a', true],
    ['a/#', 'a/#', true],
    ['a/+', 'a/#', false],
    ['a/+', 'a/+', true],
    ['a/b', 'a/+', false],
    ['a', 'a/#', false],
    ['#', '$SYS/#', false],
    ['+/b', 'x/b', true],
  ])('%s covers %s → %s', (outer, inner, expected) => {
    expect(filterCovers(outer, inner)).toBe(expected);
  });
});

describe('filtersIntersect', () => {
  it.each([
    ['a/#', 'a', true],
    ['a/+', '+/b', true],
    ['a/b', 'a/c', false],
    ['+', 'a/b', false],
    ['#', '$SYS/x', false],
    ['$SYS/+', '$SYS/#', true],
    ['a/+/c', 'a/b/#', true],
  ])('%s ∩ %s → %s', (a, b, expected) => {
    expect(filtersIntersect(a, b)).toBe(expected);
    expect(filtersIntersect(b, a)).toBe(expected);
  });
});
