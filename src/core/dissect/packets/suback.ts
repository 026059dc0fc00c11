// SUBACK and UNSUBACK (3.1.1 §3.9/§3.11, 5.0 §3.9/§3.11): packet id, MQTT 5 properties, then one return or
// reason code per topic filter of the request (UNSUBACK has none before MQTT 5).
import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, flag, u8 } from '../context.js';
import { FIELDS } from '../fields.js';
import { properties } from '../properties.js';
import { packetId } from './packet-id.js';
import { reasonCode } from './reason-code.js';

export function decodeSuback(ctx: Ctx, vh: FieldNode[], pl: FieldNode[], lenNode: FieldNode): void {
  const suback = ctx.typeCode === 9;
  packetId(ctx, vh);
  if (ctx.version === 5) properties(ctx, vh, ctx.typeCode);
  else if (!suback) return;
  if (ctx.left === 0) {
    flag(lenNode, 'error', `A ${suback ? 'SUBACK' : 'UNSUBACK'} must carry one code per topic filter of the request`,
      suback ? 'MQTT-3.9.3-1' : 'MQTT-3.11.3-1');
  }
  while (ctx.left > 0) {
    if (ctx.version === 5) {
      reasonCode(ctx, pl);
      continue;
    }
    const n = u8(ctx, pl, FIELDS.subackQos);
    const v = n.value as number;
    ctx.info.reasonCode ??= v;
    if (v > 2 && v !== 0x80) flag(n, 'error', `Return code ${v} is not allowed: 0, 1, 2 or 128 (Failure)`, 'MQTT-3.9.3-2');
  }
}
