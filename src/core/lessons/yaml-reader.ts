// Reads one YAML block of a lesson (the front matter or a step) as typed values, reporting every mistake
// at its line and column in the lesson file. The YAML is walked as nodes, never turned into objects with
// tags or aliases resolved: a lesson is plain data and nothing in it is evaluated.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Node, type YAMLMap } from 'yaml';
import type { Problem, SourcePos } from '../../shared/lesson.js';
import { didYouMean } from './suggest.js';

export type YNode = Node | null | undefined;

export interface Field {
  key: Node;
  value: YNode;
}

/** Keys whose values are sentences for students, where a ' #' is far more likely text than a comment. */
const PROSE_KEYS = new Set(['title', 'text', 'explain', 'prompt', 'choices', 'objectives', 'answer']);

export class Reader {
  private readonly lines = new LineCounter();

  /**
   * @param line file line of the block's first line
   * @param indent spaces the block was shifted right by in the file (a fence's indent)
   */
  constructor(
    readonly file: string,
    private readonly line: number,
    private readonly indent: number,
    private readonly problems: Problem[],
  ) {}

  /** The block's root node, or undefined when the YAML is broken (the errors are reported). */
  parse(text: string): YNode {
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, strict: true });
    for (const e of [...doc.errors, ...doc.warnings]) {
      const p = this.lines.linePos(e.pos[0]);
      this.report(this.shift(p), `YAML: ${e.message.split('\n')[0]}`);
    }
    if (doc.errors.length > 0) return undefined;
    this.truncatedByComments(doc);
    return doc.contents as YNode;
  }

  /**
   * In plain YAML ` #` starts a comment, so `title: What # does not see` silently becomes "What". In a
   * lesson that is always a mistake in the text, so it is reported rather than dropped.
   */
  private truncatedByComments(doc: ReturnType<typeof parseDocument>): void {
    visit(doc, {
      Scalar: (_key, node, path) => {
        if (node.comment === undefined || node.comment === null || node.type !== 'PLAIN' || typeof node.value !== 'string') return;
        // Comments after names and numbers are fine (`connect: sensor  # opens TCP`); in prose they cut it.
        const pair = [...path].reverse().find((p) => isPair(p));
        const key = isPair(pair) && isScalar(pair.key) ? String(pair.key.value) : '';
        if (!PROSE_KEYS.has(key)) return;
        this.report(node as YNode, `'#' after a space starts a YAML comment, so this text ends at '${node.value}' and '#${node.comment}' is lost; put the whole text in quotes`);
      },
    });
  }

  at(node: YNode, fallback?: SourcePos): SourcePos {
    if (node === null || node === undefined || node.range === undefined || node.range === null) {
      return fallback ?? { line: this.line, col: 1 + this.indent };
    }
    return this.shift(this.lines.linePos(node.range[0]));
  }

  report(where: YNode | SourcePos, message: string): void {
    const p = isPos(where) ? where : this.at(where);
    this.problems.push({ file: this.file, line: p.line, col: p.col, message });
  }

  /** Something that works but is likely not what the lecturer meant; the lesson still loads. */
  warn(where: YNode | SourcePos, message: string): void {
    const p = isPos(where) ? where : this.at(where);
    this.problems.push({ file: this.file, line: p.line, col: p.col, message, severity: 'warning' });
  }

  private shift(p: { line: number; col: number }): SourcePos {
    return { line: p.line + this.line - 1, col: p.col + this.indent };
  }

  /** Rejects aliases: they would let a small file expand without bound, and a lesson never needs them. */
  private plain(node: YNode, what: string): YNode | false {
    if (isAlias(node)) {
      this.report(node, `${what}: YAML aliases (*name) are not allowed in lessons; write the value out`);
      return false;
    }
    return node;
  }

  map(node: YNode, what: string): YAMLMap | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isMap(n)) return n;
    this.report(n, `${what} must be a mapping of key: value (got ${describe(n)})`);
    return undefined;
  }

  /** A mapping whose keys are checked against `allowed`; `required` keys must be present. */
  fields(node: YNode, what: string, allowed: readonly string[], required: readonly string[] = [], at?: SourcePos): Map<string, Field> | undefined {
    const m = this.map(node, what);
    if (m === undefined) return undefined;
    const out = new Map<string, Field>();
    for (const pair of m.items) {
      const key = pair.key as YNode;
      if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
        this.report(key, `${what}: keys must be plain words`);
        continue;
      }
      const name = String(key.value);
      if (!allowed.includes(name)) {
        this.report(key, `${what}: unknown key '${name}'${didYouMean(name, allowed)}; expected one of ${allowed.join(', ')}`);
        continue;
      }
      out.set(name, { key, value: pair.value as YNode });
    }
    const missing = required.filter((k) => !out.has(k));
    if (missing.length > 0) this.report(at ?? this.at(m), `${what} needs ${missing.map((k) => `'${k}'`).join(' and ')}`);
    return out;
  }

  /** Any scalar as text: `payload: 21.50` means the five characters a lecturer typed, not the number 21.5. */
  text(node: YNode, what: string, at?: SourcePos): string | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isScalar(n) && n.value !== null && n.value !== undefined) {
      return typeof n.value === 'string' ? n.value : n.source ?? String(n.value);
    }
    this.report(n ?? at, `${what} must be text (got ${describe(n)})`);
    return undefined;
  }

  int(node: YNode, what: string, min: number, max: number, unit = ''): number | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value) && n.value >= min && n.value <= max) return n.value;
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    this.report(n, `${what} must be a whole number ${range}${unit} (got ${describe(n)})`);
    return undefined;
  }

  bool(node: YNode, what: string): boolean | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isScalar(n) && typeof n.value === 'boolean') return n.value;
    this.report(n, `${what} must be true or false (got ${describe(n)})`);
    return undefined;
  }

  choice<T extends string>(node: YNode, what: string, options: readonly T[], fold: (s: string) => string = (s) => s): T | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) {
      const v = fold(String(n.value));
      const hit = options.find((o) => o === v);
      if (hit !== undefined) return hit;
      this.report(n, `${what} must be one of ${options.join(', ')} (got '${String(n.value)}')${didYouMean(String(n.value), options)}`);
      return undefined;
    }
    this.report(n, `${what} must be one of ${options.join(', ')} (got ${describe(n)})`);
    return undefined;
  }

  /** A value to compare a decoded field with: text, number or boolean. */
  value(node: YNode, what: string): string | number | boolean | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean')) return n.value;
    this.report(n, `${what} must be a single value (got ${describe(n)})`);
    return undefined;
  }

  /** A list; with `single`, one bare value counts as a list of one. */
  items(node: YNode, what: string, single = false): YNode[] | undefined {
    const n = this.plain(node, what);
    if (n === false) return undefined;
    if (isSeq(n)) return n.items as YNode[];
    if (single && isScalar(n) && n.value !== null) return [n];
    this.report(n, `${what} must be a list (got ${describe(n)})`);
    return undefined;
  }

  isNull(node: YNode): boolean {
    return node === null || node === undefined || (isScalar(node) && node.value === null);
  }
}

function isPos(x: YNode | SourcePos): x is SourcePos {
  return x !== null && x !== undefined && typeof (x as SourcePos).line === 'number' && typeof (x as SourcePos).col === 'number';
}

/** How a wrong value is named in a message. */
export function describe(n: YNode): string {
  if (n === null || n === undefined) return 'nothing';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isAlias(n)) return 'an alias';
  if (isScalar(n)) {
    if (n.value === null) return 'nothing';
    const s = typeof n.value === 'string' ? n.value : n.source ?? String(n.value);
    return `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}'`;
  }
  return 'something else';
}
