// SUBSCRIBE and UNSUBSCRIBE (3.1.1 §3.8/§3.10, 5.0 §3.8/§3.10): packet id, MQTT 5 properties, then
// topic filters (with requested QoS or subscription options for SUBSCRIBE).
import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, bitChildren, flag, lengthPrefixed, u8 } from '../context.js';
import { FIELDS } from '../fields.js';
import { properties } from '../properties.js';
import { ref } from '../spec.js';
import { topicFilterProblem } from '../topic-rules.js';
import { packetId } from './packet-id.js';

export function decodeSubscribe(ctx: Ctx, vh: FieldNode[], pl: FieldNode[], lenNode: FieldNode): void {
  const subscribe = ctx.typeCode === 8;
  packetId(ctx, vh);
  if (ctx.version === 5) properties(ctx, vh, ctx.typeCode);
  const topics: string[] = [];
  ctx.info.topics = topics;
  if (ctx.left === 0) {
    flag(lenNode, 'error', `A ${subscribe ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} must contain at least one topic filter`,
      subscribe ? ref(ctx.version, 'MQTT-3.8.3-3', 'MQTT-3.8.3-2') : 'MQTT-3.10.3-2');
  }
  while (ctx.left > 0) {
    const filter = lengthPrefixed(ctx, pl, FIELDS.topicLen, FIELDS.topic, 'utf8');
    topics.push(filter.text);
    const problem = topicFilterProblem(filter.text);
    if (problem !== null) {
      const empty = filter.text.length === 0;
      flag(empty ? filter.len : filter.value, 'error', `Topic filter: ${problem}`,
        empty ? ref(ctx.version, 'MQTT-4.7.3-1') : ref(ctx.version, problem.startsWith("'#'") ? 'MQTT-4.7.1-2' : 'MQTT-4.7.1-3',
          problem.startsWith("'#'") ? 'MQTT-4.7.1-1' : 'MQTT-4.7.1-2'));
    }
    if (!subscribe) continue;
    // The highest QoS asked for stands for the packet when lessons and fault rules match on `qos`.
    const qos = ctx.version === 5 ? options(ctx, pl) : requestedQos(ctx, pl);
    ctx.info.qos = Math.max(ctx.info.qos ?? 0, qos);
  }
}

function requestedQos(ctx: Ctx, pl: FieldNode[]): number {
  const n = u8(ctx, pl, FIELDS.subQos);
  const v = n.value as number;
  if (v > 2) {
    flag(n, 'error', v > 3 ? 'The upper 6 bits of the Requested QoS byte are reserved and must be 0' : 'Requested QoS 3 is not allowed',
      'MQTT-3.8.3-4');
  }
  return v & 3;
}

function options(ctx: Ctx, pl: FieldNode[]): number {
  const n = u8(ctx, pl, FIELDS.subOptions);
  const v = n.value as number;
  const [reserved, rh, , , qos] = bitChildren(n, v, [FIELDS.subOptReserved, FIELDS.subOptRetain,
    FIELDS.subOptRap, FIELDS.subOptNl, FIELDS.subOptQos]);
  if (reserved!.value !== 0) flag(reserved!, 'error', 'Bits 7 and 6 of the Subscription Options are reserved and must be 0', 'MQTT-3.8.3-5');
  if (rh!.value === 3) flag(rh!, 'error', 'Retain Handling 3 is reserved: a Protocol Error', '§3.8.3.1');
  if (qos!.value === 3) flag(qos!, 'error', 'Maximum QoS 3 is not allowed: a Malformed Packet', '§3.8.3.1');
  return v & 3;
}
