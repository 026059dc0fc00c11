// Field-name completion for the display-filter box, as Wireshark offers it: the dotted name under the
// caret is matched by prefix against the names the capture has, and a pick replaces just that word.

export interface Completion {
  /** The word being completed: text[start, end). */
  start: number;
  end: number;
  options: string[];
}

const WORD = /[A-Za-z0-9_.]/;

export function completeAt(text: string, caret: number, names: readonly string[], max = 8): Completion | null {
  let start = caret;
  while (start > 0 && WORD.test(text[start - 1]!)) start--;
  let end = caret;
  while (end < text.length && WORD.test(text[end]!)) end++;
  const word = text.slice(start, caret).toLowerCase();
  // Numbers and quoted strings are values, not names.
  if (word.length < 2 || /^[0-9]/.test(word) || inString(text, start)) return null;
  const options = names.filter((n) => n.toLowerCase().startsWith(word) && n.toLowerCase() !== text.slice(start, end).toLowerCase());
  // Shorter names first (mqtt.qos before mqtt.qos_whatever), then alphabetical.
  options.sort((a, b) => a.length - b.length || a.localeCompare(b));
  return options.length ? { start, end, options: options.slice(0, max) } : null;
}

export function applyCompletion(text: string, c: Completion, pick: string): { text: string; caret: number } {
  const next = text.slice(0, c.start) + pick + text.slice(c.end);
  return { text: next, caret: c.start + pick.length };
}

function inString(text: string, at: number): boolean {
  let quotes = 0;
  for (let i = 0; i < at; i++) if (text[i] === '"' && text[i - 1] !== '\\') quotes++;
  return quotes % 2 === 1;
}
