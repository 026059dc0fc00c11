// `mqtt-lab --help` and `mqtt-lab COMMAND --help`: every flag a command's parser accepts has a line in its
// help and the help names no flag the parser would refuse; as a user runs it, help goes to stdout, exit 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlagSpec } from '../../src/cli/args.js';
import { BROKER_FLAGS } from '../../src/cli/broker.js';
import { COMPARE_FLAGS } from '../../src/cli/compare.js';
import { DECODE_FLAGS } from '../../src/cli/decode.js';
import { commandHelp, HELP } from '../../src/cli/help.js';
import { LESSON_RUN_FLAGS } from '../../src/cli/lesson.js';
import { REPORT_FLAGS } from '../../src/cli/report.js';
import { WEB_FLAGS } from '../../src/cli/web.js';
import { cli, ROOT } from './cli-process.js';

const SPECS: Record<string, FlagSpec> = {
  decode: DECODE_FLAGS,
  broker: BROKER_FLAGS,
  web: WEB_FLAGS,
  lesson: LESSON_RUN_FLAGS,
  compare: COMPARE_FLAGS,
  report: REPORT_FLAGS,
};

const flagsOf = (spec: FlagSpec): string[] => [...(spec.values ?? []), ...(spec.repeatable ?? []), ...(spec.booleans ?? [])].sort();

describe('each command\'s help against its parser', () => {
  it('covers every command there is', () => {
    expect(Object.keys(HELP).sort()).toEqual(Object.keys(SPECS).sort());
  });

  it.each(Object.keys(SPECS))('%s: one line per accepted flag, none other', (name) => {
    const help = HELP[name]!;
    expect(help.options.map((o) => o.flag).sort()).toEqual(flagsOf(SPECS[name]!));
    const spec = SPECS[name]!;
    const booleans = new Set(spec.booleans ?? []);
    // A flag that takes a value shows what the value is; a switch shows none.
    for (const o of help.options) expect(o.value === undefined, `--${o.flag}`).toBe(booleans.has(o.flag));
    // What the usage lines name is what the parser takes.
    for (const u of help.usage) for (const m of u.matchAll(/--([a-z0-9-]+)/g)) expect(flagsOf(spec), u).toContain(m[1]);
  });
});

describe('as a user runs it', () => {
  it('mqtt-lab --help lists every command and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const name of Object.keys(HELP)) expect(r.stdout).toMatch(new RegExp(`^  ${name} +${HELP[name]!.summary.slice(0, 20)}`, 'm'));
  });

  it('mqtt-lab broker --help prints the broker\'s options, also after other flags, and starts nothing', async () => {
    const r = await cli(['broker', '--port', '0', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(commandHelp('broker'));
    expect(r.stdout).toMatch(/^ {2}--upstream HOST:PORT +put the tap in front/m);
  });

  it('mqtt-lab help lesson reads as mqtt-lab lesson --help', async () => {
    const [a, b] = await Promise.all([cli(['help', 'lesson']), cli(['lesson', 'run', '-h'])]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('mqtt-lab lesson check FILE|FOLDER…');
  });

  it('mqtt-lab --version prints the version in package.json, as a lab report records it, and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const [a, b] = await Promise.all([cli(['--version']), cli(['version'])]);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`mqtt-lab ${version} (Node ${process.versions.node})\n`);
    }
  });

  it('help for a command that does not exist is a usage mistake: one line, exit 2', async () => {
    const r = await cli(['help', 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mqtt-lab: unknown command 'frobnicate'/);
  });
});
