import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, flag, u16 } from '../context.js';
import { FIELDS } from '../fields.js';
import { ref } from '../spec.js';

/** Packet identifiers are non-zero (3.1.1 MQTT-2.3.1-1, 5.0 MQTT-2.2.1-3). */
export function checkPacketId(ctx: Ctx, id: FieldNode): void {
  if (id.value === 0) flag(id, 'error', 'Packet Identifier 0 is not allowed: it must be non-zero', ref(ctx.version, 'MQTT-2.3.1-1', 'MQTT-2.2.1-3'));
}

/** Reads the Packet Identifier, notes it for summaries and rules, and checks it. */
export function packetId(ctx: Ctx, into: FieldNode[]): FieldNode {
  const id = u16(ctx, into, FIELDS.msgid);
  ctx.info.packetId = id.value as number;
  checkPacketId(ctx, id);
  return id;
}
