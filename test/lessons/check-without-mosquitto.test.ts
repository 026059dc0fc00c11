// `lesson check` on a machine without mosquitto: a lesson that runs on it is still correct, so the check
// passes, but it says once, on the lesson's first line, that mosquitto is missing and how to get it.
// Absence is simulated at the seam the CLI looks programs up through (PATH alone cannot hide it: the
// lookup adds the sbin folders itself), never by uninstalling anything.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { lessonCommand } from '../../src/cli/lesson.js';

const hidden = new Set<string>();
vi.mock('../../src/core/broker/find-executable.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/broker/find-executable.js')>();
  return { ...real, findExecutable: (name: string, searchPath?: string) => (hidden.has(name) ? undefined : real.findExecutable(name, searchPath)) };
});

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-no-mosquitto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => hidden.clear());

const STEP = '```step\ndo:\n  - client: { id: s }\n  - connect: s\nexpect:\n  - packet: { type: CONNACK, to: s }\n```\n';
const onMosquitto = join(dir, 'on-mosquitto.md');
const needsFive = join(dir, 'needs-five.md');
const onAedes = join(dir, 'on-aedes.md');
writeFileSync(onMosquitto, `---\ntitle: On mosquitto\nbroker: mosquitto\n---\n\n${STEP}`);
writeFileSync(needsFive, `---\ntitle: Needs 5\nrequires: [mqtt5]\n---\n\n${STEP}`);
writeFileSync(onAedes, `---\ntitle: On aedes\n---\n\n${STEP}`);

async function check(...files: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await lessonCommand(['check', ...files], (l) => lines.push(l));
  return { code, lines };
}

describe('lesson check without mosquitto', () => {
  it('notes each lesson that needs it, names the package, and still passes', async () => {
    hidden.add('mosquitto');
    expect(await check(onMosquitto, needsFive, onAedes)).toEqual({
      code: 0,
      lines: [
        `${onMosquitto}:1:1: note: this lesson runs on mosquitto ('broker: mosquitto'), and mosquitto is not installed here (Debian: apt-get install mosquitto); lesson run and the app cannot run it until it is`,
        `${needsFive}:1:1: note: this lesson needs MQTT 5, so it runs on mosquitto, and mosquitto is not installed here (Debian: apt-get install mosquitto); lesson run and the app cannot run it until it is`,
        '3 lessons checked, no problems',
      ],
    });
  });

  it('says nothing of mosquitto when it is found', async () => {
    hidden.add('some-other-program');
    const { code, lines } = await check(onMosquitto, needsFive, onAedes);
    expect(code).toBe(0);
    // On a machine that truly lacks mosquitto the notes are right; only where it is found must they go.
    const found = (await import('../../src/core/broker/find-executable.js')).findExecutable('mosquitto') !== undefined;
    expect(lines).toEqual(found ? ['3 lessons checked, no problems'] : [expect.stringContaining('note:'), expect.stringContaining('note:'), '3 lessons checked, no problems']);
  });
});

describe('lesson run without mosquitto', () => {
  it('fails with a message that names the missing program', async () => {
    hidden.add('mosquitto');
    const lines: string[] = [];
    const outcome = await lessonCommand(['run', onMosquitto], (l) => lines.push(l)).then((code) => ({ code }), (e: Error) => ({ error: e.message }));
    expect(outcome).toEqual({ error: expect.stringMatching(/^mosquitto not found on PATH: install it \(Debian: apt-get install mosquitto\)/) });
  });
});
