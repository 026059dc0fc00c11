export { BUILT_IN_LESSONS, Lab } from './lab.js';
export type { LabOptions } from './lab-options.js';
import { Lab } from './lab.js';
import type { LabOptions } from './lab-options.js';

/** Starts a Lab: broker, tap on the students' port, clients and capture, ready to drive through `lab.api`. */
export function createLab(opts: LabOptions = {}): Promise<Lab> {
  return Lab.start(opts);
}
