// Lesson text built to make a naive Markdown reader quadratic: one paragraph (or one line) of a single
// construct repeated to `size` characters. Shared by the test and bench/markdown.ts.
export const HOSTILE: ReadonlyArray<[string, (size: number) => string]> = [
  ['open brackets', (n) => '['.repeat(n)],
  ['open links', (n) => '[a]('.repeat(Math.ceil(n / 4)).slice(0, n)],
  ['unclosed emphasis', (n) => '*a '.repeat(Math.ceil(n / 3)).slice(0, n)],
  ['unclosed strong', (n) => '**a '.repeat(Math.ceil(n / 4)).slice(0, n)],
  ['underscores', (n) => '_a '.repeat(Math.ceil(n / 3)).slice(0, n)],
  ['strikethrough', (n) => '~~a '.repeat(Math.ceil(n / 4)).slice(0, n)],
  ['backticks', (n) => '`a ``b '.repeat(Math.ceil(n / 7)).slice(0, n)],
  ['short lines in one paragraph', (n) => 'word\n'.repeat(Math.ceil(n / 5)).slice(0, n)],
  ['nested quotes', (n) => '>'.repeat(n)],
  ['a heading of spaces', (n) => `# a${' '.repeat(n)}b`],
  ['blank lines in a list', (n) => `- a\n${'\n'.repeat(n)}- b`],
  ['emphasis inside a link', (n) => `[${'*a '.repeat(Math.ceil(n / 3)).slice(0, n)}](https://x)`],
];
