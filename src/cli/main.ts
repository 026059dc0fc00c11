// The `mqtt-lab` command line (contract in DESIGN.md "Command line"). Usage mistakes print one line and
// exit 2; no command ever ends in a stack trace.
import { UsageError } from './args.js';
import { brokerCommand } from './broker.js';
import { compareCommand } from './compare.js';
import { decodeCommand } from './decode.js';
import { appVersion } from '../core/report/index.js';
import { commandHelp, overviewHelp } from './help.js';
import { lessonCommand } from './lesson.js';
import { lineBatch, type LineBatch } from './line-batch.js';
import { reportCommand } from './report.js';
import { webCommand } from './web.js';

const USAGE = 'usage: mqtt-lab <decode|broker|web|lesson|compare|report> [options]   (mqtt-lab --help lists them)';

type Command = (argv: string[], out: (line: string) => void, lines: LineBatch) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  decode: decodeCommand,
  broker: brokerCommand,
  web: webCommand,
  lesson: lessonCommand,
  compare: compareCommand,
  report: reportCommand,
};

export async function main(argv: string[]): Promise<number> {
  // `mqtt-lab decode --pcap big.pcapng | head` closes our stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [name, ...rest] = argv;
  const lines = lineBatch((bytes) => process.stdout.write(bytes));
  const out = lines.out;
  if (name === undefined) {
    // A missing command is a usage mistake: one line on stderr, like every other one.
    process.stderr.write(`mqtt-lab: no command given. ${USAGE}\n`);
    return 2;
  }
  if (name === '--version' || name === 'version') {
    // What a bug report or a lab report's reader asks first; the same version the lab report records.
    out(`mqtt-lab ${appVersion()} (Node ${process.versions.node})`);
    return done(lines, 0);
  }
  // `mqtt-lab help broker` reads as `mqtt-lab broker --help`.
  // After the command only the flag spellings count: `help` there may be a file's name.
  const helpFor = isHelp(name) ? rest[0] : rest.some(isHelpFlag) ? name : undefined;
  if (isHelp(name) && (helpFor === undefined || isHelp(helpFor))) {
    for (const line of overviewHelp()) out(line);
    return done(lines, 0);
  }
  if (helpFor !== undefined) {
    if (COMMANDS[helpFor] === undefined) {
      process.stderr.write(`mqtt-lab: unknown command '${helpFor}'. ${USAGE}\n`);
      return 2;
    }
    for (const line of commandHelp(helpFor)) out(line);
    return done(lines, 0);
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`mqtt-lab: unknown command '${name}'. ${USAGE}\n`);
    return 2;
  }
  try {
    return await command(rest, out, lines);
  } catch (e) {
    // What the command printed goes before its error.
    lines.flush();
    if (e instanceof UsageError) {
      process.stderr.write(`mqtt-lab ${name}: ${e.message}\n`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`mqtt-lab ${name}: ${message.split('\n')[0]}\n`);
    return 1;
  } finally {
    lines.flush();
  }
}

const isHelpFlag = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';
const isHelp = (arg: string | undefined): boolean => isHelpFlag(arg) || arg === 'help';

function done(lines: { flush(): void }, code: number): number {
  lines.flush();
  return code;
}
