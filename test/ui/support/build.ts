// UI tests run against the built renderer; build it when it is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const RENDERER_OUT = join(ROOT, 'out', 'renderer');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureRendererBuilt(): void {
  const index = join(RENDERER_OUT, 'index.html');
  // The capture viewer bundles the core's pure modules and the recordings of lessons/captures/.
  const dirs = [['src', 'renderer'], ['src', 'shared'], ['src', 'core'], ['lessons', 'captures']];
  const sources = Math.max(...dirs.map((d) => newest(join(ROOT, ...d))), statSync(join(ROOT, 'electron.vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'pipe',
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
}
