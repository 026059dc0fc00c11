// What TLS and WebSocket cost through the tap (issue 13): QoS 0 and QoS 1 publishes of 64 B from mqtt.js
// over plain TCP, TLS 1.3, WebSocket and WebSocket in TLS, all through the same Lab, which records every
// packet and every TLS record / WebSocket frame. Ratios to plain TCP within one run; transports alternate
// round by round and the median round counts.
//   npm run bench -- transports [--rounds R] [--messages N]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { createLab } from '../src/core/lab/index.js';

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ROUNDS = Number(value('rounds') ?? 5);
const MESSAGES = Number(value('messages') ?? 3000);
const PAYLOAD = Buffer.alloc(64, 0x61);

const dir = mkdtempSync(join(tmpdir(), 'mqtt-lab-bench-tls-'));
const lab = await createLab({ port: 0, tlsPort: 0, wsPort: 0, wssPort: 0, tlsDir: join(dir, 'tls'), lessonDirs: [], capacity: 1_000_000 });
const st = lab.status();
const ca = readFileSync(st.caFile!);
const targets: Record<string, { url: string; opts: IClientOptions }> = {
  tcp: { url: `mqtt://127.0.0.1:${st.tap.port}`, opts: {} },
  tls: { url: `mqtts://127.0.0.1:${st.tls!.port}`, opts: { ca } },
  ws: { url: `ws://127.0.0.1:${st.ws!.port}/mqtt`, opts: {} },
  wss: { url: `wss://127.0.0.1:${st.wss!.port}/mqtt`, opts: { ca } },
};

async function round(name: string, qos: 0 | 1): Promise<number> {
  const t = targets[name]!;
  const client = await mqtt.connectAsync(t.url, { ...t.opts, reconnectPeriod: 0, clientId: `bench-${name}` });
  const start = performance.now();
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < MESSAGES; i++) pending.push(client.publishAsync('bench/t', PAYLOAD, { qos }));
  await Promise.all(pending);
  if (qos === 0) await new Promise<void>((resolve) => client.stream.write(Buffer.alloc(0), () => resolve()));
  const ms = performance.now() - start;
  await client.endAsync();
  await lab.api.call('packets.clear', {});
  return (MESSAGES / ms) * 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  for (const qos of [0, 1] as const) {
    const rates: Record<string, number[]> = { tcp: [], tls: [], ws: [], wss: [] };
    await round('tcp', qos); // warm-up
    for (let r = 0; r < ROUNDS; r++) for (const name of Object.keys(rates)) rates[name]!.push(await round(name, qos));
    const base = median(rates.tcp!);
    console.log(`QoS ${qos}, ${MESSAGES} × 64 B, median of ${ROUNDS} rounds:`);
    for (const [name, xs] of Object.entries(rates)) {
      console.log(`  ${name.padEnd(4)} ${median(xs).toFixed(0).padStart(7)} msg/s  ${(median(xs) / base * 100).toFixed(0).padStart(4)} % of tcp`);
    }
  }
} finally {
  await lab.stop();
  rmSync(dir, { recursive: true, force: true });
}
