// The dissector: one MQTT packet's bytes → a DecodedPacket whose FieldNode tree explains every byte.
// Never throws: malformed input becomes issues on the nodes where the rule was broken, and bytes that
// cannot be decoded become one "undecoded" node, so the tree always covers the whole input.
import type { DecodedPacket, FieldNode, MqttVersion } from '../../shared/packet.js';
import { Ctx, STOP, flag, issuesRaised, node, undecoded } from './context.js';
import { FIELDS } from './fields.js';
import { fixedHeader } from './fixed-header.js';
import { decodeAck } from './packets/ack.js';
import { decodeConnack } from './packets/connack.js';
import { decodeConnect } from './packets/connect.js';
import { decodeDisconnectOrAuth } from './packets/disconnect.js';
import { decodePublish } from './packets/publish.js';
import { decodeSuback } from './packets/suback.js';
import { decodeSubscribe } from './packets/subscribe.js';
import { sniffForeign } from './sniff.js';
import { PACKET_TYPES } from './spec.js';
import { summarize } from './summary.js';
import { toHex } from './utf8.js';

export interface DissectOptions {
  /** Protocol version of the connection (learnt from its CONNECT); CONNECT itself says its own. Default 4. */
  version?: MqttVersion;
  /**
   * The packet's true length when `bytes` is only the start of it, kept by a capture (the store's byte
   * budget): the missing tail is then the capture's doing, noted as such, not a Remaining Length error.
   */
  keptOf?: number;
}

export function dissect(bytes: Uint8Array, opts: DissectOptions = {}): DecodedPacket {
  const version = opts.version ?? 4;
  if (bytes.length === 0) return notMqtt(bytes, version, 'No bytes: an MQTT packet has at least 2 (fixed header)');
  const foreign = sniffForeign(bytes);
  if (foreign !== null) return notMqtt(bytes, version, foreign);

  const flaggedBefore = issuesRaised();
  const fh = fixedHeader(bytes, version);
  const declaredEnd = fh.headerLen + fh.remaining;
  const end = fh.broken ? bytes.length : Math.min(declaredEnd, bytes.length);
  const ctx = new Ctx(bytes, end, version, fh.typeCode, fh.flags);
  ctx.pos = fh.broken ? 1 + fh.lenNode.length : fh.headerLen;
  const fixed = group(FIELDS.fixedHeader, fh.nodes);
  const vh: FieldNode[] = [];
  const pl: FieldNode[] = [];
  const tail: FieldNode[] = [];

  if (!fh.broken && declaredEnd > bytes.length) {
    if (opts.keptOf === declaredEnd) {
      flag(fh.lenNode, 'note', `The capture kept only the first ${bytes.length} of this packet's ${declaredEnd} bytes (its byte budget): the fields below stop there`);
    } else {
      flag(fh.lenNode, 'error', `Remaining Length says ${fh.remaining} bytes but only ${bytes.length - fh.headerLen} follow the fixed header`);
    }
  }
  if (fh.broken) {
    undecoded(ctx, tail, FIELDS.undecoded, 'The Remaining Length is broken, so the packet cannot be delimited');
  } else {
    try {
      body(ctx, vh, pl, fh.lenNode);
      if (ctx.pos < ctx.end) {
        undecoded(ctx, tail, FIELDS.undecoded,
          `${ctx.end - ctx.pos} byte(s) remain after a complete ${PACKET_TYPES[fh.typeCode]}: the Remaining Length is too large for its content`);
      }
    } catch (e) {
      if (e !== STOP) throw e;
      undecoded(ctx, tail, FIELDS.undecoded, 'Decoding stopped at an earlier error; these bytes were not interpreted');
    }
    if (declaredEnd < bytes.length) {
      const extra = new Ctx(bytes, bytes.length, ctx.version, fh.typeCode, fh.flags);
      extra.pos = declaredEnd;
      undecoded(extra, tail, FIELDS.undecoded, `${bytes.length - declaredEnd} byte(s) follow the end of the packet given by its Remaining Length`);
    }
  }

  const fields = [fixed];
  if (vh.length > 0) fields.push(group(FIELDS.variableHeader, vh));
  if (pl.length > 0) fields.push(group(FIELDS.payload, pl));
  fields.push(...tail);
  const issues = issuesRaised() === flaggedBefore ? [] : collectIssues(fields);
  return {
    type: PACKET_TYPES[fh.typeCode]!,
    typeCode: fh.typeCode,
    version: ctx.version,
    length: fh.broken ? bytes.length : Math.min(declaredEnd, bytes.length),
    fields,
    issues,
    summary: summarize(fh.typeCode, ctx.version, ctx.info, fields, issues.find((i) => i.severity === 'error')?.message),
    info: ctx.info,
  };
}

function body(ctx: Ctx, vh: FieldNode[], pl: FieldNode[], lenNode: FieldNode): void {
  switch (ctx.typeCode) {
    case 1: return decodeConnect(ctx, vh, pl);
    case 2: return decodeConnack(ctx, vh);
    case 3: return decodePublish(ctx, vh, pl);
    case 4: case 5: case 6: case 7: return decodeAck(ctx, vh);
    case 8: case 10: return decodeSubscribe(ctx, vh, pl, lenNode);
    case 9: case 11: return decodeSuback(ctx, vh, pl, lenNode);
    case 12: case 13: return;
    case 14: return decodeDisconnectOrAuth(ctx, vh);
    case 15: if (ctx.version === 5) decodeDisconnectOrAuth(ctx, vh);
      else undecoded(ctx, vh, FIELDS.undecoded, 'AUTH is not part of MQTT 3.1.1: its bytes are not interpreted');
      return;
    default:
      undecoded(ctx, vh, FIELDS.undecoded, 'Packet type 0 is reserved: its bytes have no meaning');
  }
}

/** A grouping node spanning its children, which are in byte order. */
function group(def: typeof FIELDS.fixedHeader, children: FieldNode[]): FieldNode {
  const first = children[0]!;
  let end = first.offset + first.length;
  for (const c of children) end = Math.max(end, c.offset + c.length);
  return { name: def.name, filter: def.filter, offset: first.offset, length: end - first.offset, children };
}

function notMqtt(bytes: Uint8Array, version: MqttVersion, message: string): DecodedPacket {
  const n = node(FIELDS.notMqtt, 0, bytes.length, toHex(bytes, 0, Math.min(bytes.length, 4096)), `${bytes.length} bytes`);
  flag(n, 'error', message);
  return {
    type: 'UNKNOWN', typeCode: -1, version, length: bytes.length, fields: [n],
    issues: collectIssues([n]), summary: `NOT MQTT (${bytes.length} bytes) [${message.split(':')[0]}]`, info: {},
  };
}

function collectIssues(nodes: FieldNode[], out: DecodedPacket['issues'] = []): DecodedPacket['issues'] {
  for (const n of nodes) {
    if (n.issues !== undefined) {
      // Built field by field: object spread of these small objects was the slowest step of decoding a
      // packet with many issues (about 1 µs each).
      for (const i of n.issues) {
        out.push(i.specRef === undefined
          ? { severity: i.severity, message: i.message, filter: n.filter, offset: n.offset }
          : { severity: i.severity, message: i.message, specRef: i.specRef, filter: n.filter, offset: n.offset });
      }
    }
    if (n.children !== undefined) collectIssues(n.children, out);
  }
  return out;
}
