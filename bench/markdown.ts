// The lesson Markdown reader on text built to be hard for it (test/ui/markdown-hostile.ts), at 32k characters
// and at 512 KiB, the largest lesson: linear time shows as a time ratio near 16 between the two.
//   node --import tsx bench/markdown.ts [--reader path/to/markdown.ts]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { HOSTILE } from '../test/ui/markdown-hostile.js';

const at = process.argv.indexOf('--reader');
const path = at > 0 ? resolve(process.argv[at + 1]!) : resolve(import.meta.dirname, '../src/renderer/lib/markdown.ts');
const { parseMarkdown } = (await import(pathToFileURL(path).href)) as typeof import('../src/renderer/lib/markdown.js');

function time(src: string): number {
  const t0 = performance.now();
  parseMarkdown(src);
  return performance.now() - t0;
}

const SMALL = 32 * 1024;
const LARGE = 512 * 1024;
console.log(`reader: ${path}`);
console.log(`${'input'.padEnd(30)} ${'32k ms'.padStart(9)} ${'512 KiB ms'.padStart(11)} ${'ratio'.padStart(7)}  exponent`);
for (const [name, build] of HOSTILE) {
  time(build(1024)); // warm-up
  const small = Math.min(time(build(SMALL)), time(build(SMALL)));
  // A quadratic reader would take minutes at 512 KiB: skip it once 32k is already slow.
  const large = small > 200 ? NaN : time(build(LARGE));
  const ratio = large / small;
  console.log(`${name.padEnd(30)} ${small.toFixed(1).padStart(9)} ${Number.isNaN(large) ? '(skipped)'.padStart(11) : large.toFixed(1).padStart(11)} ${Number.isNaN(ratio) ? '' : ratio.toFixed(1).padStart(7)}  ${Number.isNaN(ratio) ? '' : (Math.log(ratio) / Math.log(LARGE / SMALL)).toFixed(2)}`);
}
