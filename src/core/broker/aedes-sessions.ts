// Two places where aedes 1.2 departs from MQTT 3.1.1 about sessions, corrected through its own hooks so that
// the embedded broker answers as the specification says (checked against mosquitto in the tests):
//
// - Session present. aedes sets it from the stored subscriptions alone, so a client that kept a session with
//   no subscription (a publisher with clean session 0, as in the QoS lesson) reads 0 on every reconnect. The
//   existence of a session is session state even when the rest of it is empty (3.1.1 §3.1.2.4), and a server
//   that has session state for the client id MUST answer session present 1 [MQTT-3.2.2-2].
// - A zero-length client id with clean session 0. aedes makes up an id and accepts; the server MUST answer
//   CONNACK return code 2 (identifier rejected) and close the connection [MQTT-3.1.3-8]. MQTT 3.1 wants 1 to
//   23 characters whatever the clean flag, so there an empty id is refused the same way.
import type { Client, ConnectPacket } from 'aedes';

type Writable = Client['conn'];
type Write = Writable['write'];

export class AedesSessions {
  /** Client ids whose session the broker keeps now: the last accepted connection had clean session 0. */
  private readonly kept = new Set<string>();
  private readonly refused = new WeakSet<Client>();

  /** aedes' preConnect hook: sees the CONNECT as sent, before aedes replaces an empty client id. */
  preConnect = (client: Client, packet: ConnectPacket, done: (error: Error | null, success: boolean) => void): void => {
    const id = packet.clientId;
    if (id === '' && (packet.protocolVersion === 3 || packet.clean === false)) this.refused.add(client);
    else if (packet.clean === false && this.kept.has(id)) setSessionPresentOnConnack(client.conn);
    done(null, true);
  };

  /** Whether authenticate must refuse this client with return code 2 (see preConnect). */
  mustRefuse(client: Client): boolean {
    return this.refused.has(client);
  }

  /** An accepted connection: clean session 0 keeps the session, clean session 1 discards it [MQTT-3.1.2-6]. */
  accepted(client: Client): void {
    if (client.clean) this.kept.delete(client.id);
    else this.kept.add(client.id);
  }
}

/**
 * aedes writes its CONNACK as the first bytes of the connection, in four writes (mqtt-packet writes the
 * header, the length, the flags and the return code one at a time). Collect those four bytes and set the
 * session present bit when the connection is accepted; a refusal keeps 0 [MQTT-3.2.2-4]. Every later write
 * goes straight through.
 */
function setSessionPresentOnConnack(conn: Writable): void {
  const original: Write = conn.write;
  const parts: Buffer[] = [];
  let size = 0;
  conn.write = function collect(this: Writable, chunk: unknown, ...rest: unknown[]): boolean {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    parts.push(b);
    size += b.length;
    if (size < 4) return true;
    conn.write = original;
    const bytes = Buffer.concat(parts);
    if (bytes[0] === 0x20 && bytes[1] === 0x02 && bytes[3] === 0x00) bytes[2] = 0x01;
    return (original as (this: Writable, c: Buffer, ...r: unknown[]) => boolean).call(conn, bytes, ...rest);
  } as Write;
}
