// Topic name and topic filter rules (3.1.1 §4.7, 5.0 §4.7), shared by the dissector, lessons and the
// playground that matches filters against topics.

/** Why a topic name is invalid, or null. Topic names carry no wildcards (MQTT-3.3.2-2). */
export function topicNameProblem(topic: string): string | null {
  if (topic.length === 0) return 'a topic name must be at least one character long';
  if (topic.includes('+') || topic.includes('#')) return 'a topic name must not contain the wildcards + or #';
  return null;
}

/** Why a topic filter is invalid, or null (MQTT-4.7.1-2: # last and alone; MQTT-4.7.1-3: + alone in its level). */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return 'a topic filter must be at least one character long';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return "'#' must be the last character and stand alone in its level";
    }
    if (level.includes('+') && level !== '+') return "'+' must occupy an entire level of the filter";
  }
  return null;
}

/** Whether a topic name matches a topic filter; `$` topics are not matched by leading wildcards (MQTT-4.7.2-1). */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
