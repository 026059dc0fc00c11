// CONNECT (3.1.1 §3.1, 5.0 §3.1): protocol name and level, connect flags, keepalive, MQTT 5 properties,
// then the payload: client id, will (properties, topic, message), user name, password.
import type { FieldNode, MqttVersion } from '../../../shared/packet.js';
import { Ctx, bitChildren, flag, lengthPrefixed, u16, u8 } from '../context.js';
import { FIELDS } from '../fields.js';
import { countedPayload } from '../payload.js';
import { properties } from '../properties.js';
import { ref } from '../spec.js';
import { topicNameProblem } from '../topic-rules.js';

export function decodeConnect(ctx: Ctx, vh: FieldNode[], pl: FieldNode[]): void {
  const name = lengthPrefixed(ctx, vh, FIELDS.protoLen, FIELDS.protoName, 'utf8');
  const verNode = u8(ctx, vh, FIELDS.ver);
  const level = verNode.value as number;
  ctx.version = versionOf(level, name.text);
  checkProtocol(ctx, name.value, verNode, name.text, level);
  ctx.info.protocolVersion = level;

  const flagsNode = u8(ctx, vh, FIELDS.conflags);
  const f = flagsNode.value as number;
  const [user, pass, willRetain, willQos, will, clean, reserved] = bitChildren(flagsNode, f, [
    FIELDS.cfUser, FIELDS.cfPasswd, FIELDS.cfWillRetain, FIELDS.cfWillQos, FIELDS.cfWill,
    ctx.version === 5 ? FIELDS.cfCleanStart : FIELDS.cfClean, FIELDS.cfReserved,
  ]) as [FieldNode, FieldNode, FieldNode, FieldNode, FieldNode, FieldNode, FieldNode];
  checkFlags(ctx.version, { user, pass, willRetain, willQos, will, reserved });
  ctx.info.cleanStart = clean.value === true;

  const ka = u16(ctx, vh, FIELDS.kalive);
  ka.display = ka.value === 0 ? '0 (keepalive off)' : `${ka.value} s`;
  ctx.info.keepalive = ka.value as number;

  if (ctx.version === 5) properties(ctx, vh, 1);

  const id = lengthPrefixed(ctx, pl, FIELDS.clientIdLen, FIELDS.clientId, 'utf8');
  ctx.info.clientId = id.text;
  if (id.text.length === 0 && clean.value !== true && ctx.version === 4) {
    flag(id.value, 'warning', 'An empty Client ID needs Clean Session 1; the server must refuse it otherwise', 'MQTT-3.1.3-7');
  }
  if (ctx.version === 3 && (id.text.length === 0 || id.text.length > 23)) {
    flag(id.value, 'warning', 'MQTT 3.1 requires a Client ID of 1 to 23 characters', '§3.1 (MQTT 3.1)');
  }

  if (will.value === true) {
    if (ctx.version === 5) properties(ctx, pl, 'will');
    const topic = lengthPrefixed(ctx, pl, FIELDS.willTopicLen, FIELDS.willTopic, 'utf8');
    const problem = topicNameProblem(topic.text);
    if (problem !== null) flag(topic.text.length === 0 ? topic.len : topic.value, 'error', `Will Topic: ${problem}`, ref(ctx.version, 'MQTT-3.1.3-10', 'MQTT-3.1.3-11'));
    countedPayload(ctx, pl, FIELDS.willMsgLen, FIELDS.willMsg);
  }
  if (user.value === true) {
    if (ctx.left === 0) flag(user, 'error', 'User Name Flag is set but the packet ends before a user name', ref(ctx.version, 'MQTT-3.1.2-19', 'MQTT-3.1.2-17'));
    else lengthPrefixed(ctx, pl, FIELDS.usernameLen, FIELDS.username, 'utf8');
  }
  if (pass.value === true) {
    if (ctx.left === 0) flag(pass, 'error', 'Password Flag is set but the packet ends before a password', ref(ctx.version, 'MQTT-3.1.2-21', 'MQTT-3.1.2-19'));
    // Binary data in 3.1.1 and 5.0, but shown as text when it is: the lesson on security shows it in cleartext.
    else countedPayload(ctx, pl, FIELDS.passwdLen, FIELDS.passwd);
  }
}

function versionOf(level: number, name: string): MqttVersion {
  if (level === 5) return 5;
  if (level === 3 || name === 'MQIsdp') return 3;
  return 4;
}

function checkProtocol(ctx: Ctx, nameNode: FieldNode, verNode: FieldNode, name: string, level: number): void {
  const expected = level === 3 ? 'MQIsdp' : 'MQTT';
  if (level !== 3 && level !== 4 && level !== 5) {
    flag(verNode, 'error', `Protocol level ${level} is unknown: 3 (MQTT 3.1), 4 (3.1.1) and 5 (5.0) exist`, ref(ctx.version, 'MQTT-3.1.2-2'));
  }
  if (name !== expected && (level === 3 || level === 4 || level === 5)) {
    flag(nameNode, 'error', `Protocol name must be '${expected}' for level ${level}, not '${name}'`, 'MQTT-3.1.2-1');
  }
}

interface ConnectFlagNodes { user: FieldNode; pass: FieldNode; willRetain: FieldNode; willQos: FieldNode; will: FieldNode; reserved: FieldNode }

function checkFlags(v: MqttVersion, n: ConnectFlagNodes): void {
  if (n.reserved.value === true) flag(n.reserved, 'error', 'The reserved Connect Flag bit must be 0', 'MQTT-3.1.2-3');
  if (n.will.value !== true) {
    if (n.willQos.value !== 0) flag(n.willQos, 'error', 'Will QoS must be 0 when the Will Flag is 0', ref(v, 'MQTT-3.1.2-13', 'MQTT-3.1.2-11'));
    if (n.willRetain.value === true) flag(n.willRetain, 'error', 'Will Retain must be 0 when the Will Flag is 0', ref(v, 'MQTT-3.1.2-15', 'MQTT-3.1.2-13'));
  } else if (n.willQos.value === 3) {
    flag(n.willQos, 'error', 'Will QoS 3 is not allowed', ref(v, 'MQTT-3.1.2-14', 'MQTT-3.1.2-12'));
  }
  if (v !== 5 && n.pass.value === true && n.user.value !== true) {
    flag(n.pass, 'error', 'Password Flag must be 0 when the User Name Flag is 0 in MQTT 3.1.1', 'MQTT-3.1.2-22');
  }
}
