import { describe, expect, it } from 'vitest';
import { inlineText, parseInline, parseMarkdown, safeHref, type Block, type Inline } from '../../src/renderer/lib/markdown.js';

/** Every string in the tree, however deep: what could ever reach the page. */
function strings(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x);
  else if (Array.isArray(x)) for (const y of x) strings(y, out);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) strings(v, out);
  return out;
}

describe('markdown blocks', () => {
  it('reads headings, paragraphs and rules', () => {
    expect(parseMarkdown('# QoS 1\n\nThe *broker* answers.\nWith PUBACK.\n\n---\n### Next ##')).toEqual<Block[]>([
      { t: 'h', level: 1, c: [{ t: 'text', v: 'QoS 1' }] },
      { t: 'p', c: [{ t: 'text', v: 'The ' }, { t: 'em', c: [{ t: 'text', v: 'broker' }] }, { t: 'text', v: ' answers. With PUBACK.' }] },
      { t: 'hr' },
      { t: 'h', level: 3, c: [{ t: 'text', v: 'Next' }] },
    ]);
  });

  it('keeps fenced code verbatim, markup and tags included', () => {
    const b = parseMarkdown('```python\nclient.connect("127.0.0.1", 1883)\n<b>*x*</b>\n```\nafter');
    expect(b[0]).toEqual({ t: 'code', lang: 'python', v: 'client.connect("127.0.0.1", 1883)\n<b>*x*</b>' });
    expect(b[1]).toEqual({ t: 'p', c: [{ t: 'text', v: 'after' }] });
  });

  it('reads bullet and numbered lists, nested by indentation', () => {
    const b = parseMarkdown('- one\n- two\n  - two a\n  - two b\n- three\n\n3. c\n4. d');
    expect(b[0]).toMatchObject({ t: 'list', ordered: false });
    const list = b[0] as Extract<Block, { t: 'list' }>;
    expect(list.items).toHaveLength(3);
    expect(list.items[1]![1]).toMatchObject({ t: 'list', items: [[{ t: 'p' }], [{ t: 'p' }]] });
    expect(b[1]).toMatchObject({ t: 'list', ordered: true, start: 3 });
  });

  it('reads block quotes and pipe tables', () => {
    const b = parseMarkdown('> Note: *retained*\n\n| Type | Value |\n|---|---|\n| CONNECT | 1 |\n| PUBLISH | 3 |');
    expect(b[0]).toMatchObject({ t: 'quote', c: [{ t: 'p' }] });
    const t = b[1] as Extract<Block, { t: 'table' }>;
    expect(t.t).toBe('table');
    expect(t.head.map(inlineText)).toEqual(['Type', 'Value']);
    expect(t.rows.map((r) => r.map(inlineText))).toEqual([['CONNECT', '1'], ['PUBLISH', '3']]);
  });
});

describe('markdown inline', () => {
  it('reads emphasis, strong, code and escapes', () => {
    expect(parseInline('**QoS 2** is `exactly once`, \\*not\\* _free_')).toEqual<Inline[]>([
      { t: 'strong', c: [{ t: 'text', v: 'QoS 2' }] },
      { t: 'text', v: ' is ' },
      { t: 'code', v: 'exactly once' },
      { t: 'text', v: ', *not* ' },
      { t: 'em', c: [{ t: 'text', v: 'free' }] },
    ]);
  });

  it('leaves snake_case and lone delimiters alone', () => {
    expect(inlineText(parseInline('mqtt.conflag_willflag and 2 * 3'))).toBe('mqtt.conflag_willflag and 2 * 3');
    expect(parseInline('a * b')).toEqual([{ t: 'text', v: 'a * b' }]);
  });

  it('makes hard breaks from two trailing spaces', () => {
    expect(parseInline('a  \nb')).toEqual([{ t: 'text', v: 'a' }, { t: 'br' }, { t: 'text', v: 'b' }]);
  });

  it('keeps only http(s) and mailto link targets', () => {
    expect(parseInline('[spec](https://docs.oasis-open.org/mqtt)')).toEqual([
      { t: 'link', href: 'https://docs.oasis-open.org/mqtt', c: [{ t: 'text', v: 'spec' }] },
    ]);
    expect(parseInline('[x](javascript:alert(1))')[0]).toMatchObject({ t: 'link', href: null });
    expect(parseInline('[x](data:text/html,hi)')[0]).toMatchObject({ t: 'link', href: null });
    expect(safeHref('java\tscript:alert(1)')).toBeNull();
    expect(safeHref(' JAVASCRIPT:alert(1)')).toBeNull();
    expect(safeHref('mailto:lecturer@example.org')).toBe('mailto:lecturer@example.org');
  });
});

describe('markdown sanitising', () => {
  it('has no HTML pass-through: tags stay literal text', () => {
    const src = '<img src=x onerror=alert(1)>\n\n<script>alert(1)</script> **<b>bold</b>**\n\n- <iframe src="x">';
    const tree = parseMarkdown(src);
    const all = strings(tree).join('');
    expect(all).toContain('<img src=x onerror=alert(1)>');
    expect(all).toContain('<script>alert(1)</script>');
    // Only the node kinds the renderer knows, so nothing can smuggle an element type in.
    const kinds = new Set<string>();
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if (typeof o['t'] === 'string') kinds.add(o['t']);
        Object.values(o).forEach(walk);
      }
    };
    walk(tree);
    for (const k of kinds) expect(['p', 'text', 'strong', 'list']).toContain(k);
  });
});
