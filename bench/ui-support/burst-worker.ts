// Runs the burst in a process of its own, so the publishers do not share an event loop with the reader whose
// figures the bench takes (students' clients are other processes, too). Prints the result as JSON.
//   node --import tsx bench/ui-support/burst-worker.ts HOST PORT PACKETS_PER_S SECONDS QOS1_SHARE
import { burst } from './burst.js';

const [host, port, rate, seconds, share] = process.argv.slice(2);
const r = await burst(host!, Number(port), Number(rate), Number(seconds), Number(share));
process.stdout.write(`${JSON.stringify(r)}\n`);
process.exit(0);
