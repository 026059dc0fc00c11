// Splits a lesson file into its YAML front matter, Markdown prose and ```step blocks, remembering the line
// where each begins so that YAML positions can be turned into file positions. Fences follow CommonMark
// (up to 3 spaces of indent, ``` or ~~~, closed by a fence of the same kind at least as long), so a step
// shown inside a longer ````markdown example fence is prose, not a step.

export interface Piece {
  kind: 'markdown' | 'step';
  text: string;
  /** Line of the first line of `text` (for a step: the line after its opening fence). */
  line: number;
  /** Spaces removed from the start of each line of a step (the fence's own indent). */
  indent: number;
}

export interface SplitProblem {
  line: number;
  col: number;
  message: string;
}

export interface SplitFile {
  frontMatter?: { text: string; line: number };
  /** The file's structure is broken (an unclosed block): nothing after the problem was read. */
  broken?: boolean;
  pieces: Piece[];
  problems: SplitProblem[];
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

export function splitLesson(source: string): SplitFile {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: SplitProblem[] = [];
  const pieces: Piece[] = [];
  let i = 0;
  let frontMatter: SplitFile['frontMatter'];
  if (lines[0]?.trimEnd() === '---') {
    const end = lines.findIndex((l, n) => n > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
    if (end === -1) {
      problems.push({ line: 1, col: 1, message: 'the front matter opened by --- on line 1 is never closed by a --- line' });
      return { pieces, problems, broken: true };
    }
    frontMatter = { text: lines.slice(1, end).join('\n'), line: 2 };
    i = end + 1;
  }

  let prose: string[] = [];
  let proseLine = i + 1;
  const flushProse = (): void => {
    const first = prose.findIndex((l) => l.trim() !== '');
    if (first !== -1) pieces.push({ kind: 'markdown', text: prose.join('\n').trim(), line: proseLine + first, indent: 0 });
    prose = [];
  };

  while (i < lines.length) {
    const line = lines[i]!;
    const open = FENCE.exec(line);
    if (open === null || (open[2]![0] === '`' && open[3]!.includes('`'))) {
      if (prose.length === 0) proseLine = i + 1;
      prose.push(line);
      i++;
      continue;
    }
    const [, indentText, fence, infoText] = open as unknown as [string, string, string, string];
    const info = infoText.trim().split(/\s+/)[0] ?? '';
    const close = findClose(lines, i + 1, fence);
    if (info === 'step') {
      flushProse();
      if (close === -1) {
        problems.push({ line: i + 1, col: indentText.length + 1, message: `this ${fence}step block is never closed by a ${fence} line` });
        return { frontMatter, pieces, problems, broken: true };
      }
      const indent = indentText.length;
      const body = lines.slice(i + 1, close).map((l) => stripIndent(l, indent));
      pieces.push({ kind: 'step', text: body.join('\n'), line: i + 2, indent });
      i = close + 1;
      proseLine = i + 1;
      continue;
    }
    if (looksLikeStep(info)) {
      problems.push({ line: i + 1, col: indentText.length + fence.length + 1, message: `fenced block '${info}' is not a step: write ${fence}step` });
    }
    // Any other fenced block is prose, kept whole so that a step example inside it stays an example.
    const end = close === -1 ? lines.length - 1 : close;
    if (prose.length === 0) proseLine = i + 1;
    prose.push(...lines.slice(i, end + 1));
    i = end + 1;
  }
  flushProse();
  return { frontMatter, pieces, problems };
}

function findClose(lines: string[], from: number, fence: string): number {
  for (let n = from; n < lines.length; n++) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[n]!);
    if (m !== null && m[1]![0] === fence[0] && m[1]!.length >= fence.length) return n;
  }
  return -1;
}

function stripIndent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === ' ') n++;
  return line.slice(n);
}

/** A near miss of `step` (Step, steps, stpe): almost certainly meant as a step and silently lost otherwise. */
function looksLikeStep(info: string): boolean {
  const lower = info.toLowerCase();
  if (lower === 'step') return true;
  return lower === 'steps' || lower === 'stpe' || lower === 'setp' || lower === 'ste';
}
