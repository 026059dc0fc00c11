#!/usr/bin/env node
// `npm test`. Many tests compare against real peers (tshark as the dissector oracle, mosquitto and its
// clients, paho, chromium). A newcomer's first run should pass without reading a setup guide, so on
// Debian this installs whichever peers are missing; where it cannot, the tests that need them skip.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const SYSTEM_PYTHON = '/usr/bin/python3';
// mosquitto lives in /usr/sbin, which a non-root PATH usually lacks.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
env.PATH = [...(env.PATH ?? '').split(delimiter), ...SBIN_DIRS]
  .filter((d, i, all) => d !== '' && all.indexOf(d) === i)
  .join(delimiter);
// tshark is the oracle: a developer's own Wireshark preferences (decode-as rules, disabled protocols)
// must not change what it says, so it reads an empty configuration directory instead of ~/.config.
const ownWiresharkDir = env.WIRESHARK_CONFIG_DIR === undefined;
if (ownWiresharkDir) env.WIRESHARK_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'mqtt-lab-wireshark-'));

/** @param {string} file */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} bin */
function onPath(bin) {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, bin)));
}

/** Each peer, how to tell it is here, and the Debian package that brings it. */
const PEERS = [
  { name: 'tshark', pkg: 'tshark', present: () => onPath('tshark') },
  { name: 'mosquitto', pkg: 'mosquitto', present: () => onPath('mosquitto') },
  { name: 'mosquitto_pub', pkg: 'mosquitto-clients', present: () => onPath('mosquitto_pub') },
  { name: 'mosquitto_sub', pkg: 'mosquitto-clients', present: () => onPath('mosquitto_sub') },
  { name: '/usr/bin/chromium', pkg: 'chromium', present: () => isExecutable('/usr/bin/chromium') },
  {
    name: 'paho (python3-paho-mqtt)',
    pkg: 'python3-paho-mqtt',
    present: () =>
      isExecutable(SYSTEM_PYTHON) &&
      spawnSync(SYSTEM_PYTHON, ['-c', 'import paho.mqtt'], { stdio: 'ignore', timeout: 20_000 }).status === 0,
  },
];

const missingPeers = () => PEERS.filter((p) => !p.present());

/**
 * @param {string} cmd
 * @param {string[]} args
 */
function run(cmd, args) {
  // stdin closed: nothing here may stop to ask a question.
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0;
}

function installPeers() {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) return;
  let missing = missingPeers();
  if (missing.length === 0) return;

  const names = () => missing.map((p) => p.name).join(', ');
  /** @type {string[]} */
  let prefix = [];
  if (process.getuid?.() !== 0) {
    if (!isExecutable('/usr/bin/sudo')) {
      console.log(`mqtt-lab: test peers missing (${names()}); cannot install them without root, so their tests will skip.`);
      return;
    }
    // sudo drops most of the environment, so the frontend setting is passed through env(1).
    prefix = ['/usr/bin/sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'];
  }
  const pkgs = [...new Set(missing.map((p) => p.pkg))];
  console.log(`mqtt-lab: installing test peers: ${pkgs.join(' ')}`);
  const [cmd = 'apt-get', ...pre] = [...prefix, 'apt-get'];
  // A failed update (offline, stale mirror) may still leave a usable package cache, so install anyway.
  run(cmd, [...pre, '-q', 'update']);
  run(cmd, [...pre, '-q', '-y', '-o', 'DPkg::Lock::Timeout=120', 'install', ...pkgs]);

  missing = missingPeers();
  if (missing.length > 0) {
    console.log(`mqtt-lab: could not install test peers (${names()}); their tests will skip.`);
  }
}

/** @param {number | null} status */
function exitWith(status) {
  if (ownWiresharkDir && env.WIRESHARK_CONFIG_DIR) rmSync(env.WIRESHARK_CONFIG_DIR, { recursive: true, force: true });
  process.exit(status ?? 1);
}

if (!existsSync(join(root, 'node_modules'))) {
  console.log('mqtt-lab: node_modules is missing, running npm ci');
  // Under `npm test`, npm names its own CLI script; reuse it rather than hunting for npm on PATH.
  const npmCli = process.env.npm_execpath;
  const ok = npmCli ? run(process.execPath, [npmCli, 'ci']) : run('npm', ['ci']);
  if (!ok) {
    console.error('mqtt-lab: npm ci failed');
    exitWith(1);
  }
}

installPeers();

// The local vitest, run directly: the same as `npx vitest run` but never fetched from the network. A JSON
// report beside the usual output gives the plain closing line `N passed, N failed, N skipped` that CI reads.
const report = join(mkdtempSync(join(tmpdir(), 'mqtt-lab-vitest-')), 'report.json');
const vitest = spawnSync(process.execPath, [
  join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
  '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
  ...process.argv.slice(2),
], { cwd: root, env, stdio: 'inherit' });
if (vitest.error) console.error(`mqtt-lab: could not start vitest: ${vitest.error.message}`);
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch {
  // No report (vitest did not start, or crashed): its exit status says enough.
}
exitWith(vitest.status);
