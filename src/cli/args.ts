// A small, strict argument parser: unknown flags and missing values are usage errors (exit 2), because
// a lecturer mistyping a flag must be told so rather than silently get defaults.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags taking a value; repeated ones collect into an array. */
  values?: string[];
  repeatable?: string[];
  /** Boolean flags. */
  booleans?: string[];
}

export interface Parsed {
  values: Map<string, string[]>;
  booleans: Set<string>;
  positional: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positional: string[] = [];
  const takes = new Set([...(spec.values ?? []), ...(spec.repeatable ?? [])]);
  const bools = new Set(spec.booleans ?? []);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (bools.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    if (!takes.has(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq !== -1 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !(spec.repeatable ?? []).includes(name)) throw new UsageError(`--${name} given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { values, booleans, positional };
}

export function one(p: Parsed, name: string): string | undefined {
  return p.values.get(name)?.[0];
}

/** A TCP port; `allowZero` lets 0 mean "pick a free port" (for servers). */
export function portNumber(text: string, flag: string, allowZero = false): number {
  const n = Number(text);
  const low = allowZero ? 0 : 1;
  if (!/^\d+$/.test(text) || n < low || n > 65535) throw new UsageError(`${flag} must be a TCP port from ${low} to 65535, not '${text}'`);
  return n;
}
