// Raw MQTT 3.1.1 clients for bench/tap: a publisher and a subscriber on plain sockets, so that the clients
// cost little and the same whichever way their packets go, and the rounds that drive them.
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { Framer } from '../../src/core/frame/index.js';

export type Qos = 0 | 1 | 2;

export const gen = (p: Record<string, unknown>): Buffer => mqttPacket.generate(p as unknown as mqttPacket.Packet);
const now = (): number => performance.now();

/** A raw connection: every whole packet from the peer goes to `onPacket`. */
interface Conn { socket: Socket; onPacket: (p: Uint8Array) => void; close(): Promise<void> }

async function open(port: number, clientId: string): Promise<Conn> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const framer = new Framer();
  let connack: () => void = () => undefined;
  const conn: Conn = {
    socket,
    onPacket: () => connack(),
    close: () => new Promise((resolve) => {
      if (socket.destroyed) return resolve();
      socket.once('close', () => resolve());
      socket.end(gen({ cmd: 'disconnect' }));
    }),
  };
  socket.on('data', (chunk: Buffer) => {
    // Replies written while handling one chunk (acknowledgements) go out together.
    socket.cork();
    for (const ev of framer.push(chunk)) if (ev.kind === 'packet') conn.onPacket(ev.bytes);
    socket.uncork();
  });
  await new Promise<void>((resolve, reject) => {
    connack = resolve;
    socket.once('error', reject);
    socket.write(gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 }));
  });
  return conn;
}

async function subscribed(port: number, clientId: string, filter: string, qos: Qos): Promise<Conn> {
  const c = await open(port, clientId);
  await new Promise<void>((resolve) => {
    c.onPacket = () => resolve();
    c.socket.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos }] }));
  });
  return c;
}

/** Where the packet id of a PUBLISH with QoS > 0 sits: after the Remaining Length and the topic. */
function idOffset(p: Uint8Array): number {
  let i = 1;
  while (p[i]! & 0x80) i++;
  i++;
  return i + 2 + ((p[i]! << 8) | p[i + 1]!);
}

const ack = (type: number, hi: number, lo: number): Buffer => Buffer.from([type, 0x02, hi, lo]);

/**
 * `n` publishes of `size` bytes from one publisher to one subscriber at `qos` (both sides acknowledge as
 * the QoS asks); messages/s. At most `window` messages are in flight (sent, not yet at the subscriber or,
 * for QoS > 0, not yet completed at the publisher), as a client's in-flight limit would keep them: this
 * keeps every broker inside its queue limits (mosquitto's 1000 queued messages), so none is dropped.
 */
export async function throughput(port: number, qos: Qos, size: number, n: number, tag: string): Promise<number> {
  const sub = await subscribed(port, `sub-${tag}`, 'bench/#', qos);
  const pub = await open(port, `pub-${tag}`);
  // QoS 2: no more than mosquitto's 20 in flight per client; queued QoS 2 messages beyond them were not
  // sent on after PUBCOMP (mosquitto 2.0 here: the subscriber stalled at 20), and a window that never
  // queues measures the relay, not that.
  const window = qos === 0 ? 500 : qos === 1 ? 100 : 20;
  // One packet per in-flight slot, built once: message m goes in slot m % window (packet id slot + 1), and
  // at most `window` are in flight, so ids are unique among them. Before, each refill copied the messages
  // into a fresh buffer: at 4 kB that is fresh memory (a page fault per message on this kind of virtual
  // machine) on the clients' side, which made direct QoS 0 at 4 kB slower than QoS 1.
  const slots = Array.from({ length: window }, (_, k) =>
    gen({ cmd: 'publish', topic: 'bench/t', payload: Buffer.alloc(size, 0x78), qos, messageId: qos === 0 ? undefined : k + 1, dup: false, retain: false }));
  let sent = 0;
  let received = 0;
  let completed = 0;
  let progress = now();
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const pump = (): void => {
    const outstanding = sent - (qos === 0 ? received : Math.min(received, completed));
    const room = Math.min(n - sent, window - outstanding);
    // Refill in batches: one write per quarter window rather than one per acknowledgement.
    if (room <= 0 || (room < window / 4 && sent + room < n)) return;
    pub.socket.cork();
    for (let k = 0; k < room; k++) pub.socket.write(slots[(sent + k) % window]!);
    pub.socket.uncork();
    sent += room;
  };
  const check = (): void => {
    progress = now();
    if (received >= n && (qos === 0 || completed >= n)) finish();
    else pump();
  };
  sub.onPacket = (p) => {
    const type = p[0]! >> 4;
    if (type === 3) {
      received++;
      if (qos !== 0) {
        const at = idOffset(p);
        sub.socket.write(ack(qos === 1 ? 0x40 : 0x50, p[at]!, p[at + 1]!));
      }
      check();
    } else if (type === 6) {
      sub.socket.write(ack(0x70, p[2]!, p[3]!)); // PUBREL → PUBCOMP
    }
  };
  pub.onPacket = (p) => {
    const type = p[0]! >> 4;
    if (type === 5) pub.socket.write(ack(0x62, p[2]!, p[3]!)); // PUBREC → PUBREL
    else if (type === 4 || type === 7) {
      completed++;
      check();
    }
  };
  const t0 = now();
  pump();
  const watchdog = setInterval(() => {
    if (now() - progress > 5000) finish();
  }, 500);
  await done;
  clearInterval(watchdog);
  const elapsed = now() - t0;
  await Promise.all([pub.close(), sub.close()]);
  if (received < n || (qos !== 0 && completed < n)) {
    throw new Error(`${tag}: stalled at ${received}/${n} received, ${completed} completed`);
  }
  return n / (elapsed / 1000);
}

/** Round trips of single QoS 0 publishes from one connection to a subscriber on another, in ms. */
export async function latencies(port: number, size: number, samples: number, tag: string): Promise<number[]> {
  const sub = await subscribed(port, `lsub-${tag}`, 'lat/#', 0);
  const pub = await open(port, `lpub-${tag}`);
  const msg = gen({ cmd: 'publish', topic: 'lat/t', payload: Buffer.alloc(size, 0x79), qos: 0, dup: false, retain: false });
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const arrived = new Promise<void>((r) => (sub.onPacket = () => r()));
    const t0 = now();
    pub.socket.write(msg);
    await arrived;
    out.push(now() - t0);
  }
  await Promise.all([pub.close(), sub.close()]);
  return out;
}

/** Paced QoS 0 publishing at `rate` messages/s for `ms`; true when the subscriber kept up with every one. */
export async function keepsUp(port: number, size: number, rate: number, ms: number, tag: string): Promise<boolean> {
  const sub = await subscribed(port, `ssub-${tag}`, 'sus/#', 0);
  const pub = await open(port, `spub-${tag}`);
  let received = 0;
  sub.onPacket = () => received++;
  const msg = gen({ cmd: 'publish', topic: 'sus/t', payload: Buffer.alloc(size, 0x7a), qos: 0, dup: false, retain: false });
  let sent = 0;
  let blocked = false;
  const t0 = now();
  while (now() - t0 < ms) {
    const due = Math.floor(((now() - t0) / 1000) * rate);
    if (due > sent) {
      const k = Math.min(due - sent, 5000);
      if (!pub.socket.write(Buffer.concat(Array.from({ length: k }, () => msg)))) blocked = true;
      sent += k;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  // Kept up: everything sent arrived within 250 ms of the end, and the publisher's socket never filled.
  const deadline = now() + 250;
  while (received < sent && now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const ok = received === sent && !blocked;
  await Promise.all([pub.close(), sub.close()]);
  return ok;
}
