// The tap's optional TLS, WebSocket and secure WebSocket ports: opened at start when asked for, or on
// first use by a client (a lesson's TLS step works in any lab), sharing one certificate and one log of
// records and frames.
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Transport } from '../../shared/lab.js';
import type { Target } from '../clients/mqtt-options.js';
import type { Tap } from '../tap/tap.js';
import { OuterListener } from '../tap/outer-listener.js';
import { labCertificates } from '../tls/certificates.js';
import { tlsFolder } from '../tls/data-folder.js';
import { TransportLog } from '../transport/transport-log.js';
import type { LabOptions } from './lab-options.js';

type Address = { host: string; port: number };
type Outer = Exclude<Transport, 'tcp'>;
const OUTER: readonly Outer[] = ['tls', 'ws', 'wss'];

export interface Transports {
  log: TransportLog;
  status(): { tls?: Address; ws?: Address; wss?: Address; caFile?: string };
  /** Where an embedded client of this transport connects, opening the port on a free number if needed. */
  target(t: Transport): Promise<Target>;
  stop(): Promise<void>;
}

export async function startTransports(tap: Tap, tapAddress: () => Address, opts: LabOptions): Promise<Transports> {
  const log = new TransportLog(opts.capacity);
  const host = opts.lan ? '0.0.0.0' : '127.0.0.1';
  const listeners: OuterListener[] = [];
  const addresses: Partial<Record<Outer, Address>> = {};
  let certs: { context: SecureContext; caFile: string } | undefined;
  const secure = () => {
    if (certs === undefined) {
      const c = labCertificates(opts.tlsDir ?? tlsFolder());
      // TLS 1.3 only: the lab opens its own records to link them to MQTT packets, and reads saved captures,
      // with the TLS 1.3 key schedule; a TLS 1.2-only client gets a protocol_version alert, shown as a record.
      certs = { context: createSecureContext({ cert: c.certPem, key: c.keyPem, minVersion: 'TLSv1.3' }), caFile: c.caFile };
    }
    return certs;
  };
  const open = async (t: Outer, port: number): Promise<Address> => {
    const context = t === 'ws' ? undefined : secure().context;
    const l = new OuterListener({ transport: t, port, host, context, tap, log });
    const address = await l.start();
    listeners.push(l);
    addresses[t] = address;
    return address;
  };
  const stop = async () => {
    for (const l of listeners.splice(0)) await l.stop();
  };
  try {
    for (const t of OUTER) {
      const port = t === 'tls' ? opts.tlsPort : t === 'ws' ? opts.wsPort : opts.wssPort;
      if (port !== undefined) await open(t, port);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  tap.on('connection', (c) => {
    if (c.state === 'closed' && c.transport !== undefined) log.closed(c.connId);
  });
  const opening = new Map<Outer, Promise<Address>>();
  return {
    log,
    status: () => ({ ...addresses, ...(certs === undefined ? {} : { caFile: certs.caFile }) }),
    target: async (t) => {
      if (t === 'tcp') return { ...tapAddress(), host: '127.0.0.1' };
      let address = addresses[t];
      if (address === undefined) {
        if (!opening.has(t)) opening.set(t, open(t, 0));
        address = await opening.get(t)!;
      }
      const protocol = t === 'tls' ? 'mqtts' : t;
      // The certificate names 127.0.0.1 (and localhost): the client checks it against the lab's CA.
      const target: Target = { host: '127.0.0.1', port: address.port, protocol };
      if (t !== 'ws') target.ca = readFileSync(secure().caFile);
      return target;
    },
    stop,
  };
}
