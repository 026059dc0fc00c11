// Flags shared by the commands that start a Lab (`web`, `broker`).
import type { BrokerKind } from '../shared/lab.js';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILT_IN_LESSONS, createLab, type Lab, type LabOptions } from '../core/lab/index.js';
import { defaultDataDir } from '../core/progress/data-folder.js';
import { UsageError, one, portNumber, type Parsed } from './args.js';

export const LAB_FLAGS = { values: ['broker-port', 'broker', 'upstream', 'capacity', 'lessons', 'tls-port', 'ws-port', 'wss-port', 'tls-dir', 'data-dir'], booleans: ['lan'] };

export function labOptionsFrom(p: Parsed, portFlag = 'broker-port'): LabOptions {
  // What a lecturer runs: the capture's memory is made ready before the traffic comes.
  const opts: LabOptions = { reserveCapture: true };
  const port = one(p, portFlag);
  opts.port = port === undefined ? 1883 : portNumber(port, `--${portFlag}`, true);
  const upstream = one(p, 'upstream');
  const kind = one(p, 'broker');
  if (kind !== undefined && !['aedes', 'mosquitto', 'upstream'].includes(kind)) throw new UsageError(`--broker must be aedes or mosquitto, not '${kind}'`);
  if (upstream !== undefined) {
    if (kind !== undefined && kind !== 'upstream') throw new UsageError('--upstream and --broker cannot be combined');
    if (!/^[^:\s]+:\d+$/.test(upstream)) throw new UsageError(`--upstream must be host:port, not '${upstream}'`);
    opts.broker = 'upstream';
    opts.upstream = upstream;
  } else if (kind !== undefined) {
    if (kind === 'upstream') throw new UsageError('--broker upstream needs --upstream host:port');
    opts.broker = kind as BrokerKind;
  }
  const capacity = one(p, 'capacity');
  if (capacity !== undefined) {
    if (!/^\d+$/.test(capacity) || Number(capacity) < 1) throw new UsageError(`--capacity must be a positive whole number, not '${capacity}'`);
    opts.capacity = Number(capacity);
  }
  if (p.booleans.has('lan')) opts.lan = true;
  const tls = one(p, 'tls-port');
  if (tls !== undefined) opts.tlsPort = portNumber(tls, '--tls-port', true);
  const ws = one(p, 'ws-port');
  if (ws !== undefined) opts.wsPort = portNumber(ws, '--ws-port', true);
  const wss = one(p, 'wss-port');
  if (wss !== undefined) opts.wssPort = portNumber(wss, '--wss-port', true);
  const tlsDir = one(p, 'tls-dir');
  if (tlsDir !== undefined) {
    if (opts.tlsPort === undefined && opts.wssPort === undefined) throw new UsageError('--tls-dir is for --tls-port or --wss-port');
    opts.tlsDir = resolve(tlsDir);
  }
  const lessons = one(p, 'lessons');
  if (lessons !== undefined) {
    const dir = resolve(lessons);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--lessons must name a folder of lesson files, not '${lessons}'`);
    // The lecturer's folder is loaded beside the built-in course and watched for changes.
    opts.lessonDirs = [{ dir: BUILT_IN_LESSONS, origin: 'built-in' }, { dir, origin: 'yours' }];
  }
  const dataDir = one(p, 'data-dir');
  if (dataDir === '') throw new UsageError('--data-dir needs a folder');
  // Progress and the student's name are saved here; the folder is made on the first save.
  opts.dataDir = resolve(dataDir ?? defaultDataDir());
  return opts;
}

/**
 * Starts the Lab on the students' port. When that port was not asked for explicitly and is taken (say, by a
 * system mosquitto on 1883), a free port is used instead and the caller is told, rather than failing.
 */
export async function startLab(opts: LabOptions, explicitPort: boolean, out: (line: string) => void): Promise<Lab> {
  try {
    return await createLab(opts);
  } catch (e) {
    if (explicitPort || !/already in use/.test((e as Error).message)) throw e;
    const lab = await createLab({ ...opts, port: 0 });
    out(`!! Port ${opts.port} is taken by another program; the lab's broker listens on ${lab.tapAddress.port} instead.`);
    return lab;
  }
}

/** The lines that tell a student where the TLS and WebSocket ports are and which CA file to trust. */
export function transportLines(lab: Lab): string[] {
  const st = lab.status();
  const host = (h: string) => (h === '0.0.0.0' ? "<this machine's address>" : 'localhost');
  const out: string[] = [];
  if (st.tls) out.push(`MQTT over TLS: mqtts://${host(st.tls.host)}:${st.tls.port}`);
  if (st.ws) out.push(`MQTT over WebSocket: ws://${host(st.ws.host)}:${st.ws.port}/mqtt`);
  if (st.wss) out.push(`MQTT over secure WebSocket: wss://${host(st.wss.host)}:${st.wss.port}/mqtt`);
  if (st.caFile) {
    out.push(`The lab's CA certificate: ${st.caFile}`);
    if (st.tls) out.push(`  e.g. mosquitto_sub -h localhost -p ${st.tls.port} --cafile ${quote(st.caFile)} -t '#' -v   (paho: client.tls_set(ca_certs=...))`);
  }
  return out;
}

function quote(path: string): string {
  return /^[\w./:-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
