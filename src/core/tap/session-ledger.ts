// Whether a broker's CONNACK is right about sessions, which no single packet shows: it depends on the CONNECT
// it answers and on the earlier connections of the same client id. The tap sees every connection, so it keeps
// a ledger of the sessions a broker must be holding and returns a finding on the field of a CONNACK that departs
// from the specification, for any broker behind the tap (the embedded one is corrected, an upstream one may not
// be). The finding goes on the record (PacketRecord.findings), never into the dissector's tree.
//
// MQTT 3.1 and 3.1.1 only: there clean session 0 keeps a session with no end. In MQTT 5 a session's life
// depends on the session expiry interval, which CONNECT and DISCONNECT may each set, so it is not judged here.
import type { RecordFinding } from '../../shared/lab.js';
import type { FieldIssue, MqttVersion } from '../../shared/packet.js';
import type { PacketFacts } from './packet-facts.js';

/** What a connection's CONNECT asked for. */
export interface ConnectFacts {
  clientId: string;
  version: MqttVersion;
  clean: boolean;
}

export class SessionLedger {
  /** Client ids whose last accepted connection had clean session 0: the broker holds their session. */
  private readonly kept = new Set<string>();

  /** Checks the CONNACK answering `connect`, then learns from it; returns where the broker departs, if it does. */
  connack(connect: ConnectFacts, ack: PacketFacts): RecordFinding[] {
    const found: RecordFinding[] = [];
    if (connect.version === 5 || ack.info.reasonCode === undefined) return found;
    // In 3.1 and 3.1.1 a CONNACK's variable header is two bytes: flags (3.1: reserved), then the return code.
    const sp = ack.sessionPresent === undefined ? undefined : { filter: 'mqtt.conack.flags.sp', offset: ack.body, value: ack.sessionPresent };
    const code = { filter: 'mqtt.conack.val', offset: ack.body + 1 };
    const mark = (at: { filter: string; offset: number }, issue: FieldIssue) => found.push({ ...issue, filter: at.filter, offset: at.offset });
    const accepted = ack.info.reasonCode === 0;
    if (accepted && connect.clientId === '' && (connect.version === 3 || !connect.clean)) {
      mark(code, connect.version === 3
        ? { severity: 'error', message: 'The broker accepted an empty client id: MQTT 3.1 client ids are 1 to 23 characters, so it must answer return code 2 (identifier rejected)' }
        : { severity: 'error', message: 'The broker accepted a zero-length client id with clean session 0: it must answer return code 2 (identifier rejected) and close the connection', specRef: 'MQTT-3.1.3-8' });
    } else if (accepted && connect.version === 4 && sp !== undefined) {
      if (connect.clean && sp.value === true) {
        mark(sp, { severity: 'error', message: 'The client asked for a clean session, so session present must be 0', specRef: 'MQTT-3.2.2-1' });
      } else if (!connect.clean && sp.value === false && this.kept.has(connect.clientId)) {
        mark(sp, {
          severity: 'warning',
          message: `The broker should still hold the session of '${connect.clientId}' (its last accepted connection in this capture had clean session 0), so session present should be 1; 0 says the session was lost`,
          specRef: 'MQTT-3.2.2-2',
        });
      }
    }
    if (accepted && connect.clientId !== '') {
      if (connect.clean) this.kept.delete(connect.clientId);
      else this.kept.add(connect.clientId);
    }
    return found;
  }
}
