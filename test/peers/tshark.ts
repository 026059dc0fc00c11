// tshark as a test peer: capture loopback traffic of one port to a file, and read a file back as PDML.
import { connect } from 'node:net';
import { which } from './have.js';
import { runOk, sleep, spawnTracked, terminate } from './run.js';
import { parsePdml, type PdmlPacket } from '../oracle/pdml.js';

export { have, missing, which } from './have.js';

export interface CaptureOptions {
  /** Only TCP traffic to or from this port is kept (a capture filter, so nothing else is even copied). */
  port: number;
  /** Output file; pcapng. */
  file: string;
  /** Default 'lo'. */
  iface?: string;
  /**
   * Where the marker connections go: a loopback address nothing listens on, so each marker is a SYN
   * answered by a RST, visible to the capture filter but never reaching the broker. Default 127.0.0.2.
   */
  markerHost?: string;
  /** Default 10 s, for start and for stop. */
  timeoutMs?: number;
}

export interface Capture {
  file: string;
  /** Lines tshark printed for the captured packets so far (its one-line summaries). */
  summary(): string;
  /** Ensure everything sent so far is in the file, then stop tshark and wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Capture until stop(). Neither "Capturing on" nor a fixed delay tells when packets really reach the
 * file: dumpcap prints that line before the capture path is live (the first ~20 ms of traffic went
 * missing in practice) and hands packets over in batches. So start() and stop() each send a marker
 * connection and wait until tshark has printed it (`-P -l`): then the capture was live before anything
 * the caller does next, and everything before stop() is in tshark's hands before it is told to finish.
 */
export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  const markerHost = opts.markerHost ?? '127.0.0.2';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const args = ['-i', opts.iface ?? 'lo', '-f', `tcp port ${opts.port}`, '-w', opts.file, '-n', '-l', '-P'];
  const child = spawnTracked(tsharkBinary(), args);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const markersSeen = (): number => stdout.split('\n').filter((l) => l.includes(markerHost)).length;

  const marker = async (): Promise<void> => {
    const before = markersSeen();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && alive()) {
      await knock(markerHost, opts.port);
      // A knock is a SYN and its RST: wait for both lines, knocking again now and then in case the
      // first one went out before the capture was live.
      for (let i = 0; i < 20 && alive(); i++) {
        if (markersSeen() >= before + 2) return;
        await sleep(50);
      }
    }
    throw new Error(`tshark did not capture the marker connection to ${markerHost}:${opts.port}\n${stderr.trim()}`);
  };

  try {
    await marker();
  } catch (err) {
    await terminate(child, 'SIGKILL', 0);
    throw err;
  }
  return {
    file: opts.file,
    summary: () => stdout,
    async stop() {
      try {
        if (alive()) await marker();
      } finally {
        // SIGINT makes tshark finish the file properly (pcapng trailer blocks, statistics) before exiting.
        await terminate(child, 'SIGINT', 5000);
      }
    },
  };
}

export function tsharkBinary(): string {
  const bin = which('tshark');
  if (bin === undefined) throw new Error('tshark not found on PATH');
  return bin;
}

/** A TCP connection attempt that is expected to be refused; resolves either way. */
function knock(host: string, port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (): void => {
      s.destroy();
      resolve();
    };
    s.once('connect', done);
    s.once('error', done);
    s.setTimeout(1000, done);
  });
}

/** Arguments that make tshark decode `port` as MQTT and read the file in one pass. */
function decodeArgs(file: string, ports: number | readonly number[]): string[] {
  const list = typeof ports === 'number' ? [ports] : ports;
  return ['-r', file, ...list.flatMap((p) => ['-d', `tcp.port==${p},mqtt`])];
}

export async function pdmlXml(file: string, port: number | readonly number[]): Promise<string> {
  const r = await runOk(tsharkBinary(), [...decodeArgs(file, port), '-T', 'pdml'], { timeoutMs: 120_000 });
  return r.stdout;
}

export async function pdml(file: string, port: number | readonly number[]): Promise<PdmlPacket[]> {
  return parsePdml(await pdmlXml(file, port));
}

/** `tshark -T fields` rows: one array of column strings per frame (frames with no value at all included). */
export async function fields(
  file: string,
  port: number | readonly number[],
  names: readonly string[],
  filter?: string,
): Promise<string[][]> {
  const args = [...decodeArgs(file, port), ...(filter === undefined ? [] : ['-Y', filter]), '-T', 'fields'];
  for (const n of names) args.push('-e', n);
  const r = await runOk(tsharkBinary(), args, { timeoutMs: 120_000 });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}
