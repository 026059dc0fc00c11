// Plays one TCP connection as packets: handshake, data segments with consistent sequence and ack numbers,
// and a FIN or RST close, so that a capture written from the tap's byte streams reads as real TCP.
import type { Direction } from '../../shared/lab.js';
import { parseIpAddress, type IpAddress } from './ip-address.js';
import { buildTcpFrame, MAX_TCP_PAYLOAD, type SyntheticLink } from './packet-builder.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from './tcp.js';
import type { Endpoint } from './tcp-conversations.js';

export interface ConnectionEndpoints {
  client: Endpoint;
  broker: Endpoint;
}

export interface CloseOptions {
  /** Which side closes first. Default 'client'. */
  by?: 'client' | 'broker';
  /** Abort with RST instead of the FIN exchange (a severed connection). */
  reset?: boolean;
}

/** Advertised receive window; no window scaling, so 65535 is the most either side may have unacknowledged. */
const WINDOW = 65535;

interface Side {
  ip: IpAddress;
  port: number;
  mac: Uint8Array;
  /** Next sequence number this side sends. */
  next: number;
  ipId: number;
  /** Bytes this side has sent that the other has not acknowledged yet. */
  unacked: number;
}

export type FrameSink = (frame: Uint8Array, time: number) => void;

export class SyntheticTcpConnection {
  readonly #link: SyntheticLink;
  readonly #emit: FrameSink;
  readonly #client: Side;
  readonly #broker: Side;
  #state: 'new' | 'open' | 'closed' = 'new';

  constructor(connId: number, ends: ConnectionEndpoints, link: SyntheticLink, emit: FrameSink) {
    this.#link = link;
    this.#emit = emit;
    const clientIp = parseIpAddress(ends.client.ip);
    const brokerIp = parseIpAddress(ends.broker.ip);
    if (clientIp.version !== brokerIp.version) {
      throw new Error(`connection ${connId}: client ${ends.client.ip} and broker ${ends.broker.ip} are not the same IP version`);
    }
    // Initial sequence numbers differ per connection, so that Wireshark sees a reused 4-tuple as a new stream.
    const isn = Math.imul(connId + 1, 0x9e3779b1) >>> 0;
    this.#client = side(clientIp, ends.client.port, 2, isn, connId);
    this.#broker = side(brokerIp, ends.broker.port, 1, (isn ^ 0x5bd1e995) >>> 0, connId + 0x4000);
  }

  get state(): 'new' | 'open' | 'closed' {
    return this.#state;
  }

  /** The three-way handshake. */
  open(time: number): void {
    if (this.#state !== 'new') return;
    const c = this.#client;
    const b = this.#broker;
    this.#segment(c, b, TCP_SYN, new Uint8Array(0), time, 1);
    this.#segment(b, c, TCP_SYN | TCP_ACK, new Uint8Array(0), time, 1);
    this.#segment(c, b, TCP_ACK, new Uint8Array(0), time);
    this.#state = 'open';
  }

  send(direction: Direction, bytes: Uint8Array, time: number): void {
    if (this.#state === 'new') this.open(time);
    if (this.#state === 'closed') throw new Error('cannot record data on a connection that was closed');
    const [from, to] = direction === 'toBroker' ? [this.#client, this.#broker] : [this.#broker, this.#client];
    for (let at = 0; at < bytes.length; at += MAX_TCP_PAYLOAD) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + MAX_TCP_PAYLOAD));
      // Stay strictly inside the receiver's window: acknowledge first, as a real receiver would have.
      if (from.unacked + piece.length >= WINDOW) this.#segment(to, from, TCP_ACK, new Uint8Array(0), time);
      const last = at + piece.length >= bytes.length;
      this.#segment(from, to, TCP_ACK | (last ? TCP_PSH : 0), piece, time);
    }
  }

  close(time: number, opts: CloseOptions = {}): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'new') this.open(time);
    const [closer, other] = opts.by === 'broker' ? [this.#broker, this.#client] : [this.#client, this.#broker];
    if (opts.reset) {
      this.#segment(closer, other, TCP_RST | TCP_ACK, new Uint8Array(0), time);
    } else {
      this.#segment(closer, other, TCP_FIN | TCP_ACK, new Uint8Array(0), time, 1);
      this.#segment(other, closer, TCP_FIN | TCP_ACK, new Uint8Array(0), time, 1);
      this.#segment(closer, other, TCP_ACK, new Uint8Array(0), time);
    }
    this.#state = 'closed';
  }

  /** `extra`: sequence space a SYN or FIN takes beyond the payload. */
  #segment(from: Side, to: Side, flags: number, payload: Uint8Array, time: number, extra = 0): void {
    const frame = buildTcpFrame(this.#link, {
      src: from.ip,
      dst: to.ip,
      srcPort: from.port,
      dstPort: to.port,
      seq: from.next,
      // A SYN from the client acknowledges nothing yet.
      ack: flags === TCP_SYN ? 0 : to.next,
      flags,
      window: WINDOW,
      ipId: from.ipId,
      payload,
      srcMac: from.mac,
      dstMac: to.mac,
    });
    from.next = (from.next + payload.length + extra) >>> 0;
    from.ipId = (from.ipId + 1) & 0xffff;
    from.unacked += payload.length;
    if (flags & TCP_ACK) to.unacked = 0;
    this.#emit(frame, time);
  }
}

function side(ip: IpAddress, port: number, macLast: number, isn: number, idSeed: number): Side {
  // Locally administered unicast addresses: 02:00:00:00:00:01 for the broker, …:02 for clients.
  const mac = Uint8Array.of(0x02, 0, 0, 0, 0, macLast);
  return { ip, port, mac, next: isn, ipId: (idSeed * 251) & 0xffff, unacked: 0 };
}
