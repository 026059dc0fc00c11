// Lab reports: built from saved progress and from `lesson run`, every outside string escaped, sealed,
// verified by `report verify` (0 ok, 1 tampered, 2 usage), and each step's attached pcapng read by tshark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCommand } from '../../src/cli/lesson.js';
import { main } from '../../src/cli/main.js';
import { createLab, type Lab } from '../../src/core/lab/index.js';
import { verifyReport } from '../../src/core/report/index.js';
import { missing, which } from '../peers/have.js';
import { HOSTILE, writeTinyLessons } from '../progress/tiny-lesson.js';

const root = mkdtempSync(join(tmpdir(), 'mqtt-lab-report-'));
const lessons = writeTinyLessons(join(root, 'lessons'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The attached captures of a report, from their data: URLs, as a browser would download them. */
export function attachments(html: string): Array<{ name: string; bytes: Buffer }> {
  return [...html.matchAll(/<a download="([^"]+)" href="data:application\/vnd\.tcpdump\.pcap;base64,([A-Za-z0-9+/=]*)"/g)]
    .map((m) => ({ name: m[1]!, bytes: Buffer.from(m[2]!, 'base64') }));
}

async function quiet<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
  try {
    return { value: await fn(), lines };
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
}

describe('lab report from the lesson pane', () => {
  let lab: Lab;
  let html: string;
  let port: number;

  beforeAll(async () => {
    lab = await createLab({ port: 0, lessonDirs: [{ dir: lessons, origin: 'built-in' }], dataDir: join(root, 'data') });
    port = lab.tapAddress.port;
    await lab.api.call('student.set', { name: `Zoë ${HOSTILE}` });
    await expect(lab.api.call('report.build', { id: '01-tiny' })).rejects.toThrow(/no saved progress yet/);
    await lab.api.call('progress.predict', { id: '01-tiny', step: 0, choice: 1 });
    await lab.api.call('lessons.start', { id: '01-tiny' });
    await lab.api.call('lessons.next', {});
    const step2 = lab.api.call('lessons.next', {});
    await new Promise((r) => setTimeout(r, 200));
    await lab.api.call('lessons.answer', { step: 1, choice: 1 });
    await step2;
    const r = await lab.api.call('report.build', { id: '01-tiny' });
    html = r.html;
    expect(r.fileName).toBe('01-tiny-report-Zoe-img-src-x-onerror-alert-1.html');
  }, 30_000);
  afterAll(() => lab?.stop());

  it('shows the lesson, the name as entered, predictions, answers, checks and their packets, all escaped', () => {
    expect(html).toContain('<h1>Lab report: Tiny</h1>');
    expect(html).toContain('Zoë &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<b>hi</b>');
    expect(html).toContain('&lt;b&gt;hi&lt;/b&gt;');
    // Only the two data blocks are scripts, and the page allows no script to run at all.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toMatch(/<strong>Prediction, made before the step ran:<\/strong> What comes back\?<\/p><ol><li class="right">CONNACK \(the right answer\)<\/li><li class="chosen">PUBACK ← chosen<\/li><\/ol><p><span class="bad">✗ not right/);
    expect(html).toMatch(/<strong>Question:<\/strong> Which packet acknowledged it\?.*<li class="right">PUBACK \(the right answer\)<\/li><li class="chosen">PUBREC ← chosen<\/li><\/ol><p><span class="bad">✗ not right/);
    expect(html).toMatch(/✓ passed<\/span> PUBACK to s/);
    // The packet that decided it: summary, fields by Wireshark name, bytes.
    const id = Number(/<code>PUBACK \(m(\d+)\)<\/code>/.exec(html)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(html).toContain(`<td><code>mqtt.msgid</code></td><td>Message Identifier</td><td>${id}</td>`);
    const hex = id.toString(16).padStart(4, '0').replace(/(..)(..)/, '$1 $2');
    expect(html).toContain(`<pre class="hex" aria-label="bytes">0000  40 02 ${hex}</pre>`);
    expect(html).toContain('✓ every step passed');
    expect(html).toMatch(/What the checksum cannot show/);
    expect(html).toContain('@media print');
  });

  it('verifies untouched, and names each kind of tampering', () => {
    expect(verifyReport(html)).toMatchObject({ status: 'ok', problems: [] });
    const edited = html.replace('<span class="bad">✗ not right', '<span class="ok">✓ right');
    expect(verifyReport(edited)).toMatchObject({ status: 'tampered', problems: ['the page is not the one drawn from its data: its visible text or markup was edited'] });
    const data = html.replace('"correct":false', '"correct":true');
    expect(data).not.toBe(html);
    const v = verifyReport(data);
    expect(v.status).toBe('tampered');
    expect(v.problems[0]).toMatch(/do not match the checksum/);
    expect(verifyReport('<html>hello</html>').status).toBe('unreadable');
  });

  it('attaches each step\'s capture as pcapng that tshark reads as MQTT', () => {
    const files = attachments(html);
    expect(files.map((f) => f.name)).toEqual(['01-tiny-step-1.pcapng', '01-tiny-step-2.pcapng']);
    const why = missing('tshark');
    if (why !== undefined) return;
    const file = join(root, files[1]!.name);
    writeFileSync(file, files[1]!.bytes);
    const r = spawnSync(which('tshark')!, ['-r', file, '-d', `tcp.port==${port},mqtt`, '-Y', 'mqtt', '-T', 'fields', '-e', 'mqtt.msgtype', '-e', 'mqtt.topic', '-e', 'mqtt.msg'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((x) => x[0])).toEqual(['3', '4']);
    expect(rows[0]![1]).toBe('a/b');
    expect(Buffer.from(rows[0]![2]!.replace(/:/g, ''), 'hex').toString()).toBe('<b>hi</b>');
  });
});

describe('lesson run --report and report verify', () => {
  it('writes a verifiable report; verify exits 0, 1 when tampered, 2 on a usage mistake', async () => {
    const out = join(root, 'run-report.html');
    const lines: string[] = [];
    const code = await lessonCommand(['run', join(lessons, '02-other.md'), '--report', out, '--student', 'Ada'], (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines).toContain(`report: ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<td class="student">Ada</td>');
    expect(html).toContain('(lesson run)');
    expect((await quiet(() => main(['report', 'verify', out]))).value).toBe(0);
    const bad = join(root, 'tampered.html');
    writeFileSync(bad, html.replace('<td class="student">Ada</td>', '<td class="student">Bob</td>'));
    const t = await quiet(() => main(['report', 'verify', bad]));
    expect(t.value).toBe(1);
    expect(t.lines.join('')).toMatch(/TAMPERED/);
    expect((await quiet(() => main(['report', 'verify']))).value).toBe(2);
    expect((await quiet(() => main(['report', 'check', out]))).value).toBe(2);
    expect((await quiet(() => main(['report', 'verify', join(root, 'nope.html')]))).value).toBe(2);
    await expect(lessonCommand(['run', join(lessons, '02-other.md'), '--student', 'Ada'], () => {})).rejects.toThrow(/give --report/);
  }, 30_000);

  it('adds an HMAC with a key; verify checks it only with the key', async () => {
    const out = join(root, 'keyed.html');
    process.env['MQTT_LAB_REPORT_KEY'] = 'lecturer-secret';
    try {
      expect(await lessonCommand(['run', join(lessons, '02-other.md'), '--report', out], () => {})).toBe(0);
    } finally {
      delete process.env['MQTT_LAB_REPORT_KEY'];
    }
    const html = readFileSync(out, 'utf8');
    expect(verifyReport(html, 'lecturer-secret')).toMatchObject({ status: 'ok', notes: ['the keyed signature (HMAC) matches the key'] });
    expect(verifyReport(html, 'guess').status).toBe('tampered');
    expect(verifyReport(html)).toMatchObject({ status: 'ok', notes: [expect.stringMatching(/give --key/)] });
    expect((await quiet(() => main(['report', 'verify', out, '--key', 'guess']))).value).toBe(1);
  }, 30_000);
});
