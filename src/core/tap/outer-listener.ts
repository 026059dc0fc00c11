// A listening port of the tap for clients that do not speak plain MQTT over TCP: MQTT over TLS, over
// WebSocket, or over WebSocket inside TLS. Each accepted client is unwrapped down to its MQTT byte stream,
// which the tap relays like a TCP client's; the outer layers are logged in the TransportLog.
import { createServer, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Transport } from '../../shared/lab.js';
import type { LayerName } from '../../shared/transport.js';
import type { TransportLog } from '../transport/transport-log.js';
import type { Tap } from './tap.js';
import { tlsFront } from './tls-front.js';
import { wsEndpoint } from './ws-endpoint.js';

export interface OuterListenerOptions {
  transport: Exclude<Transport, 'tcp'>;
  port: number;
  host: string;
  /** The server certificate and key, for tls and wss. */
  context?: SecureContext;
  tap: Tap;
  log: TransportLog;
}

const LAYERS: Record<OuterListenerOptions['transport'], LayerName[]> = { tls: ['tls'], ws: ['ws'], wss: ['tls', 'ws'] };

export class OuterListener {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: OuterListenerOptions) {}

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((raw) => this.accept(raw));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
        ? new Error(`port ${this.opts.port} is already in use: choose another for --${this.opts.transport}-port`)
        : e));
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const addr = server.address();
    return { host: this.opts.host, port: typeof addr === 'object' && addr !== null ? addr.port : 0 };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(raw: Socket): void {
    const { tap, log, transport } = this.opts;
    this.sockets.add(raw);
    raw.once('close', () => this.sockets.delete(raw));
    raw.on('error', () => {});
    const remote = `${raw.remoteAddress}:${raw.remotePort}`;
    let connId = 0;
    const hooks = { log, now: () => performance.timeOrigin + performance.now() };
    const carrier = transport === 'ws' ? raw : tlsFront(raw, this.opts.context!, hooks, () => connId);
    const client = transport === 'tls' ? carrier : wsEndpoint(carrier, hooks, () => connId);
    // Adopted at once, so every unit of the connection, the handshake's included, has its id.
    connId = tap.adopt(client as Socket, { transport, remote });
    log.open(connId, LAYERS[transport]);
  }
}
