// `mqtt-lab web --open`: the notebook URL goes to the system's opener (xdg-open here, a stand-in on PATH that
// writes down what it was given), and the browser mode serves on as usual.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { killAll, terminate } from '../peers/run.js';
import { startCli, type LiveCli } from './cli-process.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

let web: LiveCli | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (web !== undefined) await terminate(web.child, 'SIGKILL', 0);
  await killAll();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  web = dir = undefined;
});

it.skipIf(process.platform !== 'linux')('opens the printed notebook URL with xdg-open and keeps serving it', async () => {
  dir = await mkdtemp(join(tmpdir(), 'mqtt-lab-open-'));
  const opened = join(dir, 'opened.txt');
  await writeFile(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  await chmod(join(dir, 'xdg-open'), 0o755);
  web = startCli(['web', '--open', '--port', '0', '--broker-port', '0', '--data-dir', join(dir, 'data')],
    { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` });
  const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(await web.waitLine(/notebook: http/, 50_000))![1]!;
  const deadline = Date.now() + 10_000;
  while (!existsSync(opened) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(await readFile(opened, 'utf8')).toBe(url);
  // Still serving after the opener ran: the page answers with the notebook.
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('<html');
});
