import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, flag } from '../context.js';
import { ref } from '../spec.js';

/** Packet identifiers are non-zero (3.1.1 MQTT-2.3.1-1, 5.0 MQTT-2.2.1-3). */
export function checkPacketId(ctx: Ctx, id: FieldNode): void {
  if (id.value === 0) flag(id, 'error', 'Packet Identifier 0 is not allowed: it must be non-zero', ref(ctx.version, 'MQTT-2.3.1-1', 'MQTT-2.2.1-3'));
}
