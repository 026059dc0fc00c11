// A TCP proxy for HTTP beside the MQTT tap: requests and responses pass through it whole, and each is
// recorded (same capture, same record shape) with its HTTP decode, so MQTT and HTTP are counted from the
// same kind of evidence: the bytes that crossed the lab. It can drop one whole message, as the MQTT tap's
// drop rule does, to show what each protocol does about a lost answer.
import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Direction, PacketRecord } from '../../shared/lab.js';
import type { DecodedPacket } from '../../shared/packet.js';
import { decodeHttp } from './http-decode.js';
import { AGENT_PREFIX } from './http-clients.js';
import { HttpFramer } from './http-framer.js';
import { listenOnLoopback } from './listen-loopback.js';

export interface HttpTapOptions {
  /** Where the HTTP server listens. */
  target: { host: string; port: number };
  /** Stores a record and returns it numbered (the lab's capture store). */
  record: (r: Omit<PacketRecord, 'seq'>) => PacketRecord;
  /** Connection numbers shared with the MQTT tap, so the two never collide in one capture. */
  connId: () => number;
  /** Names a connection in the views (the lab's clientId slot) by the User-Agent of its first request. */
  label?: (connId: number, name: string) => void;
  /** The connection's real endpoints, as the client saw them (its own address, the tap's port), when it is accepted. */
  opened?: (connId: number, wire: HttpWireOpen) => void;
  /** How the connection ended: who closed first, and whether it was torn down without a FIN. */
  closed?: (connId: number, end: HttpWireEnd) => void;
}

export interface HttpWireOpen {
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  /** Epoch ms. */
  since: number;
}

export interface HttpWireEnd {
  /** Epoch ms. */
  time: number;
  by: 'client' | 'server';
  /** Destroyed (an error, or the tap stopping) before either side sent its FIN. */
  reset: boolean;
}

export interface HttpTapEvents {
  message: [PacketRecord];
}

export class HttpTap extends EventEmitter<HttpTapEvents> {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private drops: Array<{ direction: Direction; when: (d: DecodedPacket) => boolean }> = [];

  constructor(private readonly opts: HttpTapOptions) {
    super();
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((s) => this.accept(s));
    this.server = server;
    return listenOnLoopback(server);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Drops the next whole message in that direction ('toClient' = a response) that `when` picks, once. */
  dropNext(direction: Direction, when: (d: DecodedPacket) => boolean = () => true): void {
    this.drops.push({ direction, when });
  }

  private accept(client: Socket): void {
    const connId = this.opts.connId();
    let named = false;
    const server = connect(this.opts.target);
    client.setNoDelay(true);
    server.setNoDelay(true);
    for (const s of [client, server]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    this.opts.opened?.(connId, {
      client: { ip: plainIp(client.remoteAddress), port: client.remotePort ?? 0 },
      server: { ip: plainIp(client.localAddress), port: client.localPort ?? 0 },
      since: now(),
    });
    let ended: HttpWireEnd | null = null;
    const end = (by: HttpWireEnd['by'], reset: boolean): void => {
      if (ended !== null) return;
      ended = { time: now(), by, reset };
      this.opts.closed?.(connId, ended);
    };
    const requests = new HttpFramer('request');
    const responses = new HttpFramer('response');
    const pass = (direction: Direction, out: Socket, framed: ReturnType<HttpFramer['push']>): void => {
      for (const m of framed) {
        const decoded = decodeHttp(m.bytes, m.problem);
        if (direction === 'toBroker') {
          if (!named) {
            const agent = userAgent(decoded);
            this.opts.label?.(connId, agent?.startsWith(AGENT_PREFIX) === true ? agent.slice(AGENT_PREFIX.length) : agent ?? `http-${connId}`);
          }
          named = true;
          const method = decoded.fields[0]?.children?.[0]?.value;
          if (typeof method === 'string') responses.requestSent(method);
        }
        const drop = this.drops.find((d) => d.direction === direction && d.when(decoded));
        if (drop !== undefined) this.drops = this.drops.filter((d) => d !== drop);
        const rec = this.opts.record({
          time: now(), connId, direction, bytes: m.bytes, decoded,
          ...(drop === undefined ? {} : { fault: { action: 'drop' as const } }),
        });
        this.emit('message', rec);
        if (drop === undefined && !out.destroyed) out.write(m.bytes);
      }
    };
    client.on('data', (d: Buffer) => pass('toBroker', server, requests.push(new Uint8Array(d))));
    server.on('data', (d: Buffer) => pass('toClient', client, responses.push(new Uint8Array(d))));
    client.on('end', () => { end('client', false); pass('toBroker', server, requests.end()); server.end(); });
    server.on('end', () => { end('server', false); pass('toClient', client, responses.end()); client.end(); });
    client.on('close', () => { end('client', true); server.destroy(); });
    server.on('close', () => { end('server', true); client.destroy(); });
  }
}

/** The same clock as the records, so a capture file orders handshakes, messages and closes alike. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** An IPv4 peer on a dual-stack socket is reported as ::ffff:a.b.c.d; the capture file is IPv4. */
function plainIp(address: string | undefined): string {
  const ip = (address ?? '127.0.0.1').replace(/^::ffff:/, '');
  return ip.includes(':') ? '127.0.0.1' : ip;
}

function userAgent(d: DecodedPacket): string | undefined {
  for (const line of d.fields[1]?.children ?? []) {
    const v = line.children?.[0];
    if (v?.filter === 'http.user_agent' && typeof v.value === 'string') return v.value;
  }
  return undefined;
}
