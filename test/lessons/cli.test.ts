// `mqtt-lab lesson check` and `lesson run`: output lines, exit codes and usage errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { lessonCommand } from '../../src/cli/lesson.js';
import { missing } from '../peers/have.js';

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-lesson-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = join(dir, 'good.md');
const bad = join(dir, 'bad.md');
const wrong = join(dir, 'wrong.md');
writeFileSync(good, '---\ntitle: Good\n---\n\n```step\ndo:\n  - client: { id: s }\n  - connect: s\nexpect:\n  - packet: { type: CONNACK, to: s }\n```\n');
writeFileSync(bad, '---\ntitle: Bad\nauthor: me\n---\n\n```step\ndo:\n  - publish: { client: s, topic: a/# }\n```\n');
// In a folder of its own, so that the folder check above still counts three lessons.
mkdirSync(join(dir, 'secured'));
const secured = join(dir, 'secured', 'secured.md');
writeFileSync(secured, [
  '---', 'title: Secured', 'broker:', '  users: { hans: letmein }', '---', '', '```step', 'do:',
  '  - client: { id: guest }', '  - connect: { id: guest, refused: true }', 'expect:',
  '  - packet: { type: CONNACK, to: guest, fields: { mqtt.conack.val: 5 } }', '```', '',
].join('\n'));
writeFileSync(wrong, '---\ntitle: Wrong\n---\n\n```step\ndo:\n  - client: { id: s }\n  - connect: s\nexpect:\n  - packet: { type: PUBACK, to: s, within: 300 }\n```\n');

async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await lessonCommand(argv, (l) => lines.push(l));
  return { code, lines };
}

describe('lesson check', () => {
  it('prints file:line:col: message for each problem and exits 1; a missing file does not stop the others', async () => {
    const missing = join(dir, 'missing.md');
    const { code, lines } = await run('check', good, bad, missing);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${bad}:3:1: front matter: unknown key 'author'; expected one of title, order, objectives, requires, broker`,
      `${bad}:8:24: publish: client: unknown client 's'; create it first with \`client: { id: s }\` in this or an earlier step`,
      `${bad}:8:34: publish: topic: 'a/#' is not a valid topic name: a topic name must not contain the wildcards + or #`,
      `${missing}:1:1: no such file`,
      '3 lessons checked, 4 problems',
    ]);
  });

  it('exits 0 for good lessons', async () => {
    expect(await run('check', good)).toEqual({ code: 0, lines: ['1 lesson checked, no problems'] });
  });

  it('skips a README named among the files, and says so', async () => {
    const readme = join(dir, 'README.md');
    writeFileSync(readme, '# How to write lessons\n');
    try {
      expect(await run('check', readme, good)).toEqual({ code: 0, lines: [`${readme}: skipped: a README describes lessons, it is not one`, '1 lesson checked, no problems'] });
      expect((await run('check', dir)).lines.at(-1)).toBe('3 lessons checked, 3 problems');
    } finally {
      rmSync(readme);
    }
  });

  it('prints a warning as such and still exits 0', async () => {
    const warned = join(dir, 'secured', 'warned.md');
    writeFileSync(warned, '---\ntitle: W\n---\n\n```step\nquestion: { prompt: How many?, choices: ["2", "3", "4"], answer: 3 }\nexpect:\n  - quiz: true\n```\n');
    try {
      const { code, lines } = await run('check', warned);
      expect(code).toBe(0);
      expect(lines).toEqual([
        `${warned}:6:66: warning: question: answer 3 is read as choice number 3 ('4'), but it is also the text of choice 2; write answer: "3" (quoted) if you meant the text`,
        '1 lesson checked, no problems, 1 warning',
      ]);
    } finally {
      rmSync(warned);
    }
  });

  it('checks every lesson of a folder', async () => {
    const { code, lines } = await run('check', dir);
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('3 lessons checked, 3 problems');
  });
});

describe('lesson run', () => {
  it('prints a line per step and expectation and exits 0 when all pass', async () => {
    const { code, lines } = await run('run', good);
    expect(code).toBe(0);
    expect(lines[0]).toBe(`lesson: Good (${good})`);
    expect(lines[1]).toBe('✓ step 1 (line 5)');
    expect(lines[2]).toMatch(/^ {4}✓ CONNACK to s within 2000 ms — seen: #\d+ CONNACK \(sp0, rc0 Connection Accepted\)$/);
    expect(lines.at(-1)).toMatch(/^PASSED: 1\/1 expectations, 1\/1 steps/);
  });

  it('exits 1 with the reason when an expectation fails, and prints JSON with --json', async () => {
    const text = await run('run', wrong);
    expect(text.code).toBe(1);
    expect(text.lines).toContainEqual(expect.stringMatching(/^ {4}✗ line 10: expected PUBACK to s within 300 ms; saw to s: CONNACK #\d+$/));
    const json = await run('run', wrong, '--json');
    expect(json.code).toBe(1);
    expect(json.lines).toHaveLength(1);
    const result = JSON.parse(json.lines[0]!);
    expect(result).toMatchObject({ title: 'Wrong', passed: false, steps: [{ passed: false, expectations: [{ kind: 'packet', passed: false }] }] });
  });

  it("sets the broker's users from the front matter", async () => {
    const { code, lines } = await run('run', secured);
    expect(lines.at(-1)).toMatch(/^PASSED: 1\/1 expectations, 1\/1 steps/);
    expect(code).toBe(0);
  });

  it.skipIf(missing('mosquitto') !== undefined)('fails, saying why, when the broker cannot be given users and an ACL', async () => {
    const { code, lines } = await run('run', secured, '--broker', 'mosquitto');
    expect(code).toBe(1);
    expect(lines).toEqual([
      `lesson: Secured (${secured})`,
      "✗ cannot run on this lab: the lesson sets the broker's users and ACL (front matter 'broker:'), but users and ACL of the mosquitto broker are set in its own configuration, not from the lab; run it on the embedded aedes broker",
      'FAILED: the lesson could not start',
    ]);
  });

  it('refuses to run a lesson with problems', async () => {
    const { code, lines } = await run('run', bad);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/bad\.md:3:1: front matter: unknown key 'author'/);
  });

  it.each([
    [[], /^needs a subcommand/],
    [['frobnicate'], /^unknown subcommand 'frobnicate'/],
    [['check'], /^lesson check needs at least one FILE$/],
    [['run'], /^lesson run needs exactly one FILE$/],
    [['run', 'a.md', 'b.md'], /^lesson run needs exactly one FILE \(got 2\)$/],
    [['run', 'a.md', '--broker', 'hivemq'], /^--broker must be aedes or mosquitto, not 'hivemq'$/],
    [['run', 'a.md', '--jsn'], /^unknown option --jsn$/],
  ])('usage error for %j', async (argv, message) => {
    await expect(lessonCommand(argv, () => undefined)).rejects.toThrow(UsageError);
    await expect(lessonCommand(argv, () => undefined)).rejects.toThrow(message);
  });
});
