// PUBLISH (3.1.1 §3.3, 5.0 §3.3): topic, packet id when QoS > 0, MQTT 5 properties, then the message.
import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, flag, lengthPrefixed, node } from '../context.js';
import { FIELDS } from '../fields.js';
import { payloadNode } from '../payload.js';
import { properties } from '../properties.js';
import { ref } from '../spec.js';
import { packetId } from './packet-id.js';

export function decodePublish(ctx: Ctx, vh: FieldNode[], pl: FieldNode[]): void {
  const qos = (ctx.flags >> 1) & 3;
  ctx.info.qos = qos;
  ctx.info.dup = (ctx.flags & 8) !== 0;
  ctx.info.retain = (ctx.flags & 1) !== 0;
  const topic = lengthPrefixed(ctx, vh, FIELDS.topicLen, FIELDS.topic, 'utf8');
  ctx.info.topic = topic.text;
  if (topic.text.includes('+') || topic.text.includes('#')) {
    flag(topic.value, 'error', 'A topic name must not contain the wildcards + or #', 'MQTT-3.3.2-2');
  }
  // Wireshark reads a packet id whenever a QoS bit is set, QoS 3 included; so do we.
  if (qos !== 0) {
    packetId(ctx, vh);
  }
  let alias: number | undefined;
  if (ctx.version === 5) alias = properties(ctx, vh, 3).get(0x23)?.[0] as number | undefined;
  if (topic.text.length === 0 && alias !== undefined) {
    // The topic comes from an earlier PUBLISH of this connection that set the alias; like Wireshark, a
    // zero-length node marks where it applies (a single packet cannot know the name).
    vh.push(node(FIELDS.topic, ctx.pos, 0, undefined, `(the topic set earlier for Topic Alias ${alias})`));
  }
  if (topic.text.length === 0 && alias === undefined) {
    flag(topic.len, 'error', 'The topic name is empty: it must be at least one character long' +
      (ctx.version === 5 ? ' unless a Topic Alias is given' : ''), ref(ctx.version, 'MQTT-4.7.3-1', 'MQTT-3.3.2-1'));
  }
  pl.push(payloadNode(FIELDS.msg, ctx.buf, ctx.pos, ctx.end));
  ctx.info.payloadLength = ctx.end - ctx.pos;
  ctx.pos = ctx.end;
}
