// The HTTP half of the lab: the home-care readings server behind an HTTP tap, started on first use, with
// named HTTP clients (a sensor that POSTs, receivers that poll). Their requests and responses go into the
// lab's capture beside the MQTT packets and reach the views as rows of their own.
import { EventEmitter } from 'node:events';
import type { PacketRecord } from '../../shared/lab.js';
import { HttpPoller, HttpSensor, type PollStats } from '../http/http-clients.js';
import { HttpTap, type HttpTapOptions, type HttpWireEnd, type HttpWireOpen } from '../http/http-tap.js';
import { ReadingsServer } from '../http/readings-server.js';

/** How long a polling receiver waits for an answer before it gives the request up. */
const POLL_TIMEOUT_MS = 1000;

export interface PollResult extends PollStats {
  /** Readings that arrived during this polling run, oldest first. */
  readings: unknown[];
}

/** Where an HTTP connection ran on the wire, and how it ended (absent while it is open). */
export type HttpWire = HttpWireOpen & { end?: HttpWireEnd };

/** Where HTTP records go: the lab's capture, numbered among the MQTT tap's connections. */
export type HttpRecording = Pick<HttpTapOptions, 'record' | 'connId' | 'label'>;

/** Each HTTP record as it is captured, for the live views (the MQTT tap announces its own the same way). */
export interface HttpSideEvents {
  packet: [PacketRecord];
}

export class HttpSide extends EventEmitter<HttpSideEvents> {
  private running: Promise<{ server: ReadingsServer; tap: HttpTap; addr: { host: string; port: number } }> | null = null;
  private readonly sensors = new Map<string, HttpSensor>();
  private readonly lastSeen = new Map<string, number>();
  /**
   * Every HTTP connection's endpoints and end, kept after the server stops (a lesson closing) because
   * its records stay in the capture, and a saved file must put them on their real ports.
   */
  private readonly wires = new Map<number, HttpWire>();

  constructor(private readonly recording: HttpRecording) {
    super();
  }

  /** Where HTTP clients connect (the HTTP tap), starting server and tap on first use. */
  address(): Promise<{ host: string; port: number }> {
    return this.start().then((s) => s.addr);
  }

  async post(client: string, body: string): Promise<{ seq: number }> {
    const { addr } = await this.start();
    let sensor = this.sensors.get(client);
    if (sensor === undefined) {
      sensor = new HttpSensor(addr, 5000, client);
      this.sensors.set(client, sensor);
    }
    return { seq: await sensor.post(body) };
  }

  /** Polls every `everyMs` for `forMs`, then stops; a receiver resumes after the last reading it saw. */
  async poll(client: string, everyMs: number, forMs: number): Promise<PollResult> {
    const { addr } = await this.start();
    const readings: unknown[] = [];
    const poller = new HttpPoller(addr, everyMs, (r) => {
      readings.push(r.reading);
      this.lastSeen.set(client, r.seq);
    }, POLL_TIMEOUT_MS, client, this.lastSeen.get(client) ?? 0);
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, forMs));
    await poller.stop();
    return { ...poller.stats, readings };
  }

  /** The endpoints and end of an HTTP connection of this lab, or undefined when connId is not HTTP. */
  wire(connId: number): HttpWire | undefined {
    return this.wires.get(connId);
  }

  /** Drops the next response with a body (a 200 carrying readings), once. */
  async dropNextReadings(): Promise<void> {
    const { tap } = await this.start();
    tap.dropNext('toClient', (d) => d.fields[0]?.children?.[1]?.value === 200);
  }

  /** Forgets readings and clients: the next lesson starts from an empty server. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    for (const s of this.sensors.values()) s.close();
    this.sensors.clear();
    this.lastSeen.clear();
    if (running === null) return;
    const { server, tap } = await running;
    await tap.stop();
    await server.stop();
  }

  private start(): Promise<{ server: ReadingsServer; tap: HttpTap; addr: { host: string; port: number } }> {
    this.running ??= (async () => {
      const server = new ReadingsServer();
      const target = await server.start();
      const tap = new HttpTap({
        target,
        connId: () => this.recording.connId(),
        record: (r) => {
          const rec = this.recording.record(r);
          this.emit('packet', rec);
          return rec;
        },
        label: (connId, name) => this.recording.label?.(connId, name),
        opened: (connId, w) => this.wires.set(connId, w),
        closed: (connId, end) => {
          const w = this.wires.get(connId);
          if (w !== undefined) w.end = end;
        },
      });
      return { server, tap, addr: await tap.start() };
    })();
    return this.running;
  }
}
