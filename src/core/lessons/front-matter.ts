// The front matter between the --- lines at the top of a lesson: title (required), order, objectives and
// the broker capabilities the lesson needs.
import type { Reader, YNode } from './yaml-reader.js';
import { FRONT_MATTER_KEYS, REQUIREMENTS } from './vocabulary.js';

export interface FrontMatter {
  title?: string;
  order?: number;
  objectives: string[];
  requires: string[];
}

export function readFrontMatter(r: Reader, root: YNode): FrontMatter {
  const out: FrontMatter = { objectives: [], requires: [] };
  const at = { line: 1, col: 1 };
  if (r.isNull(root)) {
    r.report(at, "the front matter needs 'title'");
    return out;
  }
  const f = r.fields(root, 'front matter', FRONT_MATTER_KEYS, ['title'], at);
  if (f === undefined) return out;
  const get = (k: string): YNode => f.get(k)?.value;
  if (f.has('title')) {
    const title = r.text(get('title'), 'title', r.at(f.get('title')!.key));
    if (title !== undefined && title.trim() === '') r.report(get('title'), 'title is empty');
    else if (title !== undefined) out.title = title;
  }
  if (f.has('order')) {
    const order = r.int(get('order'), 'order', 0, 10_000);
    if (order !== undefined) out.order = order;
  }
  if (f.has('objectives')) {
    for (const n of r.items(get('objectives'), 'objectives', true) ?? []) {
      const o = r.text(n, 'objectives: item');
      if (o !== undefined) out.objectives.push(o);
    }
  }
  if (f.has('requires')) {
    for (const n of r.items(get('requires'), 'requires', true) ?? []) {
      const req = r.choice(n, 'requires', REQUIREMENTS);
      if (req !== undefined) out.requires.push(req);
    }
  }
  return out;
}
