// CONNACK (3.1 §3.2 reserved byte; 3.1.1 §3.2 flags + return code; 5.0 §3.2 flags + reason code + properties).
import type { FieldNode } from '../../../shared/packet.js';
import { Ctx, bitChildren, flag, u8 } from '../context.js';
import { FIELDS } from '../fields.js';
import { properties } from '../properties.js';
import { ref } from '../spec.js';
import { reasonCode } from './reason-code.js';

export function decodeConnack(ctx: Ctx, vh: FieldNode[]): void {
  let sessionPresent: FieldNode | undefined;
  if (ctx.version === 3) {
    // MQTT 3.1 had no flags here: the first byte is simply reserved.
    u8(ctx, vh, FIELDS.conackReservedV31);
  } else {
    const flags = u8(ctx, vh, FIELDS.conackFlags);
    const [reserved, sp] = bitChildren(flags, flags.value as number, [FIELDS.conackFlagReserved, FIELDS.conackSp]);
    if (((flags.value as number) & 0xfe) !== 0) {
      flag(reserved!, 'error', 'Connect Acknowledge Flags bits 7-1 are reserved and must be 0', ref(ctx.version, '§3.2.2.1', 'MQTT-3.2.2-1'));
    }
    sessionPresent = sp;
  }
  let code: FieldNode;
  if (ctx.version === 5) code = reasonCode(ctx, vh);
  else {
    code = u8(ctx, vh, FIELDS.conackVal);
    ctx.info.reasonCode = code.value as number;
    if ((code.value as number) > 5) flag(code, 'error', `Return code ${code.value} is reserved`, '§3.2.2.3');
  }
  if (sessionPresent?.value === true && code.value !== 0) {
    flag(sessionPresent, 'error', 'Session Present must be 0 when the connection is refused', ref(ctx.version, 'MQTT-3.2.2-4', 'MQTT-3.2.2-6'));
  }
  if (ctx.version === 5) properties(ctx, vh, 2);
}
