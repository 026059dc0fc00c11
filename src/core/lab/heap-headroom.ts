// How far the lab's heap may grow past what survived the last full collection before the next one starts.
//
// V8 starts marking as soon as the room left under that limit is less than its young generation. A relay
// allocates fast and keeps little: in `mqtt-lab broker` after a burst of small messages (which grows the
// young generation to its largest) 4 kB messages then ran a full collection every 60 ms that freed nothing
// (21 MB live, limit 45 MB, young generation 32 MB: --trace-incremental-marking), and the rate fell from
// about 90k to 55k messages/s (bench/tap's order of cells; s12 probes). A fixed growing factor of four keeps
// the room above the young generation; what lives is small (the capture's bytes and columns are outside the
// heap), so the limit stays far below the machine's memory.
import { setFlagsFromString } from 'node:v8';

/** Percent the old generation may grow over its live size after a full collection (4 × in all). */
const GROWING_PERCENT = 300;

let given = false;

/**
 * For the process that relays (the CLI's lab and the app's): V8 reads the factor each time it sets the
 * limit, so setting it after start-up takes effect from the next collection on.
 */
export function giveHeapHeadroom(): void {
  if (given) return;
  given = true;
  setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
}
