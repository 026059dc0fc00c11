// The list's quick choices (packet types, a client, diagram lanes, a topic) written as one display-filter
// expression, so the core filters the store with them (a million packets never come to the page to be
// filtered). The student's own expression is kept whole, in parentheses, and the quick parts are ANDed to it.

export interface FilterChoices {
  types: readonly string[];
  /** A lane name: a client id, or `conn #N` for a connection without one. */
  client: string;
  lanes: readonly string[];
  /** A topic (substring) or an MQTT topic filter with + and #. */
  topic: string;
  /** The student's expression, already checked by the parser. */
  expr: string;
}

/** A string literal for the filter language: quoted, with quotes and backslashes escaped. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** An MQTT topic filter (`home/+/temp`, `home/#`) as an anchored regular expression over topic names. */
export function topicFilterRegex(filter: string): string {
  const levels = filter.split('/');
  let out = '';
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    // '#' also matches the parent level itself: 'home/#' matches 'home' (MQTT-4.7.1-2).
    if (l === '#') return `^${out === '' ? '' : `${out.slice(0, -1)}(/`}.*${out === '' ? '' : ')?'}$`;
    out += l === '+' ? '[^/]*' : l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (i < levels.length - 1) out += '/';
  }
  return `^${out}$`;
}

function lane(l: string): string {
  const conn = /^conn #(\d+)$/.exec(l);
  // `conn #N` names a connection that gave no client id: its lane, not a client's that also used conn N.
  return conn ? `(lab.conn == ${conn[1]} && !lab.client)` : `lab.client == ${quote(l)}`;
}

function any(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/** One expression for all the choices, or '' when nothing narrows the view. */
export function composeFilter(c: FilterChoices): string {
  const parts: string[] = [];
  if (c.expr.trim() !== '') parts.push(`(${c.expr.trim()})`);
  if (c.types.length) parts.push(any(c.types.map((t) => `lab.type == ${t}`)));
  if (c.client !== '') parts.push(lane(c.client));
  if (c.lanes.length) parts.push(any(c.lanes.map(lane)));
  const topic = c.topic.trim();
  if (topic !== '') {
    const wild = topic.includes('+') || topic.includes('#');
    parts.push(wild ? `mqtt.topic matches ${quote(topicFilterRegex(topic))}` : `mqtt.topic contains ${quote(topic)}`);
  }
  return parts.join(' && ');
}
