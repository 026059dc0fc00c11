// Hand-made byte sequences for the oracle capture: packet shapes and fields that real clients produce
// only by chance (segment splits, DUP, reason codes on acknowledgements, every CONNACK property).
import { packet, props, rawMqtt, str, u16, u32, type RawMqtt } from '../peers/raw-mqtt.js';

const PINGREQ = packet(0xc0, []);
const CONNECT_V5 = (clientId: string): Uint8Array =>
  packet(0x10, [...str('MQTT'), 5, 0x02, ...u16(30), ...props([0x11, ...u32(0)], [0x21, ...u16(16)]), ...str(clientId)]);
const reasonString = (s: string): number[] => [0x1f, ...str(s)];

/** Reads packets in arrival order but hands them out by type, since the broker interleaves its replies. */
class Inbox {
  private readonly backlog: Uint8Array[] = [];
  constructor(private readonly c: RawMqtt) {}

  async take(type: number): Promise<Uint8Array> {
    for (;;) {
      const i = this.backlog.findIndex((p) => p[0]! >> 4 === type);
      if (i >= 0) return this.backlog.splice(i, 1)[0]!;
      this.backlog.push(await this.c.next());
    }
  }
}

/** Packet identifier of a PUBLISH with QoS > 0 (MQTT 5: after the topic). */
function publishId(p: Uint8Array): number {
  let i = 1;
  while (p[i]! & 0x80) i++;
  const topicLen = (p[i + 1]! << 8) | p[i + 2]!;
  const at = i + 3 + topicLen;
  return (p[at]! << 8) | p[at + 1]!;
}

/** Everything on one MQTT 5 connection, in the order a lesson would explain it. */
export async function rawSession(port: number): Promise<void> {
  await flows(port);
  await serverPropertiesFromClient(port);
}

/**
 * No split falls inside the Remaining Length: when its bytes arrive in two segments, tshark 4.0 shows
 * the first as Malformed and misreads the rest of the stream (observed), so that would only test tshark.
 * Splits right after the first byte, or right after the Remaining Length, it reassembles correctly.
 */
async function flows(port: number): Promise<void> {
  const c = await rawMqtt(port);
  const inbox = new Inbox(c);
  try {
    await c.send(CONNECT_V5('raw-5'));
    await inbox.take(2);

    // DUP=1 on QoS 1: what a client sends when it retransmits after reconnecting.
    await c.send(packet(0x3a, [...str('lab/raw/dup'), ...u16(7), ...props(), ...Buffer.from('again')]));
    await inbox.take(4);

    // One PUBLISH over two segments, then (in the second segment) a PINGREQ and the head of another
    // PUBLISH whose body arrives in two more segments: tshark reassembles both publishes.
    const body = Buffer.alloc(300, 'A');
    const big = packet(0x30, [...str('lab/raw/split'), ...props([0x01, 0x00]), ...body]);
    const big2 = packet(0x32, [...str('lab/raw/split'), ...u16(8), ...props([0x02, ...u32(30)]), ...body]);
    await c.send(big.subarray(0, 100));
    await c.send(Buffer.concat([big.subarray(100), PINGREQ, big2.subarray(0, 40)]));
    await c.send(big2.subarray(40, 60));
    await c.send(big2.subarray(60));
    await inbox.take(13);
    await inbox.take(4);

    // A segment that ends with the first byte of the next packet.
    const small = packet(0x30, [...str('lab/raw/split'), ...props(), ...Buffer.from('tail')]);
    await c.send(Buffer.concat([PINGREQ, small.subarray(0, 1)]));
    await c.send(small.subarray(1));
    await inbox.take(13);

    // Several packets in one segment. Options 0x2e: QoS 2, no-local, retain-as-published, handling 2.
    const subscribe = packet(0x82, [...u16(9), ...props([0x0b, 0x03]), ...str('lab/raw/#'), 0x2e]);
    const unsubscribe = packet(0xa2, [...u16(10), ...props(), ...str('lab/raw/#')]);
    await c.send(Buffer.concat([subscribe, PINGREQ, unsubscribe]));
    await inbox.take(9);
    await inbox.take(13);
    await inbox.take(11);

    // A PUBREL for an identifier the broker never saw: PUBCOMP with reason 0x92.
    await c.send(packet(0x62, [...u16(77)]));
    await inbox.take(7);

    // Acknowledgements with reason codes and properties, from this client to the broker.
    await c.send(packet(0x82, [...u16(11), ...props(), ...str('lab/raw/echo'), 0x02]));
    await inbox.take(9);
    await c.send(packet(0x32, [...str('lab/raw/echo'), ...u16(12), ...props(), ...Buffer.from('q1')]));
    await inbox.take(4);
    const q1 = await inbox.take(3);
    await c.send(packet(0x40, [...u16(publishId(q1)), 0x10, ...props(reasonString('seen, not used'))]));
    await c.send(packet(0x34, [...str('lab/raw/echo'), ...u16(13), ...props(), ...Buffer.from('q2')]));
    await inbox.take(5);
    await c.send(packet(0x62, [...u16(13)]));
    await inbox.take(7);
    const q2 = await inbox.take(3);
    await c.send(packet(0x50, [...u16(publishId(q2)), 0x10, ...props(reasonString('no one here'))]));
    await inbox.take(6);
    await c.send(packet(0x70, [...u16(publishId(q2)), 0x00, ...props(reasonString('done'))]));
    await c.send(packet(0xe0, [0x04, ...props(reasonString('leaving'))]));
    await c.closed();
  } finally {
    await c.close();
  }
}

/**
 * mosquitto sends only the CONNACK properties its configuration calls for, so a second connection
 * plays the server's part: after its CONNECT it sends a CONNACK carrying every CONNACK property
 * (the broker rejects that as a protocol error, but tshark decodes it like any CONNACK), and an AUTH.
 */
async function serverPropertiesFromClient(port: number): Promise<void> {
  const c = await rawMqtt(port);
  try {
    await c.send(CONNECT_V5('raw-5-server-props'));
    const connack = packet(0x20, [
      0x01,
      0x00,
      ...props(
        [0x11, ...u32(3600)],
        [0x21, ...u16(20)],
        [0x24, 0x01],
        [0x25, 0x00],
        [0x27, ...u32(1 << 20)],
        [0x12, ...str('assigned-by-server')],
        [0x22, ...u16(10)],
        reasonString('welcome'),
        [0x26, ...str('k'), ...str('v')],
        [0x28, 0x01],
        [0x29, 0x00],
        [0x2a, 0x01],
        [0x13, ...u16(120)],
        [0x1a, ...str('lab/response/')],
        [0x1c, ...str('other.example:1883')],
        [0x15, ...str('SCRAM-SHA-1')],
        [0x16, ...u16(3), 9, 8, 7],
      ),
    ]);
    // AUTH with method and data; mosquitto has no method for this client either.
    const auth = packet(0xf0, [0x19, ...props([0x15, ...str('SCRAM-SHA-1')], [0x16, ...u16(4), 1, 2, 3, 4])]);
    await c.send(Buffer.concat([connack, auth]));
    await c.closed();
  } finally {
    await c.close();
  }
}
