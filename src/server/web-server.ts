// The browser mode: the renderer and the LabApi over a WebSocket, on loopback, behind a per-run token.
// It is how the UI is tested here and how a lecturer projects from any browser.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { LabApi } from '../shared/api.js';
import { MAX_MESSAGE_BYTES, serveApi } from './api-socket.js';
import type { SenderOptions } from '../shared/event-stream/index.js';
import type { Clock } from '../shared/clock.js';
import { loopbackGuard } from './loopback-guard.js';
import { serveStatic } from './static-files.js';
import { COOKIE, newToken, sameToken, tokenOf } from './token.js';

export interface WebServerOptions {
  api: LabApi;
  /** The lab's clock, for the event batching of each socket; default the wall clock. */
  clock?: Clock;
  /** Folder of the built renderer (index.html and assets). */
  root: string;
  port?: number;
  host?: string;
  token?: string;
  /** Flow-control bounds of each socket's event stream (tests make a page fall behind with small ones). */
  stream?: Partial<SenderOptions>;
  /**
   * The lab's summary of a packet by seq (Lab.summaryAt): each socket's stream then queues packets as seqs
   * and summarises them as it sends (SenderOptions.summaryAt).
   */
  summaryAt?: SenderOptions['summaryAt'];
  /** The lab's live packets by seq (Lab.onPacketSeq): with summaryAt, no summary is made as a packet goes by. */
  packetSeqs?: (listener: (seq: number) => void) => () => void;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const REFUSED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MQTT Lab: open the address it printed</title>
<style>body{font:20px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:0 .3rem}</style>
</head><body><h1>This address needs the lab's token</h1>
<p>Each run of <code>mqtt-lab web</code> (or <code>npm start</code>) prints a new address with a token, for example
<code>http://127.0.0.1:8080/?token=…</code>. This page was opened without it, or with the token of an earlier run:
the lab has restarted since.</p>
<p>Open the address the lab printed in its terminal.</p></body></html>
`;

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? newToken();
  const host = opts.host ?? '127.0.0.1';
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  // Known once listening; no request is served before.
  let guard = loopbackGuard(host, 0);
  const server: Server = createServer((req, res) => {
    const refused = guard.host(req.headers.host);
    if (refused !== null) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`MQTT Lab: ${refused}\n`);
      return;
    }
    if (!sameToken(tokenOf(req), token)) {
      // A readable page: a student who kept an old tab, or a lab restarted with a new token, lands here.
      res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
      res.end(REFUSED_PAGE);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.searchParams.has('token')) {
      res.setHeader('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    void serveStatic(opts.root, url.pathname, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset or garbage on the raw socket before the handshake completes must not surface as an
    // unhandled 'error' (ws takes over error handling once the upgrade is done).
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A page from another origin must not drive the lab even if it guessed the port (cross-site WebSocket),
    // nor a page of another site whose name now resolves to loopback (DNS rebinding: the Host header).
    const refused = guard.host(req.headers.host) ?? guard.origin(req.headers.origin);
    if (url.pathname !== '/api' || !sameToken(tokenOf(req), token) || refused !== null) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveApi(ws, opts.api, opts.clock, opts.summaryAt === undefined ? opts.stream : { summaryAt: opts.summaryAt, ...opts.stream }, opts.packetSeqs));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  guard = loopbackGuard(host, port);
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
