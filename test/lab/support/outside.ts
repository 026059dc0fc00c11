// Outside programs as the lab's students: mosquitto's command-line clients pointed at the tap. The tap sees
// their SUBACK, so a test knows their subscription is in place without sleeping.
import type { Lab } from '../../../src/core/lab/index.js';
import { which } from '../../peers/have.js';
import { run, type RunResult } from '../../peers/run.js';
import { waitRecord } from './records.js';

function bin(name: 'mosquitto_sub' | 'mosquitto_pub'): string {
  const path = which(name);
  if (path === undefined) throw new Error(`${name} not found`);
  return path;
}

export interface Sub {
  /** Settles when mosquitto_sub exits (after -C messages, or -W seconds). */
  done: Promise<RunResult>;
}

/** Starts mosquitto_sub with `-i clientId` against the tap and resolves once its SUBACK went back to it. */
export async function mosquittoSub(lab: Lab, clientId: string, args: readonly string[]): Promise<Sub> {
  const done = run(bin('mosquitto_sub'), ['-h', '127.0.0.1', '-p', String(lab.tapAddress.port), '-i', clientId, ...args], { timeoutMs: 20_000 });
  // If it dies early, the wait below should say so rather than time out silently.
  const early = done.then((r) => {
    throw new Error(`mosquitto_sub exited before subscribing (${r.code}): ${r.stderr.trim()}`);
  });
  await Promise.race([waitRecord(lab, { clientId, type: 'SUBACK', direction: 'toClient' }, 10_000), early]);
  early.catch(() => undefined);
  return { done };
}

export function mosquittoPub(lab: Lab, clientId: string, args: readonly string[]): Promise<RunResult> {
  return run(bin('mosquitto_pub'), ['-h', '127.0.0.1', '-p', String(lab.tapAddress.port), '-i', clientId, ...args], { timeoutMs: 15_000 });
}
