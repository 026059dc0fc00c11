// Which outside programs this machine has, checked synchronously so that tests can decide at collection
// time: `const why = missing('tshark', 'mosquitto'); it.skipIf(why !== undefined)(...)`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Tool =
  | 'tshark'
  | 'capture' // tshark may capture on the loopback interface (root or the right capabilities)
  | 'mosquitto'
  | 'mosquitto_pub'
  | 'mosquitto_sub'
  | 'mosquitto_passwd'
  | 'paho'; // /usr/bin/python3 with paho-mqtt

/** The Python that has paho; the python3 first on PATH here is a different one without it. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Absolute path of an executable on PATH or in one of `extraDirs` (sbin is often not on PATH). */
export function which(bin: string, extraDirs: readonly string[] = ['/usr/sbin', '/usr/local/sbin', '/sbin']): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter((d) => d !== '');
  for (const dir of dirs) {
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const cache = new Map<Tool, string | undefined>();

/** Why `tool` is unusable here, or undefined when it is usable. */
function check(tool: Tool): string | undefined {
  switch (tool) {
    case 'paho': {
      const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import paho.mqtt.client'], { encoding: 'utf8', timeout: 10_000 });
      return r.status === 0 ? undefined : `${SYSTEM_PYTHON} cannot import paho.mqtt (apt install python3-paho-mqtt)`;
    }
    case 'capture': {
      const bin = which('tshark');
      if (bin === undefined) return 'tshark not found';
      // Listing interfaces goes through dumpcap, so it fails the same way a capture would.
      const r = spawnSync(bin, ['-D'], { encoding: 'utf8', timeout: 10_000 });
      return /\blo\b/.test(r.stdout ?? '') ? undefined : 'tshark cannot capture on lo (needs root or CAP_NET_RAW)';
    }
    default:
      return which(tool) === undefined ? `${tool} not found on PATH or in /usr/sbin` : undefined;
  }
}

export function have(tool: Tool): boolean {
  return missingOne(tool) === undefined;
}

function missingOne(tool: Tool): string | undefined {
  if (!cache.has(tool)) cache.set(tool, check(tool));
  return cache.get(tool);
}

/** A reason naming every missing tool, or undefined when all are present. */
export function missing(...tools: Tool[]): string | undefined {
  const reasons = tools.map(missingOne).filter((r): r is string => r !== undefined);
  return reasons.length === 0 ? undefined : reasons.join('; ');
}
