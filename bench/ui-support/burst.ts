// The benches' burst: real mqtt.js clients sending PUBLISH of 64 bytes through the lab's tap, a share of them
// at QoS 1 so the capture (and the stream) carries PUBACKs too. `packetsPerSecond` counts what the capture
// gets: every PUBLISH and every PUBACK.
import { loadavg } from 'node:os';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

export interface BurstResult {
  published: number;
  qos1: number;
  /** From the first PUBLISH until the last was written and the last PUBACK came back (ms). */
  ms: number;
}

export async function burst(host: string, port: number, packetsPerSecond: number, seconds: number, qos1Share = 0.25, clients = 4): Promise<BurstResult> {
  const conns = await Promise.all(Array.from({ length: clients }, (_, i) => mqtt.connectAsync(`mqtt://${host}:${port}`, { clientId: `burst-${i}`, reconnectPeriod: 0 })));
  // Many publishes wait on one socket's 'drain' at once at this rate; that is expected here, not a leak.
  for (const c of conns) c.stream.setMaxListeners(0);
  const payload = Buffer.alloc(64, 0x61);
  // A QoS 1 PUBLISH brings its PUBACK: (1 + share) packets a publish.
  const rate = packetsPerSecond / (1 + qos1Share);
  const total = Math.round(rate * seconds);
  const every = qos1Share > 0 ? Math.round(1 / qos1Share) : 0;
  const pending: Array<Promise<unknown>> = [];
  const start = Date.now();
  let sent = 0;
  let qos1 = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      // A stalled timer is made up over the next ticks at 1.2 × the rate, not at once: 10,000 a second made up
      // faster is a flood by the stream's measure (FLOOD_ROWS_PER_S kept for 100 ms), sent as a jump.
      const due = Math.min(total, sent + Math.ceil((rate * 5 * 1.2) / 1000), Math.floor(((Date.now() - start) / 1000) * rate));
      for (; sent < due; sent++) {
        const q = every > 0 && sent % every === 0 ? 1 : 0;
        qos1 += q;
        pending.push(conns[sent % clients]!.publishAsync(`bench/sensor${sent % 8}`, payload, { qos: q }));
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  await Promise.all(pending);
  const ms = Date.now() - start;
  await Promise.all(conns.map((c) => c.endAsync()));
  return { published: total, qos1, ms };
}

/** The machine's 1-minute load and core count, to read the figures by (the bench shares its cores). */
export function machineLoad(): string {
  return `load ${loadavg()[0]!.toFixed(1)} on this machine`;
}

/** The same burst from a process of its own (see burst-worker.ts). */
export function burstInWorker(host: string, port: number, packetsPerSecond: number, seconds: number, qos1Share = 0.25): Promise<BurstResult> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./burst-worker.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, host, String(port), String(packetsPerSecond), String(seconds), String(qos1Share)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as BurstResult);
      else reject(new Error(`the burst process exited with ${code}`));
    });
  });
}
