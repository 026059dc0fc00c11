// Real bursts for the big-capture UI tests: mosquitto_pub reads one message per line from stdin and
// publishes them as fast as the broker takes them, a mosquitto_sub receives them, all through the lab's tap.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Subscriber {
  /** Messages received so far. */
  received(): number;
  stop(): Promise<void>;
}

/** A mosquitto_sub on `filter` through the tap, counting what it receives (one line per message). */
export async function subscriber(host: string, port: number, filter: string, id: string): Promise<Subscriber> {
  const child = spawn('mosquitto_sub', ['-h', host, '-p', String(port), '-t', filter, '-i', id, '-q', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lines = 0;
  child.stdout!.on('data', (d: Buffer) => {
    for (const b of d) if (b === 10) lines++;
  });
  // mosquitto_sub prints nothing on connect; give it its CONNACK and SUBACK before publishing.
  await new Promise((r) => setTimeout(r, 500));
  return { received: () => lines, stop: () => stop(child) };
}

/** Publishes `count` QoS 0 messages `{"n": i}` to `topic` in one mosquitto_pub run; resolves when it exits. */
export async function publishLines(host: string, port: number, topic: string, count: number, id: string): Promise<void> {
  const child = spawn('mosquitto_pub', ['-h', host, '-p', String(port), '-t', topic, '-i', id, '-q', '0', '-l'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`{"n": ${i}}`);
  child.stdin!.end(`${lines.join('\n')}\n`);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`mosquitto_pub exited ${code}: ${err}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
