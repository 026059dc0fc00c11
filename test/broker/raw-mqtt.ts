// A bare socket that speaks MQTT through mqtt-packet, for tests that must see exactly what a broker answers.
import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export class RawMqtt {
  readonly received: Packet[] = [];
  readonly raw: Buffer[] = [];
  closed = false;
  private constructor(private readonly socket: Socket, private readonly version: 3 | 4 | 5) {}

  static async open(port: number, version: 3 | 4 | 5 = 4): Promise<RawMqtt> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const r = new RawMqtt(socket, version);
    const parser = mqttPacket.parser({ protocolVersion: version });
    parser.on('packet', (p: Packet) => r.received.push(p));
    parser.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      r.raw.push(d);
      parser.parse(d);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (r.closed = true));
    return r;
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.version }));
  }

  /** Bytes as they are, for packets mqtt-packet will not generate (e.g. an empty client id with clean session 0). */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The first received packet of that type, waiting for it. */
  async next(cmd: Packet['cmd'], timeoutMs = 3000): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.received.find((x) => x.cmd === cmd);
      if (p !== undefined) return p;
      if (Date.now() > deadline) throw new Error(`no ${cmd} within ${timeoutMs} ms (closed: ${this.closed})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`still open after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  async connect(fields: { clientId: string; username?: string; password?: string; keepalive?: number; clean?: boolean; will?: { topic: string; payload: string; qos?: 0 | 1 | 2 } }): Promise<number> {
    this.send({
      cmd: 'connect',
      protocolId: this.version === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: this.version,
      clientId: fields.clientId,
      clean: fields.clean ?? true,
      keepalive: fields.keepalive ?? 0,
      username: fields.username,
      password: fields.password === undefined ? undefined : Buffer.from(fields.password),
      will: fields.will === undefined ? undefined : { ...fields.will, payload: Buffer.from(fields.will.payload), qos: fields.will.qos ?? 0, retain: false },
    });
    const ack = (await this.next('connack')) as Packet & { returnCode?: number; reasonCode?: number };
    return ack.returnCode ?? ack.reasonCode ?? -1;
  }
}
