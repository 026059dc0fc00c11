// A small Markdown reader for lesson text. Lessons are files anyone may write or share, so the reader has
// no HTML pass-through at all: it yields a tree of plain data that Svelte renders as elements and text
// (escaped by construction). Raw `<tags>` in a lesson show up as the literal characters.
// Covered: ATX headings, paragraphs, emphasis, strong, inline code, links, fenced code, bullet and
// numbered lists (nested by indentation), block quotes, horizontal rules, simple pipe tables, hard breaks.

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

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  return parseBlocks(lines);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)?.*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
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
  return FENCE.test(l) || HEADING.test(l) || HR.test(l) || BULLET.test(l) || ORDERED.test(l) || QUOTE.test(l);
}

function parseBlocks(lines: string[]): Block[] {
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
    const h = HEADING.exec(line);
    if (h) {
      out.push({ t: 'h', level: h[1]!.length as 1 | 2 | 3 | 4 | 5 | 6, c: parseInline(h[2] ?? '') });
      i++;
      continue;
    }
    if (HR.test(line)) {
      out.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i]!)) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      out.push({ t: 'quote', c: parseBlocks(body) });
      continue;
    }
    const item = BULLET.exec(line) ?? ORDERED.exec(line);
    if (item) {
      i = parseList(lines, i, out);
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
    while (i < lines.length && !isBlank(lines[i]!) && (para.length === 0 || !startsBlock(lines[i]!))) para.push(lines[i++]!);
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

function parseList(lines: string[], start: number, out: Block[]): number {
  const first = (BULLET.exec(lines[start]!) ?? ORDERED.exec(lines[start]!))!;
  const ordered = !BULLET.test(lines[start]!);
  const indent = first[1]!.length;
  const items: Block[][] = [];
  let i = start;
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
        const next = lines.slice(i + 1).find((x) => !isBlank(x));
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
    items.push(parseBlocks(body));
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

/** Inline markup. Unmatched delimiters are kept as literal text rather than guessed at. */
export function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length && ESCAPABLE.includes(src[i + 1]!)) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      // Two trailing spaces or a backslash make a hard break; a plain newline is a space.
      if (text.endsWith('  ')) {
        text = text.trimEnd();
        flush();
        out.push({ t: 'br' });
      } else if (text.endsWith('\\')) {
        text = text.slice(0, -1);
        flush();
        out.push({ t: 'br' });
      } else text = text.trimEnd() + ' ';
      i++;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(src.slice(i))![0];
      const close = src.indexOf(run, i + run.length);
      if (close > 0) {
        flush();
        const body = src.slice(i + run.length, close);
        out.push({ t: 'code', v: body.length > 2 && body.startsWith(' ') && body.endsWith(' ') ? body.slice(1, -1) : body });
        i = close + run.length;
        continue;
      }
      text += run;
      i += run.length;
      continue;
    }
    if (c === '[') {
      const close = matchBracket(src, i);
      if (close > 0 && src[close + 1] === '(') {
        const end = src.indexOf(')', close + 2);
        if (end > 0) {
          flush();
          const target = src.slice(close + 2, end).trim().split(/\s+/)[0] ?? '';
          out.push({ t: 'link', href: safeHref(target), c: parseInline(src.slice(i + 1, close)) });
          i = end + 1;
          continue;
        }
      }
    }
    if (c === '*' || c === '_' || c === '~') {
      const run = src.startsWith(c + c, i) ? c + c : c;
      if (c === '~' && run.length === 1) {
        text += c;
        i++;
        continue;
      }
      // Intraword underscores (snake_case names in lessons) are not emphasis.
      const prev = src[i - 1];
      const leftOk = !(c === '_' && prev !== undefined && /\w/.test(prev));
      const next = src[i + run.length];
      if (leftOk && next !== undefined && !/\s/.test(next)) {
        const close = findClose(src, i + run.length, run);
        if (close > 0) {
          flush();
          const inner = parseInline(src.slice(i + run.length, close));
          out.push({ t: c === '~' ? 'del' : run.length === 2 ? 'strong' : 'em', c: inner });
          i = close + run.length;
          continue;
        }
      }
      text += run;
      i += run.length;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

function matchBracket(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === '[') depth++;
    else if (src[i] === ']' && --depth === 0) return i;
  }
  return -1;
}

function findClose(src: string, from: number, run: string): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\') {
      i++;
      continue;
    }
    if (src[i] === '`') {
      const end = src.indexOf('`', i + 1);
      if (end > 0) i = end;
      continue;
    }
    if (src.startsWith(run, i) && !/\s/.test(src[i - 1] ?? ' ')) {
      // `*a **b** c*`: a double run inside a single-delimited span is not its closer.
      if (run.length === 1 && src[i + 1] === run) {
        const inner = findClose(src, i + 2, run + run);
        if (inner > 0) {
          i = inner + 1;
          continue;
        }
      }
      const after = src[i + run.length];
      if (run[0] === '_' && after !== undefined && /\w/.test(after)) continue;
      return i;
    }
  }
  return -1;
}

/** Plain text of inline content (for titles, aria labels and tests). */
export function inlineText(c: Inline[]): string {
  return c.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? '\n' : inlineText(n.c))).join('');
}
