// The tap's optional TLS, WebSocket and secure WebSocket ports, started together with the one certificate
// they share and the log of their records and frames.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Tap } from '../tap/tap.js';
import { OuterListener } from '../tap/outer-listener.js';
import { labCertificates } from '../tls/certificates.js';
import { tlsFolder } from '../tls/data-folder.js';
import { TransportLog } from '../transport/transport-log.js';
import type { LabOptions } from './lab-options.js';

type Address = { host: string; port: number };

export interface Transports {
  log: TransportLog;
  status(): { tls?: Address; ws?: Address; wss?: Address; caFile?: string };
  stop(): Promise<void>;
}

export async function startTransports(tap: Tap, opts: LabOptions): Promise<Transports> {
  const log = new TransportLog(opts.capacity);
  const host = opts.lan ? '0.0.0.0' : '127.0.0.1';
  const wanted = (['tls', 'ws', 'wss'] as const).filter((t) => portOf(opts, t) !== undefined);
  let context: SecureContext | undefined;
  let caFile: string | undefined;
  if (wanted.includes('tls') || wanted.includes('wss')) {
    const certs = labCertificates(opts.tlsDir ?? tlsFolder());
    caFile = certs.caFile;
    // TLS 1.3 only: the lab opens its own records to link them to MQTT packets, and reads saved captures,
    // with the TLS 1.3 key schedule; a TLS 1.2-only client gets a protocol_version alert, shown as a record.
    context = createSecureContext({ cert: certs.certPem, key: certs.keyPem, minVersion: 'TLSv1.3' });
  }
  const listeners: OuterListener[] = [];
  const addresses: Partial<Record<'tls' | 'ws' | 'wss', Address>> = {};
  try {
    for (const t of wanted) {
      const l = new OuterListener({ transport: t, port: portOf(opts, t)!, host, context, tap, log });
      addresses[t] = await l.start();
      listeners.push(l);
    }
  } catch (e) {
    for (const l of listeners) await l.stop();
    throw e;
  }
  tap.on('connection', (c) => {
    if (c.state === 'closed' && c.transport !== undefined) log.closed(c.connId);
  });
  return {
    log,
    status: () => ({ ...addresses, ...(caFile === undefined ? {} : { caFile }) }),
    stop: async () => {
      for (const l of listeners) await l.stop();
    },
  };
}

function portOf(opts: LabOptions, t: 'tls' | 'ws' | 'wss'): number | undefined {
  return t === 'tls' ? opts.tlsPort : t === 'ws' ? opts.wsPort : opts.wssPort;
}
