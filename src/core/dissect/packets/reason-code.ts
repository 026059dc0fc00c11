// MQTT 5 reason codes: one byte named per packet type (MQTT 5.0 §2.4).
import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, flag, u8 } from '../context.js';
import { REASON_CODE_FIELDS } from '../fields.js';
import { PACKET_TYPES, REASON_CODES_V5 } from '../spec.js';

export function reasonCode(ctx: Ctx, into: FieldNode[]): FieldNode {
  const def = REASON_CODE_FIELDS[ctx.typeCode]!;
  const n = u8(ctx, into, def);
  const code = n.value as number;
  const name = REASON_CODES_V5[ctx.typeCode]![code];
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  if (name === undefined) {
    n.display = `${hex} (not valid in ${PACKET_TYPES[ctx.typeCode]})`;
    flag(n, 'error', `Reason code ${hex} is not defined for ${PACKET_TYPES[ctx.typeCode]}`, 'MQTT 5.0 §2.4');
  } else {
    n.display = `${hex} (${name})`;
  }
  ctx.info.reasonCode ??= code;
  return n;
}

/** Names a reason code without reading it (for summaries). */
export function reasonName(typeCode: number, code: number): string {
  return REASON_CODES_V5[typeCode]?.[code] ?? 'Unknown';
}

