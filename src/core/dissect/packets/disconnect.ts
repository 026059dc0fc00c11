// DISCONNECT and AUTH in MQTT 5 (§3.14, §3.15): an optional reason code and properties. In 3.1.1
// DISCONNECT has no variable header, and AUTH does not exist (flagged by the fixed header).
import type { FieldNode } from '../../../shared/packet.js';
import { Ctx } from '../context.js';
import { properties } from '../properties.js';
import { reasonCode } from './reason-code.js';

export function decodeDisconnectOrAuth(ctx: Ctx, vh: FieldNode[]): void {
  if (ctx.version !== 5) return;
  if (ctx.left > 0) reasonCode(ctx, vh);
  if (ctx.left > 0) properties(ctx, vh, ctx.typeCode);
}
