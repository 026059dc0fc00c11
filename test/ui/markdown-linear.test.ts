// The lesson Markdown reader runs on the UI thread and a lesson may be 512 KiB: inputs that make a naive
// reader quadratic (the old one took ~1.5 s at 32k characters for each of these) are read in linear time.
// Ratios and figures are in bench/markdown.ts; here a bound no quadratic reader meets at 128 KiB.
import { expect, it } from 'vitest';
import { inlineText, parseMarkdown, type Block } from '../../src/renderer/lib/markdown.js';
import { HOSTILE } from './markdown-hostile.js';

it.each(HOSTILE)('%s: 128 KiB parsed well within a second, its text kept', (_name, build) => {
  const src = build(128 * 1024);
  const t0 = performance.now();
  const blocks = parseMarkdown(src);
  const ms = performance.now() - t0;
  expect(blocks.length).toBeGreaterThan(0);
  // Nothing is lost: every letter of the input is still in the text shown.
  const letters = (t: string): number => t.replace(/[^abdorw]/g, '').length;
  expect(letters(blocksText(blocks))).toBe(letters(src));
  // A quadratic reader takes tens of seconds here; the linear one a few ms (generous for a loaded machine).
  expect(ms).toBeLessThan(1000);
}, 20_000);

it('deep nesting is cut off as text rather than recursed into', () => {
  const src = `${'> '.repeat(5000)}deep`;
  const blocks = parseMarkdown(src);
  let depth = 0;
  let b = blocks[0];
  while (b?.t === 'quote') {
    depth++;
    b = b.c[0];
  }
  expect(depth).toBeLessThanOrEqual(12);
  expect(JSON.stringify(blocks)).toContain('deep');
});

function blocksText(blocks: Block[]): string {
  return blocks.map((b): string => {
    switch (b.t) {
      case 'h': case 'p': return inlineText(b.c);
      case 'list': return b.items.map(blocksText).join('\n');
      case 'quote': return blocksText(b.c);
      case 'code': return b.v;
      case 'hr': return '';
      case 'table': return [...b.head, ...b.rows.flat()].map(inlineText).join(' ');
    }
  }).join('\n');
}
