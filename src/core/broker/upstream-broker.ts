// A broker that runs elsewhere (`--upstream host:port`): nothing to start or stop, only to check that it is
// there, so a typo fails at once with a clear message instead of as a mystery on the first client connect.
import type { BrokerInfo } from '../../shared/lab.js';
import { BrokerEvents, type BrokerEventListener, type BrokerHost } from './broker-host.js';
import { probeMqtt5 } from './mqtt5-probe.js';
import { probeTcp } from './tcp-probe.js';

export interface UpstreamBrokerOptions {
  /** How long the TCP check may take. Default 3000 ms. */
  timeoutMs?: number;
  /** Send one MQTT 5 CONNECT to learn whether the broker speaks 5. Default true; false reports mqtt5: false. */
  probeMqtt5?: boolean;
}

/** `host:port`, `[v6]:port`; the port is required. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || m[1] === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`upstream must be host:port (e.g. test.mosquitto.org:1883), not ${JSON.stringify(text)}`);
  }
  return { host: m[1], port };
}

export class UpstreamBroker implements BrokerHost {
  readonly kind = 'upstream' as const;
  private readonly events = new BrokerEvents();
  private readonly host: string;
  private readonly port: number;
  private info: BrokerInfo | undefined;

  constructor(address: string, private readonly options: UpstreamBrokerOptions = {}) {
    ({ host: this.host, port: this.port } = parseHostPort(address));
  }

  onEvent(listener: BrokerEventListener): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<BrokerInfo> {
    if (this.info !== undefined) return this.info;
    const where = `${this.host}:${this.port}`;
    const probe = await probeTcp(this.host, this.port, this.options.timeoutMs ?? 3000);
    if (!probe.ok) {
      const why = probe.code === 'ECONNREFUSED' ? 'connection refused: is the broker running and listening there?'
        : probe.code === 'ETIMEDOUT' ? 'no answer: is the host reachable, or is a firewall in the way?'
        : probe.code === 'ENOTFOUND' || probe.code === 'EAI_AGAIN' ? 'no such host'
        : probe.code ?? 'unknown error';
      throw new Error(`upstream broker ${where} does not accept TCP connections (${why})`);
    }
    const mqtt5 = this.options.probeMqtt5 === false ? false : await probeMqtt5(this.host, this.port);
    this.info = { host: this.host, port: this.port, kind: 'upstream', mqtt5 };
    return this.info;
  }

  async stop(): Promise<void> {
    this.info = undefined;
  }
}
