// One-line summaries in the style of `mosquitto -v`, for packet lists and the headless broker log.
import type { FieldNode, PacketInfo } from '../../shared/packet.js';
import { CONNACK_V3_CODES, PACKET_TYPES } from './spec.js';
import { reasonName } from './packets/reason-code.js';
import { findAll, findField } from './tree.js';

export function summarize(typeCode: number, version: number, info: PacketInfo, fields: FieldNode[],
  firstError: string | undefined): string {
  const base = describe(typeCode, version, info, fields);
  return firstError === undefined ? base : `${base} [malformed: ${firstError}]`;
}

function describe(typeCode: number, version: number, info: PacketInfo, fields: FieldNode[]): string {
  const type = PACKET_TYPES[typeCode] ?? 'UNKNOWN';
  switch (typeCode) {
    case 1: {
      const parts = [`p${info.protocolVersion}`, `c${info.cleanStart ? 1 : 0}`, `k${info.keepalive}`];
      const user = findField(fields, 'mqtt.username');
      if (user !== undefined) parts.push(`u'${user.value}'`);
      const willTopic = findField(fields, 'mqtt.willtopic');
      if (willTopic !== undefined) parts.push(`will '${willTopic.value}'`);
      parts.push(`'${info.clientId ?? ''}'`);
      return `CONNECT (${parts.join(', ')})`;
    }
    case 2: {
      const sp = findField(fields, 'mqtt.conack.flags.sp');
      const code = info.reasonCode ?? 0;
      const name = version === 5 ? reasonName(2, code) : CONNACK_V3_CODES[code] ?? 'Reserved';
      return `CONNACK (sp${sp?.value === true ? 1 : 0}, rc${code} ${name})`;
    }
    case 3: {
      // The most frequent line of all: one template, no array to join.
      const mid = info.packetId === undefined ? '' : `, m${info.packetId}`;
      return `PUBLISH (d${info.dup ? 1 : 0}, q${info.qos}, r${info.retain ? 1 : 0}${mid}, '${info.topic ?? ''}', … (${info.payloadLength ?? 0} bytes))`;
    }
    case 4: case 5: case 6: case 7:
      return `${type} (m${info.packetId ?? '?'}${version === 5 ? reasonSuffix(typeCode, info) : ''})`;
    case 8: case 10: {
      const topics = (info.topics ?? []).map((t) => `'${t}'`).join(', ');
      return `${type} (m${info.packetId ?? '?'}${topics ? ', ' + topics : ''})`;
    }
    case 9: case 11: {
      const codes = findAll(fields, typeCode === 9 ? (version === 5 ? 'mqtt.suback.reason_code' : 'mqtt.suback.qos') : 'mqtt.unsuback.reason_code')
        .map((n) => String(n.value));
      return `${type} (m${info.packetId ?? '?'}${codes.length ? ', ' + codes.join(', ') : ''})`;
    }
    case 14: case 15:
      return info.reasonCode === undefined ? type : `${type} (rc${info.reasonCode} ${reasonName(typeCode, info.reasonCode)})`;
    default:
      return type;
  }
}

/** `, rc16 No matching subscribers`, or nothing when the packet omits its reason code. */
function reasonSuffix(typeCode: number, info: PacketInfo): string {
  return info.reasonCode === undefined ? '' : `, rc${info.reasonCode} ${reasonName(typeCode, info.reasonCode)}`;
}
