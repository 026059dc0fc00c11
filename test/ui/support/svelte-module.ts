// Loads one of the renderer's `.svelte.ts` modules (state with runes) into a Node test: TypeScript stripped by
// esbuild, runes compiled by Svelte's own compiler, written beside the source tree so `svelte/internal/client`
// resolves from node_modules. Only modules whose imports are all type-only can be loaded this way (their
// imports are erased with the types); one that imports code would fail to load, not pass silently.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { compileModule } from 'svelte/compiler';
import { ROOT } from './build.js';

export async function loadSvelteModule<T>(relPath: string): Promise<T> {
  const ts = readFileSync(join(ROOT, relPath), 'utf8');
  const js = transformSync(ts, { loader: 'ts', format: 'esm', target: 'es2022' }).code;
  const { js: out } = compileModule(js, { filename: relPath, generate: 'client', dev: false });
  const dir = join(ROOT, 'node_modules', '.cache', 'svelte-module-tests');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${relPath.replace(/[/\\.]/g, '_')}_${process.pid}.mjs`);
  writeFileSync(file, out.code);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } finally {
    rmSync(file, { force: true });
  }
}
