// Labs for tests: started through createLab as every real front end does, stopped in afterEach together
// with any outside peer a test started, and read back only through what the tap captured.
import { createLab, type Lab, type LabOptions } from '../../../src/core/lab/index.js';
import { startMosquitto, type Mosquitto } from '../../peers/mosquitto.js';
import { killAll } from '../../peers/run.js';

const cleanups: Array<() => Promise<void>> = [];

/** For afterEach: stops everything started since the last call, newest first, then any stray child. */
export async function cleanup(): Promise<void> {
  const errors: unknown[] = [];
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => errors.push(e));
  await killAll();
  if (errors.length > 0) throw errors[0];
}

export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function startLab(opts: Omit<LabOptions, 'port'> = {}): Promise<Lab> {
  const lab = await createLab({ ...opts, port: 0 });
  onCleanup(() => lab.stop());
  return lab;
}

/** A lab in front of a mosquitto that runs on its own, as a lecturer's campus broker would. */
export async function startUpstreamLab(): Promise<{ lab: Lab; upstream: Mosquitto }> {
  const upstream = await startMosquitto();
  onCleanup(() => upstream.stop());
  const lab = await startLab({ broker: 'upstream', upstream: `127.0.0.1:${upstream.port}` });
  return { lab, upstream };
}
