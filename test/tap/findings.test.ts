// Rules about a connection that no single packet breaks: the tap sees the whole conversation, so it flags
// the packet that broke the rule in the record's own findings (the dissector's tree stays the dissector's),
// and its summary line marks it like any malformed packet.
import { generate } from 'mqtt-packet';
import { afterEach, expect, it } from 'vitest';
import { recordIssues, recordSummary } from '../../src/shared/record-issues.js';
import { of, startRig, until, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const CONNECT = (clientId: string): Uint8Array =>
  generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });

/** CONNECT, MQTT 3.1.1, no flags (clean session 0), keepalive 0, a zero-length client id. */
const EMPTY_ID_PERSISTENT = new Uint8Array([
  0x10, 0x0c, // CONNECT, remaining length 12
  0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, // "MQTT"
  0x04, // protocol level 4 (3.1.1)
  0x00, // connect flags: clean session 0
  0x00, 0x00, // keepalive 0
  0x00, 0x00, // client id: zero bytes
]);

it('the embedded broker refuses an empty client id with clean session 0, and the tap leaves it unflagged (MQTT-3.1.3-8)', async () => {
  rig = await startRig();
  const c = await rig.raw();
  await c.send(EMPTY_ID_PERSISTENT);
  const connack = await until(() => of(rig!.records, 1, 'toClient')[0], 'the CONNACK');
  // The lab corrects aedes 1.x here (see aedes-sessions.ts); plain aedes is flagged in broker-departures.test.ts.
  expect(connack.decoded.info.reasonCode).toBe(2);
  expect(connack.decoded.issues).toEqual([]);
});

it('a second CONNECT is flagged and does not re-open the connection', async () => {
  rig = await startRig();
  const c = await rig.raw();
  await c.send(CONNECT('twice'));
  await c.next();
  await c.send(CONNECT('other'));
  const second = await until(() => of(rig!.records, 1, 'toBroker')[1], 'the second CONNECT');
  expect(second.findings).toEqual([expect.objectContaining({ severity: 'error', specRef: 'MQTT-3.1.0-2', filter: 'mqtt.fixed_header', offset: 0 })]);
  expect(second.decoded.issues).toEqual([]);
  expect(recordIssues(second)).toEqual(second.findings);
  expect(recordSummary(second)).toMatch(/^CONNECT \(.*'other'\) \[malformed: A second CONNECT/);
  await until(() => rig!.conn(1)?.state === 'closed', 'the broker to close');
  // The connection keeps the identity of its first CONNECT and is announced connected once.
  expect(rig.conn(1)?.clientId).toBe('twice');
  expect(rig.connEvents.filter((e) => e.connId === 1 && e.state === 'connected')).toHaveLength(1);
  expect(rig.conn(1)?.ended).toBe('protocol-error');
});

it('a PUBLISH before CONNECT is flagged (MQTT-3.1.0-1)', async () => {
  rig = await startRig();
  const c = await rig.raw();
  await c.send(generate({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 0, dup: false, retain: false }));
  const rec = await until(() => of(rig!.records, 1, 'toBroker')[0], 'the PUBLISH');
  expect(rec.findings).toEqual([expect.objectContaining({ severity: 'error', specRef: 'MQTT-3.1.0-1' })]);
  expect(rec.decoded.issues).toEqual([]);
  expect(recordSummary(rec)).toMatch(/^PUBLISH \(.*\) \[malformed: PUBLISH before CONNECT/);
});
