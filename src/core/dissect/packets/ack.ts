// PUBACK, PUBREC, PUBREL, PUBCOMP (3.1.1 §3.4-3.7, 5.0 §3.4-3.7): packet id; in MQTT 5 an optional
// reason code and properties, both omitted when the reason is Success and there are none.
import type { FieldNode } from '../../../shared/packet.js';
import type { Ctx } from '../context.js';
import { properties } from '../properties.js';
import { packetId } from './packet-id.js';
import { reasonCode } from './reason-code.js';

export function decodeAck(ctx: Ctx, vh: FieldNode[]): void {
  packetId(ctx, vh);
  if (ctx.version !== 5) return;
  if (ctx.left > 0) reasonCode(ctx, vh);
  if (ctx.left > 0) properties(ctx, vh, ctx.typeCode);
}
