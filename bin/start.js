#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is installed, otherwise the browser mode.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/**
 * @param {string} cmd
 * @param {string[]} args
 */
function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
}

const electron = electronBinary();
if (electron === undefined) {
  // No desktop shell here: the same notebook runs in any browser, served on loopback by `mqtt-lab web`.
  console.log("MQTT Lab: Electron's binary is not installed here, so the desktop window cannot open.");
  console.log('Starting the browser mode instead: open the notebook URL printed below in any browser.');
  console.log('(Where the network allows, `npx install-electron` fetches the binary for the desktop app.)');
  process.exit(run(process.execPath, [join(root, 'bin', 'mqtt-lab.js'), 'web', ...process.argv.slice(2)]));
}

if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
  const status = run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
  if (status !== 0) process.exit(status);
}
if (process.getuid?.() === 0 && !process.argv.includes('--no-sandbox')) {
  console.log('MQTT Lab: Chromium will not start as root with its sandbox on; run as a normal user');
  console.log('(or pass `npm start -- --no-sandbox`, which gives up the renderer sandbox).');
}
// package.json "main" points Electron at out/main/index.js.
process.exit(run(electron, [root, ...process.argv.slice(2)]));
