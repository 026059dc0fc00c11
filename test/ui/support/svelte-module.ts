// Loads one of the renderer's `.svelte.ts` modules (state with runes) into a Node test: bundled by esbuild
// with what it imports, each `.svelte.ts` among them compiled by Svelte's own compiler, and written under
// node_modules so `svelte/internal/client` resolves. The test runs the real module, not a copy of it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';
import { compileModule } from 'svelte/compiler';
import { ROOT } from './build.js';

export async function loadSvelteModule<T>(relPath: string): Promise<T> {
  const out = await build({
    entryPoints: [join(ROOT, relPath)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    external: ['svelte', 'svelte/*'],
    plugins: [
      {
        name: 'svelte-runes',
        setup(b) {
          b.onLoad({ filter: /\.svelte\.ts$/ }, async (args) => {
            const js = (await transform(await readFile(args.path, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' })).code;
            return { contents: compileModule(js, { filename: args.path, generate: 'client', dev: false }).js.code, loader: 'js' };
          });
        },
      },
    ],
  });
  const dir = join(ROOT, 'node_modules', '.cache', 'svelte-module-tests');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${relPath.replace(/[/\\.]/g, '_')}_${process.pid}.mjs`);
  writeFileSync(file, out.outputFiles[0]!.text);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } finally {
    rmSync(file, { force: true });
  }
}
