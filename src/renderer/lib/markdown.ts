// A small Markdown reader for lesson text. Lessons are files anyone may write or share, so the reader has
// no HTML pass-through at all: it yields a tree of plain data that Svelte renders as elements and text
// (escaped by construction). Raw `<tags>` in a lesson show up as the literal characters.
// Covered: ATX headings, paragraphs, emphasis, strong, inline code, links, fenced code, bullet and
// numbered lists (nested by indentation), block quotes, horizontal rules, simple pipe tables, hard breaks.
//
// A lesson may be 512 KiB and is parsed on the UI thread, so every step is linear in its input: a search for
// a closing delimiter that failed is remembered (a later search for the same delimiter from further on would
// fail too), brackets are paired in one pass, and nesting deeper than MAX_DEPTH is read as plain text.

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'em' | 'strong' | 'del'; c: Inline[] }
  /** `href` is kept only for http(s) and mailto; anything else renders as plain text. */
  | { t: 'link'; href: string | null; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'h'; level: 1 | 2 | 3 | 4 | 5 | 6; c: Inline[] }
  | { t: 'p'; c: Inline[] }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'code'; lang: string; v: string }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' }
  | { t: 'table'; head: Inline[][]; rows: Inline[][][] };

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

export function safeHref(url: string): string | null {
  const u = url.trim();
  // Control characters and whitespace inside a scheme are how `java\nscript:` tricks work; refuse them.
  if (/[\u0000-\u001f\u007f\s]/.test(u)) return null;
  return SAFE_URL.test(u) ? u : null;
}

/** Quotes in quotes, lists in lists, emphasis in links in emphasis…: deeper than this is plain text. */
const MAX_DEPTH = 12;

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  return parseBlocks(lines, 0);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)?.*$/;
const HEADING_START = /^ {0,3}(#{1,6})(?:\s|$)/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^( *)([-*+])\s+(.*)$/;
const ORDERED = /^( *)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function isBlank(l: string): boolean {
  return l.trim() === '';
}

/** Whether a line starts a block other than a paragraph (so it ends a running paragraph). */
function startsBlock(l: string): boolean {
  return FENCE.test(l) || HEADING_START.test(l) || HR.test(l) || BULLET.test(l) || ORDERED.test(l) || QUOTE.test(l);
}

/**
 * `# Title ##` → level 1, "Title". Done with string steps rather than one regular expression: a lazy
 * `(.*?)` before an optional closing `#` run backtracks quadratically on a long line of spaces.
 */
function heading(line: string): { level: number; text: string } | null {
  const m = HEADING_START.exec(line);
  if (m === null) return null;
  let text = line.slice(m[0].length).trim();
  const closing = /(?:^|\s)#+$/.exec(text);
  if (closing !== null) text = text.slice(0, closing.index).trimEnd();
  return { level: m[1]!.length, text };
}

function parseBlocks(lines: string[], depth: number): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(marker)) body.push(lines[i++]!);
      i++;
      out.push({ t: 'code', lang: fence[2] ?? '', v: body.join('\n') });
      continue;
    }
    const h = heading(line);
    if (h) {
      out.push({ t: 'h', level: h.level as 1 | 2 | 3 | 4 | 5 | 6, c: parseInline(h.text) });
      i++;
      continue;
    }
    if (HR.test(line)) {
      out.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i]!)) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      out.push({ t: 'quote', c: parseBlocks(body, depth + 1) });
      continue;
    }
    const item = BULLET.exec(line) ?? ORDERED.exec(line);
    if (item && depth < MAX_DEPTH) {
      i = parseList(lines, i, out, depth);
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!) && lines[i + 1]!.includes('-')) {
      const head = splitRow(line);
      const rows: Inline[][][] = [];
      i += 2;
      while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) rows.push(splitRow(lines[i++]!));
      out.push({ t: 'table', head, rows });
      continue;
    }
    const para: string[] = [];
    // Past MAX_DEPTH a quote or list marker is text, so a line that would start one still continues the paragraph.
    const deep = depth >= MAX_DEPTH;
    while (i < lines.length && !isBlank(lines[i]!) && (para.length === 0 || !startsBlock(lines[i]!) || (deep && !FENCE.test(lines[i]!)))) para.push(lines[i++]!);
    out.push({ t: 'p', c: parseInline(para.join('\n')) });
  }
  return out;
}

function splitRow(line: string): Inline[][] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (s[i] === '|') {
      cells.push(cur);
      cur = '';
    } else cur += s[i];
  }
  cells.push(cur);
  return cells.map((c) => parseInline(c.trim()));
}

function parseList(lines: string[], start: number, out: Block[], depth: number): number {
  const first = (BULLET.exec(lines[start]!) ?? ORDERED.exec(lines[start]!))!;
  const ordered = !BULLET.test(lines[start]!);
  const indent = first[1]!.length;
  const items: Block[][] = [];
  let i = start;
  // The next non-blank line after a run of blank ones, found once per run (not once per blank line).
  let blankRunEnd = -1;
  const nextNonBlank = (from: number): string | undefined => {
    if (blankRunEnd < from) {
      blankRunEnd = from;
      while (blankRunEnd < lines.length && isBlank(lines[blankRunEnd]!)) blankRunEnd++;
    }
    return lines[blankRunEnd];
  };
  while (i < lines.length) {
    const m = ordered ? ORDERED.exec(lines[i]!) : BULLET.exec(lines[i]!);
    if (!m || m[1]!.length !== indent) break;
    // An item's content column: continuation lines indented at least this far belong to it.
    const contentCol = lines[i]!.length - m[3]!.length;
    const body = [m[3]!];
    i++;
    while (i < lines.length) {
      const l = lines[i]!;
      if (isBlank(l)) {
        const next = nextNonBlank(i + 1);
        if (next !== undefined && leading(next) >= contentCol) {
          body.push('');
          i++;
          continue;
        }
        break;
      }
      if (leading(l) >= contentCol) body.push(l.slice(contentCol));
      else if (leading(l) > indent && (BULLET.test(l) || ORDERED.test(l))) body.push(l.slice(Math.min(contentCol, leading(l))));
      else if (!startsBlock(l) && body.length > 0 && !isBlank(body[body.length - 1]!)) body.push(l.trim());
      else break;
      i++;
    }
    items.push(parseBlocks(body, depth + 1));
    while (i < lines.length && isBlank(lines[i]!)) {
      const next = lines[i + 1];
      const again = next !== undefined && (ordered ? ORDERED.exec(next) : BULLET.exec(next));
      if (again && again[1]!.length === indent) i++;
      else break;
    }
  }
  out.push({ t: 'list', ordered, start: ordered ? Number(first[2]) : 1, items });
  return i;
}

function leading(l: string): number {
  return l.length - l.trimStart().length;
}

const ESCAPABLE = '\\`*_{}[]()#+-.!|<>~"\'';
/** Characters the inline reader acts on; runs of anything else are copied as they are. */
const SPECIAL = new Set(['\\', '\n', '`', '[', '*', '_', '~']);

/** Inline markup. Unmatched delimiters are kept as literal text rather than guessed at. */
export function parseInline(src: string): Inline[] {
  return new InlineReader(src).read(0, src.length, 0);
}

/**
 * One reader per paragraph: nested spans are read over ranges of the same string, so the bracket pairs and
 * the remembered failed searches serve every level.
 */
class InlineReader {
  /** Position of the `]` that closes the `[` at a position, or -1; computed once for the whole text. */
  #brackets: Int32Array | null = null;
  /** For each closing run (`*`, `**`, `~~`…) and range end, the position from which a search already failed. */
  readonly #failedFrom = new Map<string, number>();
  /** For each needle, the last indexOf answer: no occurrence lies between `from` and `at`. */
  readonly #lastHit = new Map<string, { from: number; at: number }>();

  constructor(private readonly src: string) {}

  read(from: number, to: number, depth: number): Inline[] {
    const src = this.src;
    const out: Inline[] = [];
    // Text gathered in pieces and joined once: `text += …` then trimEnd() at every line would copy the
    // paragraph's text once per line.
    let parts: string[] = [];
    const flush = (): void => {
      const v = parts.join('');
      if (v) out.push({ t: 'text', v });
      parts = [];
    };
    const endsWith = (suffix: string): boolean => {
      let tail = '';
      for (let k = parts.length - 1; k >= 0 && tail.length < suffix.length; k--) tail = parts[k] + tail;
      return tail.endsWith(suffix);
    };
    const trimEnd = (): void => {
      while (parts.length > 0) {
        const last = parts.pop()!.trimEnd();
        if (last !== '') {
          parts.push(last);
          return;
        }
      }
    };
    let i = from;
    while (i < to) {
      const c = src[i]!;
      if (c === '\\' && i + 1 < to && ESCAPABLE.includes(src[i + 1]!)) {
        parts.push(src[i + 1]!);
        i += 2;
        continue;
      }
      if (c === '\n') {
        // Two trailing spaces or a backslash make a hard break; a plain newline is a space.
        if (endsWith('  ')) {
          trimEnd();
          flush();
          out.push({ t: 'br' });
        } else if (endsWith('\\')) {
          const last = parts.pop()!;
          parts.push(last.slice(0, -1));
          flush();
          out.push({ t: 'br' });
        } else {
          trimEnd();
          parts.push(' ');
        }
        i++;
        continue;
      }
      if (c === '`') {
        let n = 1;
        while (i + n < to && src[i + n] === '`') n++;
        const run = '`'.repeat(n);
        const close = this.#indexOf(run, i + n, to);
        if (close > 0) {
          flush();
          const body = src.slice(i + n, close);
          out.push({ t: 'code', v: body.length > 2 && body.startsWith(' ') && body.endsWith(' ') ? body.slice(1, -1) : body });
          i = close + n;
          continue;
        }
        parts.push(run);
        i += n;
        continue;
      }
      if (c === '[' && depth < MAX_DEPTH) {
        const close = this.#matchBracket(i, to);
        if (close > 0 && src[close + 1] === '(') {
          const end = this.#indexOf(')', close + 2, to);
          if (end > 0) {
            flush();
            const target = src.slice(close + 2, end).trim().split(/\s+/)[0] ?? '';
            out.push({ t: 'link', href: safeHref(target), c: this.read(i + 1, close, depth + 1) });
            i = end + 1;
            continue;
          }
        }
      }
      if (c === '*' || c === '_' || c === '~') {
        const run = i + 1 < to && src[i + 1] === c ? c + c : c;
        if (c === '~' && run.length === 1) {
          parts.push(c);
          i++;
          continue;
        }
        // Intraword underscores (snake_case names in lessons) are not emphasis.
        const prev = i > from ? src[i - 1] : undefined;
        const leftOk = !(c === '_' && prev !== undefined && /\w/.test(prev));
        const next = i + run.length < to ? src[i + run.length] : undefined;
        if (leftOk && depth < MAX_DEPTH && next !== undefined && !/\s/.test(next)) {
          const close = this.#findClose(i + run.length, to, run);
          if (close > 0) {
            flush();
            const inner = this.read(i + run.length, close, depth + 1);
            out.push({ t: c === '~' ? 'del' : run.length === 2 ? 'strong' : 'em', c: inner });
            i = close + run.length;
            continue;
          }
        }
        parts.push(run);
        i += run.length;
        continue;
      }
      // Plain text up to the next character that may mean something, as one piece.
      let j = i + 1;
      while (j < to && !SPECIAL.has(src[j]!)) j++;
      parts.push(src.slice(i, j));
      i = j;
    }
    flush();
    return out;
  }

  /**
   * src.indexOf(needle, from), as a position before `to` or -1. The last answer per needle is remembered: a
   * search from between its start and its hit has the same answer (-1 meaning none to the end of the text).
   */
  #indexOf(needle: string, from: number, to: number): number {
    const last = this.#lastHit.get(needle);
    let at: number;
    if (last !== undefined && from >= last.from && (last.at < 0 || from <= last.at)) {
      at = last.at;
    } else {
      at = this.src.indexOf(needle, from);
      this.#lastHit.set(needle, { from, at });
    }
    return at >= 0 && at + needle.length <= to ? at : -1;
  }

  /** The `]` closing the `[` at `open` (by nesting depth, skipping escapes), paired once for the whole text. */
  #matchBracket(open: number, to: number): number {
    if (this.#brackets === null) {
      const src = this.src;
      const pairs = new Int32Array(src.length).fill(-1);
      const stack: number[] = [];
      for (let i = 0; i < src.length; i++) {
        const ch = src[i];
        if (ch === '\\') i++;
        else if (ch === '[') stack.push(i);
        else if (ch === ']' && stack.length > 0) pairs[stack.pop()!] = i;
      }
      this.#brackets = pairs;
    }
    const close = this.#brackets[open]!;
    return close < to ? close : -1;
  }

  /** The closing `run` for a span opened before `from`, or -1. */
  #findClose(from: number, to: number, run: string): number {
    // Per range end: a span nested in another ends earlier, and failing there says nothing about further on.
    const key = `${run}:${to}`;
    const failed = this.#failedFrom.get(key);
    if (failed !== undefined && from >= failed) return -1;
    const found = this.#scanClose(from, to, run);
    if (found < 0) this.#failedFrom.set(key, Math.min(from, failed ?? from));
    return found;
  }

  #scanClose(from: number, to: number, run: string): number {
    const src = this.src;
    for (let i = from; i < to; i++) {
      if (src[i] === '\\') {
        i++;
        continue;
      }
      if (src[i] === '`') {
        const end = this.#indexOf('`', i + 1, to);
        if (end > 0) i = end;
        continue;
      }
      if (src.startsWith(run, i) && i + run.length <= to && !/\s/.test(src[i - 1] ?? ' ')) {
        // `*a **b** c*`: a double run inside a single-delimited span is not its closer.
        if (run.length === 1 && src[i + 1] === run) {
          const inner = this.#findClose(i + 2, to, run + run);
          if (inner > 0) {
            i = inner + 1;
            continue;
          }
        }
        const after = i + run.length < to ? src[i + run.length] : undefined;
        if (run[0] === '_' && after !== undefined && /\w/.test(after)) continue;
        return i;
      }
    }
    return -1;
  }
}

/** Plain text of inline content (for titles, aria labels and tests). */
export function inlineText(c: Inline[]): string {
  return c.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? '\n' : inlineText(n.c))).join('');
}
