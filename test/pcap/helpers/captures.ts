// Builders for synthetic captures: pcap and pcapng files with chosen byte order, resolution and link type,
// and TCP flows whose segments can be sent in any order. Independent of the readers under test.
import { buildTcpFrame, parseIpAddress } from '../../../src/core/pcap/index.js';

export const LE = true;
export const BE = false;

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface PcapFrame {
  /** Seconds and fraction (µs or ns, per the file). */
  seconds: number;
  fraction: number;
  data: Uint8Array;
  originalLength?: number;
}

export function pcapFile(frames: PcapFrame[], opts: { linkType: number; littleEndian?: boolean; nanos?: boolean; snapLength?: number }): Uint8Array {
  const le = opts.littleEndian ?? true;
  const head = new Uint8Array(24);
  const h = dv(head);
  h.setUint32(0, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  h.setUint16(4, 2, le);
  h.setUint16(6, 4, le);
  h.setUint32(16, opts.snapLength ?? 262144, le);
  h.setUint32(20, opts.linkType, le);
  const parts: Uint8Array[] = [head];
  for (const f of frames) {
    const r = new Uint8Array(16);
    const v = dv(r);
    v.setUint32(0, f.seconds, le);
    v.setUint32(4, f.fraction, le);
    v.setUint32(8, f.data.length, le);
    v.setUint32(12, f.originalLength ?? f.data.length, le);
    parts.push(r, f.data);
  }
  return concat(parts);
}

/** Writes pcapng blocks in either byte order. */
export class PcapngBuilder {
  readonly #le: boolean;
  readonly #blocks: Uint8Array[] = [];

  constructor(littleEndian = true) {
    this.#le = littleEndian;
  }

  block(type: number, body: Uint8Array): this {
    const padded = (body.length + 3) & ~3;
    const total = 12 + padded;
    const b = new Uint8Array(total);
    const v = dv(b);
    v.setUint32(0, type, this.#le);
    v.setUint32(4, total, this.#le);
    b.set(body, 8);
    v.setUint32(total - 4, total, this.#le);
    this.#blocks.push(b);
    return this;
  }

  section(): this {
    const body = new Uint8Array(16);
    const v = dv(body);
    v.setUint32(0, 0x1a2b3c4d, this.#le);
    v.setUint16(4, 1, this.#le);
    v.setBigInt64(8, -1n, this.#le);
    return this.block(0x0a0d0d0a, body);
  }

  /** `tsresol`: the raw if_tsresol byte (6 = µs, 9 = ns, 0x80|n = 2^-n); `tsoffset`: seconds. */
  iface(linkType: number, opts: { tsresol?: number; tsoffset?: bigint; snapLength?: number } = {}): this {
    const options: Uint8Array[] = [];
    const opt = (code: number, value: Uint8Array) => {
      const o = new Uint8Array(4 + ((value.length + 3) & ~3));
      dv(o).setUint16(0, code, this.#le);
      dv(o).setUint16(2, value.length, this.#le);
      o.set(value, 4);
      options.push(o);
    };
    opt(2, new TextEncoder().encode('test0')); // if_name, a string option to skip over
    if (opts.tsresol !== undefined) opt(9, Uint8Array.of(opts.tsresol));
    if (opts.tsoffset !== undefined) {
      const v = new Uint8Array(8);
      dv(v).setBigInt64(0, opts.tsoffset, this.#le);
      opt(14, v);
    }
    options.push(new Uint8Array(4)); // opt_endofopt
    const fixed = new Uint8Array(8);
    dv(fixed).setUint16(0, linkType, this.#le);
    dv(fixed).setUint32(4, opts.snapLength ?? 262144, this.#le);
    return this.block(1, concat([fixed, ...options]));
  }

  epb(interfaceId: number, units: bigint, data: Uint8Array, originalLength = data.length): this {
    const fixed = new Uint8Array(20);
    const v = dv(fixed);
    v.setUint32(0, interfaceId, this.#le);
    v.setUint32(4, Number(units >> 32n), this.#le);
    v.setUint32(8, Number(units & 0xffffffffn), this.#le);
    v.setUint32(12, data.length, this.#le);
    v.setUint32(16, originalLength, this.#le);
    return this.block(6, concat([fixed, data, new Uint8Array((4 - (data.length % 4)) % 4)]));
  }

  spb(data: Uint8Array, originalLength = data.length): this {
    const fixed = new Uint8Array(4);
    dv(fixed).setUint32(0, originalLength, this.#le);
    return this.block(3, concat([fixed, data]));
  }

  opb(interfaceId: number, units: bigint, data: Uint8Array): this {
    const fixed = new Uint8Array(20);
    const v = dv(fixed);
    v.setUint16(0, interfaceId, this.#le);
    v.setUint32(4, Number(units >> 32n), this.#le);
    v.setUint32(8, Number(units & 0xffffffffn), this.#le);
    v.setUint32(12, data.length, this.#le);
    v.setUint32(16, data.length, this.#le);
    return this.block(2, concat([fixed, data]));
  }

  bytes(): Uint8Array {
    return concat(this.#blocks);
  }
}

// --- link layers -----------------------------------------------------------------------------------------

const ETH_IPV4 = [0x08, 0x00];
const ETH_IPV6 = [0x86, 0xdd];

function ipVersion(ip: Uint8Array): 4 | 6 {
  return (ip[0]! >> 4) as 4 | 6;
}

export function ethernet(ip: Uint8Array, vlans: number[] = []): Uint8Array {
  const tags = vlans.flatMap((id, i) => [...(i === 0 && vlans.length > 1 ? [0x88, 0xa8] : [0x81, 0x00]), id >> 8, id & 0xff]);
  const type = ipVersion(ip) === 4 ? ETH_IPV4 : ETH_IPV6;
  return concat([Uint8Array.of(2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...tags, ...type), ip]);
}

export function sll(ip: Uint8Array): Uint8Array {
  const type = ipVersion(ip) === 4 ? ETH_IPV4 : ETH_IPV6;
  // packet type 0 (to us), ARPHRD_LOOPBACK 772, address length 6, 8 address bytes, protocol
  return concat([Uint8Array.of(0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, ...type), ip]);
}

export function sll2(ip: Uint8Array): Uint8Array {
  const type = ipVersion(ip) === 4 ? ETH_IPV4 : ETH_IPV6;
  // protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes
  return concat([Uint8Array.of(...type, 0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0), ip]);
}

/** BSD loopback: the address family as a 4-byte integer, in host order for DLT_NULL, network order for LOOP. */
export function loopback(ip: Uint8Array, family: number, littleEndian: boolean): Uint8Array {
  const head = new Uint8Array(4);
  dv(head).setUint32(0, family, littleEndian);
  return concat([head, ip]);
}

// --- TCP flows ---------------------------------------------------------------------------------------------

export interface FlowSide {
  ip: string;
  port: number;
}

/**
 * Produces raw IP packets for one TCP connection. Offsets are relative stream offsets (0 = first data byte),
 * so tests can send any byte range at any time: retransmissions, overlaps, reordering.
 */
export class Flow {
  readonly client: FlowSide;
  readonly server: FlowSide;
  readonly isn: { c2s: number; s2c: number };
  readonly sent = { c2s: 0, s2c: 0 };

  constructor(client: FlowSide, server: FlowSide, isn = { c2s: 1000, s2c: 90000 }) {
    this.client = client;
    this.server = server;
    this.isn = isn;
  }

  handshake(): Uint8Array[] {
    return [
      this.raw('c2s', 0x02, new Uint8Array(0), this.isn.c2s, 0),
      this.raw('s2c', 0x12, new Uint8Array(0), this.isn.s2c, this.isn.c2s + 1),
      this.raw('c2s', 0x10, new Uint8Array(0), this.isn.c2s + 1, this.isn.s2c + 1),
    ];
  }

  /** Data at the next offset of the direction (advances it). */
  send(dir: 'c2s' | 's2c', payload: Uint8Array, flags = 0x18): Uint8Array {
    const p = this.at(dir, this.sent[dir], payload, flags);
    this.sent[dir] += payload.length;
    return p;
  }

  /** Data at an explicit offset; does not move the direction's next offset. */
  at(dir: 'c2s' | 's2c', offset: number, payload: Uint8Array, flags = 0x18): Uint8Array {
    const other = dir === 'c2s' ? 's2c' : 'c2s';
    const seq = (this.isn[dir] + 1 + offset) >>> 0;
    const ack = (this.isn[other] + 1 + this.sent[other]) >>> 0;
    return this.raw(dir, flags, payload, seq, ack);
  }

  /** A pure ACK from `dir` acknowledging `ackOffset` bytes of the other direction. */
  ack(dir: 'c2s' | 's2c', ackOffset: number): Uint8Array {
    const other = dir === 'c2s' ? 's2c' : 'c2s';
    return this.raw(dir, 0x10, new Uint8Array(0), (this.isn[dir] + 1 + this.sent[dir]) >>> 0, (this.isn[other] + 1 + ackOffset) >>> 0);
  }

  fin(dir: 'c2s' | 's2c'): Uint8Array {
    const p = this.at(dir, this.sent[dir], new Uint8Array(0), 0x11);
    return p;
  }

  raw(dir: 'c2s' | 's2c', flags: number, payload: Uint8Array, seq: number, ack: number): Uint8Array {
    const [from, to] = dir === 'c2s' ? [this.client, this.server] : [this.server, this.client];
    return buildTcpFrame('raw', {
      src: parseIpAddress(from.ip),
      dst: parseIpAddress(to.ip),
      srcPort: from.port,
      dstPort: to.port,
      seq,
      ack,
      flags,
      window: 65535,
      ipId: 1,
      payload,
    });
  }
}

// --- MQTT bytes ------------------------------------------------------------------------------------------

export function mqtt(firstByte: number, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const len: number[] = [];
  let n = b.length;
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    len.push(x);
  } while (n > 0);
  return concat([Uint8Array.of(firstByte, ...len), b]);
}

function str(s: string): number[] {
  const e = new TextEncoder().encode(s);
  return [e.length >> 8, e.length & 0xff, ...e];
}

export function connect(clientId: string): Uint8Array {
  return mqtt(0x10, [...str('MQTT'), 4, 0x02, 0, 60, ...str(clientId)]);
}

export const CONNACK = mqtt(0x20, [0, 0]);
export const PINGREQ = mqtt(0xc0, []);
export const PINGRESP = mqtt(0xd0, []);

export function publish(topic: string, payload: Uint8Array | string, qos = 0, id = 1): Uint8Array {
  const p = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return mqtt(0x30 | (qos << 1), concat([Uint8Array.from(str(topic)), qos ? Uint8Array.of(id >> 8, id & 0xff) : new Uint8Array(0), p]));
}

/** Remaining length of a framed packet, for comparing with tshark's mqtt.len. */
export function remainingLength(packet: Uint8Array): number {
  let value = 0;
  let mul = 1;
  for (let i = 1; i < 5; i++) {
    value += (packet[i]! & 0x7f) * mul;
    if ((packet[i]! & 0x80) === 0) break;
    mul *= 128;
  }
  return value;
}
