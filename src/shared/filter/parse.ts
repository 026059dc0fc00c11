// Display-filter expressions in Wireshark's style, so what a student types here also works in Wireshark:
//   mqtt.qos == 1 && mqtt.topic contains "temp"      !mqtt.msgid      (mqtt.qos > 0 || mqtt.retain) and not lab.fault
// Syntax only: which field names exist is the evaluator's business (an unknown name simply never matches).

export type CompareOp = '==' | '!=' | '>' | '<' | '>=' | '<=' | 'contains' | 'matches';

export type Literal =
  | { type: 'number'; value: number; text: string }
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  /** An unquoted word that is not a number or boolean, e.g. `PUBLISH` in `lab.type == PUBLISH`. */
  | { type: 'word'; value: string };

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'present'; field: string }
  | { kind: 'compare'; field: string; op: CompareOp; value: Literal };

export class FilterSyntaxError extends Error {
  /** 0-based character range of the offending text, for underlining it in the box. */
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

type TokKind = 'ident' | 'number' | 'string' | 'op' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'eof';

interface Token {
  kind: TokKind;
  text: string;
  /** The operator a word or symbol stands for (`eq` → `==`). */
  op?: CompareOp;
  value?: string | number;
  start: number;
  end: number;
}

const WORD_OPS: Record<string, CompareOp> = { eq: '==', ne: '!=', gt: '>', lt: '<', ge: '>=', le: '<=', contains: 'contains', matches: 'matches' };
const SYMBOL_OPS: CompareOp[] = ['==', '!=', '>=', '<=', '>', '<'];

const col = (i: number): string => `column ${i + 1}`;

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, start, end: ++i });
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new FilterSyntaxError(`Unterminated string starting at ${col(start)}: add the closing ${c}`, start, src.length);
        const d = src[i]!;
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < src.length) {
          const e = src[i + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ kind: 'string', text: src.slice(start, i), value: s, start, end: i });
      continue;
    }
    if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ kind: c === '&' ? 'and' : 'or', text: src.slice(i, i + 2), start, end: (i += 2) });
      continue;
    }
    if (c === '&' || c === '|') {
      throw new FilterSyntaxError(`'${c}' alone is not an operator: write '${c}${c}' (${c === '&' ? 'and' : 'or'}) at ${col(i)}`, i, i + 1);
    }
    const sym = SYMBOL_OPS.find((o) => src.startsWith(o, i));
    if (sym) {
      out.push({ kind: 'op', text: sym, op: sym, start, end: (i += sym.length) });
      continue;
    }
    if (c === '!') {
      out.push({ kind: 'not', text: '!', start, end: ++i });
      continue;
    }
    if (c === '=') {
      throw new FilterSyntaxError(`Use '==' to compare: a single '=' at ${col(i)} is not an operator`, i, i + 1);
    }
    const word = /^[A-Za-z0-9_.\-+:/#$]+/.exec(src.slice(i));
    if (!word) throw new FilterSyntaxError(`Unexpected character '${c}' at ${col(i)}`, i, i + 1);
    const text = word[0];
    i += text.length;
    const lower = text.toLowerCase();
    if (lower === 'and' || lower === 'or' || lower === 'not') out.push({ kind: lower, text, start, end: i });
    else if (WORD_OPS[lower]) out.push({ kind: 'op', text, op: WORD_OPS[lower], start, end: i });
    else if (/^-?(0x[0-9a-f]+|\d+(\.\d+)?)$/i.test(text)) out.push({ kind: 'number', text, value: Number(text), start, end: i });
    else out.push({ kind: 'ident', text, start, end: i });
  }
  out.push({ kind: 'eof', text: '', start: src.length, end: src.length });
  return out;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

class Parser {
  #i = 0;
  constructor(private readonly toks: Token[]) {}

  get #tok(): Token {
    return this.toks[this.#i]!;
  }

  parse(): Expr {
    const e = this.#or();
    const t = this.#tok;
    if (t.kind === 'rparen') throw new FilterSyntaxError(`Unexpected ')' at ${col(t.start)}: there is no '(' to close`, t.start, t.end);
    if (t.kind !== 'eof') {
      throw new FilterSyntaxError(`Expected '&&' or '||' before '${t.text}' at ${col(t.start)}`, t.start, t.end);
    }
    return e;
  }

  #or(): Expr {
    let left = this.#and();
    while (this.#tok.kind === 'or') {
      this.#i++;
      left = { kind: 'or', left, right: this.#and() };
    }
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#tok.kind === 'and') {
      this.#i++;
      left = { kind: 'and', left, right: this.#not() };
    }
    return left;
  }

  #not(): Expr {
    if (this.#tok.kind === 'not') {
      this.#i++;
      return { kind: 'not', expr: this.#not() };
    }
    return this.#primary();
  }

  #primary(): Expr {
    const t = this.#tok;
    if (t.kind === 'lparen') {
      this.#i++;
      const e = this.#or();
      if (this.#tok.kind !== 'rparen') {
        const u = this.#tok;
        const found = u.kind === 'eof' ? 'the end' : `'${u.text}'`;
        throw new FilterSyntaxError(`Missing ')' to close the '(' at ${col(t.start)} (found ${found})`, t.start, u.end);
      }
      this.#i++;
      return e;
    }
    if (t.kind === 'eof') throw new FilterSyntaxError('The expression ends too early: expected a field name such as mqtt.qos', t.start, t.end);
    if (t.kind !== 'ident') {
      throw new FilterSyntaxError(`Expected a field name such as mqtt.qos at ${col(t.start)}, found '${t.text}'`, t.start, t.end);
    }
    if (!FIELD_NAME.test(t.text)) throw new FilterSyntaxError(`'${t.text}' at ${col(t.start)} is not a field name (like mqtt.topic)`, t.start, t.end);
    this.#i++;
    const field = t.text;
    const opTok = this.#tok;
    if (opTok.kind !== 'op') return { kind: 'present', field };
    this.#i++;
    const v = this.#tok;
    const op = opTok.op!;
    if (v.kind === 'eof') throw new FilterSyntaxError(`Expected a value after '${opTok.text}' at ${col(opTok.start)}`, opTok.start, opTok.end);
    let value: Literal;
    if (v.kind === 'number') value = { type: 'number', value: v.value as number, text: v.text };
    else if (v.kind === 'string') value = { type: 'string', value: v.value as string };
    else if (v.kind === 'ident') {
      const lower = v.text.toLowerCase();
      value = lower === 'true' || lower === 'false' ? { type: 'bool', value: lower === 'true' } : { type: 'word', value: v.text };
    } else {
      throw new FilterSyntaxError(`Expected a value after '${opTok.text}' at ${col(v.start)}, found '${v.text}'`, v.start, v.end);
    }
    if (op === 'matches') {
      // As in Wireshark: a regular expression, checked here so a bad one is a syntax error, not "no match".
      if (value.type !== 'string') throw new FilterSyntaxError(`'matches' takes a quoted regular expression at ${col(v.start)}`, v.start, v.end);
      try {
        new RegExp(value.value, 'u');
      } catch (err) {
        throw new FilterSyntaxError(`Not a regular expression at ${col(v.start)}: ${(err as Error).message}`, v.start, v.end);
      }
    }
    this.#i++;
    return { kind: 'compare', field, op, value };
  }
}

/** Parses a filter; an empty (or blank) text means "no filter" and gives null. Throws FilterSyntaxError. */
export function parseFilter(src: string): Expr | null {
  if (src.trim() === '') return null;
  return new Parser(lex(src)).parse();
}

/** Every field name the expression mentions, so the UI can warn about names no packet has. */
export function fieldsOf(e: Expr | null, into: Set<string> = new Set()): Set<string> {
  if (!e) return into;
  switch (e.kind) {
    case 'and': case 'or':
      fieldsOf(e.left, into);
      fieldsOf(e.right, into);
      break;
    case 'not':
      fieldsOf(e.expr, into);
      break;
    default:
      into.add(e.field);
  }
  return into;
}
