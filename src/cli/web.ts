// `mqtt-lab web`: the browser mode. Starts a Lab (embedded broker behind the tap) and serves the notebook
// and its API on 127.0.0.1 behind a per-run token.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { startWebServer } from '../server/web-server.js';
import { UsageError, one, parseArgs, portNumber, type FlagSpec } from './args.js';
import { labOptionsFrom, LAB_FLAGS, startLab, transportLines } from './lab-flags.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const WEB_FLAGS: FlagSpec = { values: ['port', ...LAB_FLAGS.values], booleans: ['open', ...LAB_FLAGS.booleans] };

export async function webCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const p = parseArgs(argv, WEB_FLAGS);
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const webPort = one(p, 'port') === undefined ? 0 : portNumber(one(p, 'port')!, '--port', true);
  const labOpts = labOptionsFrom(p);
  const root = ensureRenderer(out);
  const lab = await startLab(labOpts, one(p, 'broker-port') !== undefined, out);
  const server = await startWebServer({
    api: lab.api, clock: lab.clock, root, port: webPort,
    // The stream reads packets by seq from the lab's store: nothing waits for a slow page but numbers.
    summaryAt: (seq) => lab.summaryAt(seq),
    packetSeqs: (listener) => lab.onPacketSeq(listener),
  });
  const tap = lab.tapAddress;
  out(`MQTT Lab notebook: ${server.url}`);
  out(`Broker for your own code: mqtt://${tap.host === '0.0.0.0' ? '<this machine\'s address>' : tap.host}:${tap.port} (${lab.brokerInfo.kind} behind the tap)`);
  for (const line of transportLines(lab)) out(line);
  if (labOpts.lan) out('!! --lan: the broker port is open to your local network. Anyone on it can connect.');
  if (p.booleans.has('open')) {
    openBrowser(server.url);
    lab.childStarted();
  }
  await untilSignal();
  await server.close();
  await lab.stop();
  return 0;
}

/** The built renderer; built on first use so `web` works in a fresh checkout after `npm ci`. */
function ensureRenderer(out: (line: string) => void): string {
  const root = join(ROOT, 'out', 'renderer');
  if (existsSync(join(root, 'index.html'))) return root;
  out('Building the notebook UI (first run, about half a minute)…');
  const bin = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(join(root, 'index.html'))) throw new Error('could not build the renderer: run `npx electron-vite build` to see why');
  return root;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawnSync(cmd, [url], { stdio: 'ignore' });
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
