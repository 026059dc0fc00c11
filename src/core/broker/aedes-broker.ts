// The embedded broker: aedes 1.x in this process, on 127.0.0.1 and a port the kernel picks.
//
// aedes 1.x speaks MQTT 3.1 and 3.1.1 only. A v5 CONNECT is parsed, answered with the 3.1.1-shaped CONNACK
// `20 02 00 01` (return code 1, unacceptable protocol level [MQTT-3.1.2-2]) and the connection is closed; hence
// `mqtt5: false`. Keepalive is enforced by aedes itself: no packet for 1.5 × keepalive [MQTT-3.1.2-24] emits
// 'keepaliveTimeout' and closes the connection, which publishes the will like any other ungraceful end.
// Where aedes departs from 3.1.1 on sessions (session present, an empty client id), aedes-sessions.ts corrects it.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { BrokerEvent, BrokerInfo } from '../../shared/lab.js';
import { AccessPolicy, type Principal } from './access-policy.js';
import { AedesSessions } from './aedes-sessions.js';
import { StartOnce } from './start-once.js';
import { BrokerEvents, now, type AuthOptions, type BrokerEventListener, type BrokerHost } from './broker-host.js';
import { quietIncomingMisses } from './aedes-quiet-misses.js';
import { streamPair } from './stream-pair.js';

export interface AedesBrokerOptions extends AuthOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port chosen by the kernel. */
  port?: number;
}

type PublishDone = (error?: Error | null) => void;
type RawPublish = (packet: PublishPacket, client: Client | null, done?: PublishDone) => void;

interface Running {
  aedes: Aedes;
  server: Server;
  /** Accepted TCP sockets and the broker's ends of in-process connections, destroyed on stop. */
  sockets: Set<Socket | Duplex>;
  info: BrokerInfo;
}

export class AedesBroker implements BrokerHost {
  readonly kind = 'aedes' as const;
  private readonly events = new BrokerEvents();
  private policy: AccessPolicy;
  private readonly life = new StartOnce<Running>(() => this.launch());
  /** The broker once started, for connect(), which cannot wait. */
  private running: Running | undefined;
  /** Closing aedes ends every connection ungracefully and publishes wills; that is shutdown, not news. */
  private quiet = false;

  constructor(private readonly options: AedesBrokerOptions = {}) {
    this.policy = new AccessPolicy(options.users, options.acl);
  }

  /**
   * Replaces users and ACL on the running broker (a security lesson turns them on, then off again).
   * Connections already accepted keep their session; the new rules apply from the next packet.
   */
  configureAuth(auth: AuthOptions): void {
    this.policy = new AccessPolicy(auth.users, auth.acl);
  }

  onEvent(listener: BrokerEventListener): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<BrokerInfo> {
    return (await this.life.start()).info;
  }

  /** aedes takes any duplex stream: the tap's connections skip the loopback sockets (issue 12). */
  connect(): Duplex {
    const [tapSide, brokerSide] = streamPair();
    this.accept(brokerSide);
    return tapSide;
  }

  /** Serves a connection whose other end is elsewhere (in another thread: aedes-thread.ts). */
  accept(stream: Duplex): void {
    const r = this.running;
    if (r === undefined) throw new Error('the embedded broker is not running');
    r.sockets.add(stream);
    stream.once('close', () => r.sockets.delete(stream));
    r.aedes.handle(stream);
  }

  async stop(): Promise<void> {
    this.running = undefined;
    const r = await this.life.take();
    if (r === undefined) return;
    this.quiet = true;
    // Stop accepting first; the close callback fires once every accepted socket is gone.
    const serverClosed = new Promise<void>((resolve) => r.server.close(() => resolve()));
    await new Promise<void>((resolve) => r.aedes.close(() => resolve()));
    for (const socket of r.sockets) socket.destroy();
    await serverClosed;
    // The listening handle is released one turn of the event loop after 'close'.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async launch(): Promise<Running> {
    this.quiet = false;
    const aedes = await Aedes.createBroker();
    quietIncomingMisses((aedes as unknown as { persistence: unknown }).persistence);
    this.install(aedes);
    const sockets = new Set<Socket | Duplex>();
    const server = createServer((socket) => {
      // aedes writes each packet as it is ready: with Nagle's algorithm a lone small packet waited for the
      // peer's delayed ACK (about 40 ms on Linux), as the tap's own sockets never do (issue 12).
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    try {
      const port = await listen(server, this.options.port ?? 0, this.options.host ?? '127.0.0.1');
      this.running = { aedes, server, sockets, info: { host: this.options.host ?? '127.0.0.1', port, kind: 'aedes', mqtt5: false } };
      return this.running;
    } catch (err) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
  }

  private install(aedes: Aedes): void {
    // Read on every call rather than captured, so configureAuth takes effect on a running broker.
    const policy = (): AccessPolicy => this.policy;
    const events = { emit: (e: BrokerEvent): void => (this.quiet ? undefined : this.events.emit(e)) };
    // aedes hands authenticate the user name but keeps it nowhere; the ACL needs it later.
    const usernames = new WeakMap<Client, string | undefined>();
    const principal = (client: Client): Principal => ({ clientId: client.id, username: usernames.get(client) });
    // Packets refused by the ACL. aedes can only refuse a PUBLISH by closing the connection; MQTT-3.3.5-2 also
    // allows acknowledging it as usual and discarding it, which is what mosquitto does and what we want.
    const refused = new WeakSet<object>();
    const sessions = new AedesSessions();
    aedes.preConnect = sessions.preConnect;

    aedes.authenticate = (client, username, password, done) => {
      usernames.set(client, username);
      if (sessions.mustRefuse(client)) {
        // A zero-length client id with clean session 0 [MQTT-3.1.3-8]: CONNACK 2, then aedes closes.
        const err = new Error('identifier rejected: a zero-length client id needs clean session 1') as AuthenticateError;
        err.returnCode = 2 as AuthenticateError['returnCode'];
        return done(err, false);
      }
      const code = policy().authenticate(username, password);
      if (code === 0) return done(null, true);
      const err = new Error(code === 4 ? 'bad user name or password' : 'not authorized') as AuthenticateError;
      err.returnCode = code as AuthenticateError['returnCode'];
      done(err, false);
    };

    const defaultAuthorizePublish = aedes.authorizePublish;
    aedes.authorizePublish = (client, packet, done) => {
      // aedes passes the will through here too, with the client that is going away.
      const will = client !== null && packet === (client as Client & { will?: unknown }).will;
      if (client !== null && policy().hasAcl && !policy().mayPublish(principal(client), packet.topic)) {
        refused.add(packet);
        events.emit({ kind: 'publish-denied', time: now(), clientId: client.id, topic: packet.topic, will });
        return done(null);
      }
      defaultAuthorizePublish(client, packet, (err) => {
        if ((err === null || err === undefined) && will && client !== null) {
          events.emit({ kind: 'will-published', time: now(), clientId: client.id, topic: packet.topic, qos: packet.qos, retain: packet.retain });
        }
        done(err);
      });
    };

    // aedes' PUBLISH handler and its will code call broker.publish with the very packet object that went through
    // authorizePublish (lib/handlers/publish.js, lib/client.js in 1.2). Dropping it here means no retained copy,
    // no offline queueing and no delivery, while the handler still sends PUBACK/PUBREC as usual.
    const raw = aedes as unknown as { publish: RawPublish };
    const publish = raw.publish.bind(aedes);
    raw.publish = (packet, client, done) => {
      if (typeof client === 'function') return publish(packet, null, client);
      if (refused.has(packet)) return done?.(null);
      return publish(packet, client, done);
    };

    aedes.authorizeSubscribe = (client, sub, done) => {
      if (policy().hasAcl && !policy().maySubscribe(principal(client), sub.topic)) {
        events.emit({ kind: 'subscribe-denied', time: now(), clientId: client.id, filter: sub.topic });
        return done(null, null); // → SUBACK return code 0x80 [MQTT-3.9.3-2]
      }
      done(null, sub);
    };

    aedes.authorizeForward = (client, packet) => {
      if (policy().hasAcl && !policy().mayReceive(principal(client), packet.topic)) return null;
      return packet;
    };

    aedes.on('clientReady', (client) => {
      sessions.accepted(client);
      events.emit({ kind: 'client-connected', time: now(), clientId: client.id });
    });
    aedes.on('clientDisconnect', (client) => events.emit({ kind: 'client-disconnected', time: now(), clientId: client.id }));
    aedes.on('keepaliveTimeout', (client) => events.emit({ kind: 'keepalive-timeout', time: now(), clientId: client.id }));
    aedes.on('clientError', (client, err) => events.emit({ kind: 'client-error', time: now(), clientId: client.id, message: err.message }));
    aedes.on('connectionError', (_client, err) => events.emit({ kind: 'client-error', time: now(), message: err.message }));
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
