// The client side of an MQTT session: the QoS 1/2 PUBLISH and PUBREL packets that are not yet acknowledged
// (outgoing), and the QoS 2 packet ids received but not yet released (incoming).
//
// mqtt.js keeps these in an IStore. Its default Store empties itself when the client ends, and on reconnect
// mqtt.js re-sends what the store holds exactly as stored, DUP=0. This store outlives connections (close() is
// a no-op; the manager clears it when the session is discarded) and hands the PUBLISH packets out for
// re-sending with DUP=1, as [MQTT-3.3.1-1] requires of a re-delivery and MQTT-4.4.0-1 of a resumed session.
// PUBREL is re-sent unchanged: its flags are fixed [MQTT-3.6.1-1].
import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';
import type { Packet } from 'mqtt-packet';

type StoreCallback = (error?: Error, packet?: Packet) => void;

export class SessionStore implements IStore {
  private readonly packets = new Map<number, Packet>();

  get size(): number {
    return this.packets.size;
  }

  put(packet: Packet, cb?: (error?: Error) => void): this {
    if (packet.messageId !== undefined) this.packets.set(packet.messageId, packet);
    cb?.();
    return this;
  }

  /**
   * Read by mqtt.js only after a CONNACK, to re-send the session's packets. Every stored PUBLISH has been
   * written at least once: the manager refuses to publish while the client is not connected.
   */
  createStream(): ReturnType<IStore['createStream']> {
    const queue = [...this.packets.values()].map(asResend);
    const stream = new Readable({
      objectMode: true,
      read() {
        this.push(queue.shift() ?? null);
      },
    });
    // mqtt.js declares readable-stream's Readable; node's has the same surface mqtt.js uses (read, events, destroy).
    return stream as unknown as ReturnType<IStore['createStream']>;
  }

  del(packet: { messageId?: number }, cb: StoreCallback): this {
    const found = packet.messageId === undefined ? undefined : this.packets.get(packet.messageId);
    if (found === undefined) {
      cb(new Error('missing packet'));
    } else {
      this.packets.delete(found.messageId as number);
      cb(undefined, found);
    }
    return this;
  }

  get(packet: { messageId?: number }, cb: StoreCallback): this {
    const found = packet.messageId === undefined ? undefined : this.packets.get(packet.messageId);
    if (found === undefined) cb(new Error('missing packet'));
    else cb(undefined, found);
    return this;
  }

  /** The session outlives the connection; see clear(). */
  close(cb?: (error?: Error) => void): void {
    cb?.();
  }

  clear(): void {
    this.packets.clear();
  }
}

function asResend(packet: Packet): Packet {
  return packet.cmd === 'publish' ? { ...packet, dup: true } : packet;
}
