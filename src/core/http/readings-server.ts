// The HTTP side of the lecture's home-care example: a web server that keeps a patient's readings. The
// sensor POSTs each reading; a receiver that wants them must ask (GET), because HTTP's server never speaks
// first. `GET /readings?after=N` answers the readings newer than N, or 204 No Content: an empty poll.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-loopback.js';

export interface Reading {
  seq: number;
  /** The sensor's JSON as it was posted. */
  reading: unknown;
}

/** A request body larger than this is refused: a reading is a few bytes. */
const MAX_BODY = 4096;

export class ReadingsServer {
  private server: Server | null = null;
  private readonly readings: Reading[] = [];

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => this.handle(req, res));
    // Node's default keep-alive timeout (5 s) would close an idle poller's connection between polls on a
    // slow schedule; a minute keeps one TCP connection per client, as a browser would.
    server.keepAliveTimeout = 60_000;
    this.server = server;
    return listenOnLoopback(server);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://lab');
    if (url.pathname !== '/readings') return this.answer(res, 404, 'no such resource\n');
    if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
        if (body.length > MAX_BODY) req.destroy();
      });
      req.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return this.answer(res, 400, 'a reading is JSON\n');
        }
        const reading = { seq: this.readings.length + 1, reading: parsed };
        this.readings.push(reading);
        this.answer(res, 201, JSON.stringify({ seq: reading.seq }), 'application/json');
      });
      return;
    }
    if (req.method !== 'GET') return this.answer(res, 405, 'GET or POST\n');
    const after = Number(url.searchParams.get('after') ?? '0');
    const fresh = this.readings.filter((r) => r.seq > (Number.isFinite(after) ? after : 0));
    if (fresh.length === 0) {
      res.writeHead(204);
      res.end();
      return;
    }
    this.answer(res, 200, JSON.stringify(fresh), 'application/json');
  }

  private answer(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}
