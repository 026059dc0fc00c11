// The two HTTP clients of the home-care example: the sensor that POSTs each reading, and the receiver
// that polls for new ones. Each keeps one TCP connection open (HTTP keep-alive), the fairest case for HTTP.
import { Agent, request } from 'node:http';
import type { Reading } from './readings-server.js';

interface Target {
  host: string;
  port: number;
}

/** The User-Agent names the client, as a browser's names itself; the HTTP tap labels the connection by it. */
export const AGENT_PREFIX = 'mqtt-lab/';

function call(agent: Agent, target: Target, method: string, path: string, body: string | undefined, timeoutMs: number, name: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'User-Agent': `${AGENT_PREFIX}${name}` };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const req = request({ ...target, agent, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    // An answer that never comes (the tap dropped it) ends this request; the socket goes with it.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export class HttpSensor {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly target: Target, private readonly timeoutMs = 5000, readonly name = 'http-sensor') {}

  async post(value: string): Promise<number> {
    const r = await call(this.agent, this.target, 'POST', '/readings', value, this.timeoutMs, this.name);
    if (r.status !== 201) throw new Error(`POST /readings answered ${r.status}`);
    return (JSON.parse(r.body) as { seq: number }).seq;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface PollStats {
  polls: number;
  emptyPolls: number;
  timeouts: number;
}

/** Polls every `pollMs` (counted from the end of the last poll) and reports each new reading once. */
export class HttpPoller {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<void> | null = null;
  readonly stats: PollStats = { polls: 0, emptyPolls: 0, timeouts: 0 };

  constructor(
    private readonly target: Target,
    private readonly pollMs: number,
    private readonly onReading: (r: Reading, time: number) => void,
    private readonly timeoutMs = 1000,
    readonly name = 'http-receiver',
    /** The last reading this receiver already has (a receiver that polled before). */
    after = 0,
  ) {
    this.last = after;
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.inFlight?.catch(() => undefined);
    this.agent.destroy();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.poll();
      void this.inFlight.finally(() => this.schedule(this.pollMs));
    }, ms);
  }

  private async poll(): Promise<void> {
    this.stats.polls++;
    try {
      const r = await call(this.agent, this.target, 'GET', `/readings?after=${this.last}`, undefined, this.timeoutMs, this.name);
      const time = performance.timeOrigin + performance.now();
      if (r.status === 204) {
        this.stats.emptyPolls++;
        return;
      }
      for (const reading of JSON.parse(r.body) as Reading[]) {
        if (reading.seq <= this.last) continue;
        this.last = reading.seq;
        this.onReading(reading, time);
      }
    } catch {
      this.stats.timeouts++;
    }
  }
}
