// `mqtt-lab compare [--json] [--readings N] [--interval ms] [--poll ms] [--no-drop]`: the same sensor
// readings through MQTT (QoS 0 and 1) and through HTTP polling, measured from the captured bytes.
import { runComparison, type Comparison, type ProtocolFigures } from '../core/compare/run-comparison.js';
import { UsageError, one, parseArgs, type FlagSpec } from './args.js';

/** Bounds that keep a run in a lecture's minute: at most 1000 readings, at most 60 s between them. */
const LIMITS = { readings: [1, 1000], interval: [10, 60_000], poll: [10, 60_000] } as const;

function wholeNumber(text: string | undefined, flag: keyof typeof LIMITS, fallback: number): number {
  if (text === undefined) return fallback;
  const [lo, hi] = LIMITS[flag];
  if (!/^\d+$/.test(text) || Number(text) < lo || Number(text) > hi) {
    throw new UsageError(`--${flag} must be a whole number from ${lo} to ${hi}, not '${text}'`);
  }
  return Number(text);
}

export const COMPARE_FLAGS: FlagSpec = { values: ['readings', 'interval', 'poll'], booleans: ['json', 'no-drop'] };

export async function compareCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const p = parseArgs(argv, COMPARE_FLAGS);
  if (p.positional.length > 0) throw new UsageError(`compare takes no FILE (got '${p.positional[0]}')`);
  const readings = wholeNumber(one(p, 'readings'), 'readings', 20);
  const intervalMs = wholeNumber(one(p, 'interval'), 'interval', 500);
  const pollMs = wholeNumber(one(p, 'poll'), 'poll', 1000);
  const result = await runComparison({ readings, intervalMs, pollMs, drop: !p.booleans.has('no-drop') });
  if (p.booleans.has('json')) out(JSON.stringify(result, null, 2));
  else for (const line of table(result)) out(line);
  return 0;
}

function cell(v: number | null, unit = ''): string {
  return v === null ? '—' : `${v}${unit}`;
}

export function table(r: Comparison): string[] {
  const rows: Array<[string, (f: ProtocolFigures) => string]> = [
    ['readings received', (f) => `${f.received} of ${r.readings}`],
    ['bytes per reading (TCP payload)', (f) => cell(f.perReading.payloadBytes)],
    ['bytes per reading (with TCP/IP headers, est.)', (f) => cell(f.perReading.wireBytes)],
    ['messages per reading', (f) => cell(f.perReading.messages)],
    ['TCP segments per reading (est.)', (f) => cell(f.perReading.segments)],
    ['delay, median', (f) => cell(f.delayMs.median, ' ms')],
    ['delay, 95th percentile', (f) => cell(f.delayMs.p95, ' ms')],
    ['polls (empty)', (f) => (f.polls === null ? '—' : `${f.polls} (${f.emptyPolls ?? 0})`)],
    ['setup before the first reading', (f) => (f.setup.messages === 0 ? 'none' : `${f.setup.messages} msgs, ${f.setup.payloadBytes} B`)],
  ];
  const names = r.protocols.map((f) => f.protocol);
  const width = Math.max(...rows.map(([label]) => label.length));
  const colW = r.protocols.map((f, i) => Math.max(names[i]!.length, ...rows.map(([, get]) => get(f).length)));
  const line = (label: string, cells: string[]): string => `${label.padEnd(width)}  ${cells.map((c, i) => c.padStart(colW[i]!)).join('  ')}`;
  const lines = [
    `${r.readings} readings, one every ${r.intervalMs} ms; HTTP polls every ${r.pollMs} ms. Each route counted end to end: sensor -> middle -> receiver.`,
    '',
    line('', names),
    ...rows.map(([label, get]) => line(label, r.protocols.map(get))),
    '',
    `TCP/IP estimate: ${r.wireModel}.`,
  ];
  if (r.drop.length > 0) {
    lines.push('', 'One message dropped at the tap (a lost TCP segment would be retransmitted by TCP itself; this is a lost message):');
    for (const d of r.drop) {
      lines.push(`  ${d.protocol}: dropped ${d.dropped}: ${d.what}${d.delayMs === null ? '' : ` (reading arrived after ${d.delayMs} ms)`}`);
    }
  }
  return lines;
}
