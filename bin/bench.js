#!/usr/bin/env node
// `npm run bench [-- NAME…]`: runs bench/*.ts (or the named ones) one after another, each in its own
// Node process so that one bench's warm JIT and heap do not colour the next one's numbers.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const benchDir = join(root, 'bench');

const all = existsSync(benchDir)
  ? readdirSync(benchDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort()
  : [];
if (all.length === 0) {
  console.log('No benches in bench/ yet.');
  process.exit(0);
}

// Names choose benches; options (`--quick`, `--rounds 3`: a `--name` and the value after it) go to each.
const names = [];
const options = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) {
    options.push(a);
    const next = process.argv[i + 1];
    if (next !== undefined && !next.startsWith('--') && !all.includes(`${basename(next).replace(/\.ts$/, '')}.ts`)) options.push(process.argv[++i]);
  } else names.push(a);
}
const wanted = names.map((a) => basename(a).replace(/\.ts$/, ''));
const unknown = wanted.filter((w) => !all.includes(`${w}.ts`));
if (unknown.length > 0) {
  console.error(`No such bench: ${unknown.join(', ')}. Available: ${all.map((f) => f.replace(/\.ts$/, '')).join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? all.filter((f) => wanted.includes(f.replace(/\.ts$/, ''))) : all;

let failed = 0;
for (const file of chosen) {
  console.log(`\n== bench/${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file), ...options], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${file} failed (${r.status ?? r.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
