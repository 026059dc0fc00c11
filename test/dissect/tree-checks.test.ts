// The checks the other tests lean on must themselves catch what they claim to, or a broken dissector
// would pass the fuzzer unnoticed.
import { describe, expect, it } from 'vitest';
import type { DecodedPacket, FieldNode } from '../../src/shared/packet.js';
import { project, treeProblems, uncoveredBytes } from './support/tree.js';

const leaf = (filter: string, offset: number, length: number, extra: Partial<FieldNode> = {}): FieldNode =>
  ({ name: filter, filter, offset, length, ...extra });

function packet(fields: FieldNode[], extra: Partial<DecodedPacket> = {}): DecodedPacket {
  return { type: 'PINGREQ', typeCode: 12, version: 4, length: 2, fields, issues: [], summary: 'PINGREQ', info: {}, ...extra };
}

const bytes = Uint8Array.from([0xc0, 0x00]);

describe('tree checks', () => {
  it('accept a sound tree', () => {
    const d = packet([{ ...leaf('mqtt.fixed_header', 0, 2), children: [leaf('mqtt.hdrflags', 0, 1), leaf('mqtt.len', 1, 1)] }]);
    expect(treeProblems(bytes, d)).toEqual([]);
    expect(uncoveredBytes(bytes, d)).toEqual([]);
  });

  it('find a byte that only a group covers', () => {
    const d = packet([{ ...leaf('mqtt.fixed_header', 0, 2), children: [leaf('mqtt.hdrflags', 0, 1)] }]);
    expect(uncoveredBytes(bytes, d)).toEqual([1]);
  });

  it('find a node past the input and a child outside its parent', () => {
    const d = packet([{ ...leaf('mqtt.fixed_header', 0, 1), children: [leaf('mqtt.len', 1, 2)] }]);
    const problems = treeProblems(bytes, d);
    expect(problems.some((p) => p.includes('ends past the input'))).toBe(true);
    expect(problems.some((p) => p.includes('outside its parent'))).toBe(true);
  });

  it('find a flattened issue that no node carries, and a summary that is not a string', () => {
    const d = packet([leaf('mqtt.hdrflags', 0, 2)], {
      issues: [{ severity: 'error', message: 'x', filter: 'mqtt.hdrflags', offset: 0 }],
      summary: undefined as unknown as string,
    });
    const problems = treeProblems(bytes, d);
    expect(problems.some((p) => p.includes('tree carries 0'))).toBe(true);
    expect(problems.some((p) => p.includes('names no node'))).toBe(true);
    expect(problems.some((p) => p.includes('summary'))).toBe(true);
  });

  it('project groups without values and compare displays only where asked', () => {
    const fields = [{ ...leaf('mqtt.payload', 2, 1), children: [leaf('mqtt.msg', 2, 1, { value: 'a', display: '"a" (1 bytes)' })] }];
    expect(project(fields)).toEqual([[0, 'mqtt.payload', 2, 1], [1, 'mqtt.msg', 2, 1, 'a']]);
    expect(project(fields, [[0, 'mqtt.payload', 2, 1], [1, 'mqtt.msg', 2, 1, 'a', '']]))
      .toEqual([[0, 'mqtt.payload', 2, 1], [1, 'mqtt.msg', 2, 1, 'a', '"a" (1 bytes)']]);
  });
});
