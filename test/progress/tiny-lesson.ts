// A two-step lesson for progress and report tests: a prediction, a quiz, a hostile payload and client id.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOSTILE = '<img src=x onerror=alert(1)>';

export function writeTinyLessons(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const fence = '```';
  writeFileSync(join(dir, '01-tiny.md'), [
    '---', 'title: Tiny', 'order: 1', 'objectives:', '  - See a CONNACK', '---', '',
    `${fence}step`, 'title: Connect',
    'predict:', '  prompt: What comes back?', '  choices: [CONNACK, PUBACK]', '  answer: 1',
    'do:', `  - client: { id: s, clientId: "${HOSTILE}" }`, '  - connect: s',
    'expect:', '  - packet: { type: CONNACK, to: s }', fence, '',
    `${fence}step`, 'title: Publish',
    'do:', `  - publish: { client: s, topic: a/b, payload: "<b>hi</b>", qos: 1 }`,
    'expect:', '  - packet: { type: PUBACK, to: s }', '  - quiz: true',
    'question:', '  prompt: Which packet acknowledged it?', '  choices: [PUBACK, PUBREC]', '  answer: 1', fence, '',
  ].join('\n'));
  writeFileSync(join(dir, '02-other.md'), [
    '---', 'title: Other', 'order: 2', '---', '', `${fence}step`, 'title: Connect', 'do:', '  - client: { id: o }', '  - connect: o',
    'expect:', '  - packet: { type: CONNACK, to: o }', fence, '',
  ].join('\n'));
  return dir;
}
