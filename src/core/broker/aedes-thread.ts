// The embedded broker in a worker thread of its own: the same AedesBroker, reached through stream ends over
// a message port (port-streams.ts) instead of in the lab's thread. In one thread, aedes, the tap, the
// capture store and the live log took turns on one core while the other sat mostly idle: `mqtt-lab broker`
// relaying 4 kB messages used 0.94 of a core against the bench clients' 0.3 (issue 12), and aedes with
// mqtt-packet was a third of its samples.
import { Worker } from 'node:worker_threads';
import type { Duplex } from 'node:stream';
import type { BrokerInfo } from '../../shared/lab.js';
import type { AedesBrokerOptions } from './aedes-broker.js';
import type { FromBrokerThread, ToBrokerThread } from './aedes-thread-notes.js';
import { BrokerEvents, now, type AuthOptions, type BrokerEventListener, type BrokerHost } from './broker-host.js';
import { PortStreams, type PortBatch } from './port-streams.js';
import { StartOnce } from './start-once.js';

interface Running {
  worker: Worker;
  streams: PortStreams;
  info: BrokerInfo;
  /** Settles when the thread has stopped its broker (or has gone). */
  stopped: Promise<void>;
}

/**
 * Where the thread's code is when the lab runs from its TypeScript sources (the CLI, the tests); the built
 * app names its compiled entry itself. Undefined when neither applies: the broker then runs in this thread.
 */
export function sourceWorkerEntry(): URL | undefined {
  const here = import.meta.url;
  return here.startsWith('file:') && here.endsWith('.ts') ? new URL('./aedes-worker-boot.mjs', here) : undefined;
}

export class AedesThreadBroker implements BrokerHost {
  readonly kind = 'aedes' as const;
  private readonly events = new BrokerEvents();
  private readonly life = new StartOnce<Running>(() => this.launch());
  private running: Running | undefined;
  /** The thread being started or running: users and ACL changed meanwhile are sent to it. */
  private streams: PortStreams | undefined;
  private auth: AuthOptions;

  /** `entry`: the thread's module (aedes-worker.ts, or the boot file that loads it from the sources). */
  constructor(private readonly entry: URL, private readonly options: AedesBrokerOptions = {}) {
    this.auth = { users: options.users, acl: options.acl };
  }

  configureAuth(auth: AuthOptions): void {
    this.auth = auth;
    this.send({ kind: 'auth', auth });
  }

  onEvent(listener: BrokerEventListener): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<BrokerInfo> {
    return (await this.life.start()).info;
  }

  /** A connection to the broker's thread: bytes cross as messages, never through a socket. */
  connect(): Duplex {
    const r = this.running;
    if (r === undefined) throw new Error('the embedded broker is not running');
    return r.streams.open();
  }

  async stop(): Promise<void> {
    this.running = undefined;
    const r = await this.life.take();
    if (r === undefined) return;
    this.send({ kind: 'stop' });
    await r.stopped;
    this.streams = undefined;
    r.worker.removeAllListeners('exit').removeAllListeners('error');
    r.streams.close();
    await r.worker.terminate();
  }

  private send(note: ToBrokerThread): void {
    this.streams?.note(note);
  }

  private launch(): Promise<Running> {
    const worker = new Worker(this.entry, { workerData: { ...this.options, ...this.auth } satisfies AedesBrokerOptions });
    const streams = new PortStreams(worker);
    this.streams = streams;
    let markStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    return new Promise<Running>((resolve, reject) => {
      let started = false;
      const fail = (message: string): void => {
        if (!started) {
          reject(new Error(message));
          return;
        }
        // Every connection to it ends as if the broker had closed its sockets; the lab hears why.
        this.events.emit({ kind: 'client-error', time: now(), message });
      };
      worker.on('message', (batch: PortBatch) => streams.receive(batch, (n) => {
        const note = n as FromBrokerThread;
        switch (note.kind) {
          case 'ready':
            started = true;
            this.running = { worker, streams, info: note.info, stopped };
            resolve(this.running);
            return;
          case 'failed':
            reject(new Error(note.message));
            void worker.terminate();
            return;
          case 'event':
            this.events.emit(note.event);
            return;
          case 'stopped':
            markStopped();
            return;
        }
      }));
      worker.once('error', (err) => fail(`the embedded broker's thread failed: ${err.message}`));
      worker.once('exit', (code) => {
        streams.close();
        if (this.running?.worker === worker) this.running = undefined;
        markStopped();
        fail(`the embedded broker's thread ended (exit code ${code})`);
      });
    });
  }
}
