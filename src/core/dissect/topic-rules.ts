// Topic name and topic filter validity (3.1.1 §4.7, 5.0 §4.7), for the dissector and the lesson validator.

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

// Matching lives with the other pure topic logic shared by core and renderer.
export { topicMatches } from '../../shared/topic-filter.js';
