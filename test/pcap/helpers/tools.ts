// Finding and running the external tools the tests compare against: tshark (the oracle for what a capture
// holds) and mosquitto with its clients (real MQTT traffic to capture).
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export const HAVE_TSHARK = have('tshark');
export const HAVE_MOSQUITTO = have('mosquitto') && have('mosquitto_pub') && have('mosquitto_sub');

/** Whether tshark may capture on the loopback interface here (needs root or capture capabilities). */
export const CAN_CAPTURE =
  HAVE_TSHARK && spawnSync('tshark', ['-i', 'lo', '-L'], { encoding: 'utf8' }).stdout.includes('EN10MB');

export const SKIP_TSHARK = HAVE_TSHARK ? '' : 'tshark is not installed';
export const SKIP_LIVE = !HAVE_TSHARK
  ? 'tshark is not installed'
  : !HAVE_MOSQUITTO
    ? 'mosquitto, mosquitto_pub or mosquitto_sub is not installed'
    : !CAN_CAPTURE
      ? 'tshark cannot capture on lo here (no permission)'
      : '';

export function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

export interface TsharkMqtt {
  frame: number;
  firstByte: number;
  remainingLength: number;
}

/** Every MQTT packet tshark finds, in order; a frame with several packets lists them comma-separated. */
export function tsharkMqtt(file: string, ports: number[], extra: string[] = []): TsharkMqtt[] {
  const decodeAs = ports.flatMap((p) => ['-d', `tcp.port==${p},mqtt`]);
  const text = tshark(['-r', file, ...decodeAs, ...extra, '-T', 'fields', '-e', 'frame.number', '-e', 'mqtt.hdrflags', '-e', 'mqtt.len']);
  const out: TsharkMqtt[] = [];
  for (const line of text.split('\n')) {
    const [frame, flags, lens] = line.split('\t');
    if (!flags) continue;
    const f = flags.split(',');
    const l = (lens ?? '').split(',');
    f.forEach((hdr, i) => out.push({ frame: Number(frame), firstByte: parseInt(hdr, 16), remainingLength: Number(l[i]) }));
  }
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A test title that says why the test is skipped, when it is. */
export function titled(name: string, skipReason: string): string {
  return skipReason ? `${name} (skipped: ${skipReason})` : name;
}
