// The shape of a malformed-input test: decoding never throws, the tree stays sound and covers every
// byte, and the rule's issue sits on the node that broke it.
import { expect } from 'vitest';
import { dissect } from '../../../src/core/dissect/index.js';
import type { DecodedPacket, MqttVersion, Severity } from '../../../src/shared/packet.js';
import { treeProblems, uncoveredBytes } from './tree.js';

export interface ExpectedIssue {
  filter: string;
  offset: number;
  /** The normative statement or section; `undefined` where the specification numbers no rule. */
  specRef: string | undefined;
  severity?: Severity;
  /** A pattern the message must match, where its wording matters to the student. */
  message?: RegExp;
}

export function decodeMalformed(bytes: ArrayLike<number>, version: MqttVersion = 4): DecodedPacket {
  const buf = Uint8Array.from(bytes);
  let d: DecodedPacket | undefined;
  expect(() => { d = dissect(buf, { version }); }).not.toThrow();
  const decoded = d!;
  expect(treeProblems(buf, decoded)).toEqual([]);
  expect(uncoveredBytes(buf, decoded)).toEqual([]);
  return decoded;
}

/** Decodes `bytes` and checks that an issue as described is in the tree, on the named node. */
export function expectIssue(bytes: ArrayLike<number>, version: MqttVersion, want: ExpectedIssue): DecodedPacket {
  const d = decodeMalformed(bytes, version);
  const severity = want.severity ?? 'error';
  const onNode = d.issues.filter((i) => i.filter === want.filter && i.offset === want.offset && i.severity === severity);
  expect(onNode.length, `no ${severity} on ${want.filter}@${want.offset}; issues: ${JSON.stringify(d.issues)}`).toBeGreaterThan(0);
  const match = onNode.filter((i) => i.specRef === want.specRef && (want.message === undefined || want.message.test(i.message)));
  expect(match.length, `issue on ${want.filter}@${want.offset} lacks specRef ${want.specRef ?? '(none)'}` +
    `${want.message ? ` or message ${want.message}` : ''}: ${JSON.stringify(onNode)}`).toBeGreaterThan(0);
  if (severity === 'error') expect(d.summary).toMatch(d.typeCode === -1 ? /^NOT MQTT / : /\[malformed: /);
  return d;
}
