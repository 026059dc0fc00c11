// Keyboard shortcuts: one table for the handler and the help overlay, so they cannot drift apart.

export interface Shortcut {
  keys: string[];
  what: string;
}

export const SHORTCUTS: Array<{ group: string; items: Shortcut[] }> = [
  {
    group: 'Tap',
    items: [
      { keys: ['Space', '→'], what: 'Release the next packet waiting at the tap' },
      { keys: ['A'], what: 'Release every waiting packet' },
      { keys: ['S'], what: 'Step mode on / off' },
    ],
  },
  {
    group: 'View',
    items: [
      { keys: ['P'], what: 'Pause / resume the view (the capture goes on)' },
      { keys: ['L'], what: 'Follow live: jump to the newest packet' },
      { keys: ['J', 'K'], what: 'Next / previous packet' },
      { keys: ['/'], what: 'Type a display filter' },
      { keys: ['V'], what: 'Diagram and list / diagram only / list only' },
      { keys: ['C'], what: 'Clock time / seconds since the first packet' },
      { keys: ['Esc'], what: 'Close this help, leave a text box, clear the selection' },
    ],
  },
  {
    group: 'Panels',
    items: [
      { keys: ['1', '2', '3', '4'], what: 'Lesson / Clients / Faults / Topics panel' },
      { keys: ['['], what: 'Show / hide the side panel' },
      { keys: [']'], what: 'Show / hide the packet detail' },
      { keys: ['G'], what: 'Class exercises: who completed what' },
    ],
  },
  {
    group: 'Projector',
    items: [
      { keys: ['Ctrl +', 'Ctrl −', 'Ctrl 0'], what: 'Larger / smaller / normal size' },
      { keys: ['T'], what: 'Light / dark theme' },
      { keys: ['?'], what: 'This help' },
    ],
  },
];

/** Whether a key event comes from a place where typing must not trigger shortcuts. */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (t as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(type);
  }
  return false;
}
