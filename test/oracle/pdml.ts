// tshark PDML → plain objects, and the MQTT view of it that the oracle compares against.
//
// PDML is machine-written XML of a fixed shape (<pdml><packet><proto><field>…), with no text content,
// CDATA or namespaces, so a tag tokenizer is enough and keeps the project free of an XML dependency.

export interface PdmlNode {
  kind: 'proto' | 'field';
  /** '' for the unnamed grouping fields tshark emits (e.g. TCP "Timestamps"). */
  name: string;
  pos: number;
  size: number;
  show: string;
  showname: string;
  /** Hex of the field's bytes (masked for bit fields; see `unmaskedvalue`); absent for FT_NONE and generated items. */
  value?: string;
  unmaskedvalue?: string;
  /** tshark marks duplicates kept only for filtering (ip.addr, tcp.port, …) as hidden. */
  hide: boolean;
  children: PdmlNode[];
}

export interface PdmlPacket {
  protos: PdmlNode[];
}

const TOKEN = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>/g;
const ATTR = /([\w.:-]+)="([^"]*)"/g;

function unescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    switch (e) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

function node(kind: 'proto' | 'field', attrText: string): PdmlNode {
  const a: Record<string, string> = {};
  for (const m of attrText.matchAll(ATTR)) a[m[1]!] = unescape(m[2]!);
  const n: PdmlNode = {
    kind,
    name: a.name ?? '',
    pos: Number(a.pos ?? 0),
    size: Number(a.size ?? 0),
    show: a.show ?? '',
    showname: a.showname ?? '',
    hide: a.hide === 'yes',
    children: [],
  };
  if (a.value !== undefined) n.value = a.value;
  if (a.unmaskedvalue !== undefined) n.unmaskedvalue = a.unmaskedvalue;
  return n;
}

export function parsePdml(xml: string): PdmlPacket[] {
  const packets: PdmlPacket[] = [];
  let packet: PdmlPacket | undefined;
  const stack: PdmlNode[] = [];
  for (const m of xml.matchAll(TOKEN)) {
    const tag = m[2];
    if (tag === undefined) continue; // declaration or comment
    const closing = m[1] === '/';
    const selfClosing = m[4] === '/';
    if (tag === 'packet') {
      if (closing) {
        packet = undefined;
      } else {
        packet = { protos: [] };
        packets.push(packet);
      }
      stack.length = 0;
      continue;
    }
    if (tag !== 'proto' && tag !== 'field') continue; // <pdml>
    if (closing) {
      stack.pop();
      continue;
    }
    if (packet === undefined) throw new Error(`PDML: <${tag}> outside <packet>`);
    const n = node(tag, m[3] ?? '');
    const parent = stack.at(-1);
    if (parent === undefined) packet.protos.push(n);
    else parent.children.push(n);
    if (!selfClosing) stack.push(n);
  }
  return packets;
}

export function* descendants(n: PdmlNode): Generator<PdmlNode> {
  for (const c of n.children) {
    yield c;
    yield* descendants(c);
  }
}

function find(p: PdmlPacket, name: string): PdmlNode | undefined {
  for (const proto of p.protos) {
    if (proto.name === name) return proto;
    for (const d of descendants(proto)) if (d.name === name) return d;
  }
  return undefined;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The MQTT view

/** One `mqtt.*` field as tshark reported it, with its range made relative to its MQTT packet. */
export interface TsharkField {
  name: string;
  /** Offset from the packet's first byte (PDML pos − mqtt proto pos). */
  offset: number;
  size: number;
  show: string;
  showname: string;
  /** Raw hex of the field's bytes when tshark gave it (unmasked for bit fields). */
  raw?: string;
  /** Names of the enclosing mqtt.* fields, outermost first (e.g. mqtt.properties). */
  parents: string[];
}

/** One `<proto name="mqtt">`, i.e. one MQTT control packet. */
export interface TsharkPdu {
  frame: number;
  /** Index among the MQTT packets of its frame. */
  index: number;
  stream: number;
  toBroker: boolean;
  /** The packet's own bytes, cut from the frame or from tshark's reassembled buffer. */
  bytes: Uint8Array;
  /** Where PDML's positions point: the frame, or the buffer tshark built from several TCP segments. */
  source: 'frame' | 'reassembled';
  /** For `reassembled`: the frames whose segments were joined (from tcp.segments). */
  segments?: number[];
  /** PDML pos/size of the mqtt proto in its data source. */
  pos: number;
  size: number;
  msgtype: number;
  /** Every mqtt.* descendant, document order. */
  fields: TsharkField[];
  /** The proto's showname, e.g. "MQ Telemetry Transport Protocol, Publish Message". */
  showname: string;
}

export interface TsharkFrame {
  number: number;
  stream: number;
  srcPort: number;
  dstPort: number;
  pdus: TsharkPdu[];
}

interface Source {
  kind: 'frame' | 'reassembled';
  base: number;
  bytes: Uint8Array;
}

/**
 * Every frame that carries at least one MQTT packet. `brokerPort` decides direction.
 *
 * When tshark joins TCP segments to complete a packet, that packet's PDML positions refer to the
 * "Reassembled TCP" buffer (pos 0 = its first byte), while later packets of the same frame still refer to
 * the frame. PDML does not say which is which, so each packet is checked against both: the source where
 * every field's raw bytes match is the one it came from; a packet that matches neither is an error.
 */
export function mqttFrames(packets: PdmlPacket[], brokerPort: number): TsharkFrame[] {
  const frames: TsharkFrame[] = [];
  for (const p of packets) {
    const mqttProtos = p.protos.filter((x) => x.name === 'mqtt');
    if (mqttProtos.length === 0) continue;
    const number = Number(find(p, 'frame.number')?.show);
    const stream = Number(find(p, 'tcp.stream')?.show);
    const srcPort = Number(find(p, 'tcp.srcport')?.show);
    const dstPort = Number(find(p, 'tcp.dstport')?.show);
    const sources: Source[] = [];
    const payload = find(p, 'tcp.payload');
    if (payload?.value !== undefined) sources.push({ kind: 'frame', base: payload.pos, bytes: hexBytes(payload.value) });
    const reassembled = find(p, 'tcp.reassembled.data');
    if (reassembled?.value !== undefined) sources.push({ kind: 'reassembled', base: reassembled.pos, bytes: hexBytes(reassembled.value) });
    const segments = find(p, 'tcp.segments');
    const frame: TsharkFrame = { number, stream, srcPort, dstPort, pdus: [] };
    mqttProtos.forEach((proto, index) => {
      const src = sources.find((s) => fits(proto, s));
      if (src === undefined) {
        throw new Error(`frame ${number}: MQTT packet #${index} at pos ${proto.pos} matches neither the frame nor a reassembled buffer`);
      }
      const fields: TsharkField[] = [];
      collect(proto, proto.pos, [], fields);
      const msgtype = Number(fields.find((f) => f.name === 'mqtt.msgtype')?.show ?? -1);
      const pdu: TsharkPdu = {
        frame: number,
        index,
        stream,
        toBroker: dstPort === brokerPort,
        bytes: src.bytes.slice(proto.pos - src.base, proto.pos - src.base + proto.size),
        source: src.kind,
        pos: proto.pos,
        size: proto.size,
        msgtype,
        fields,
        showname: proto.showname,
      };
      if (src.kind === 'reassembled' && segments !== undefined) {
        pdu.segments = segments.children.filter((c) => c.name === 'tcp.segment').map((c) => Number(c.show));
      }
      frame.pdus.push(pdu);
    });
    frames.push(frame);
  }
  return frames;
}

function rawOf(n: PdmlNode): string | undefined {
  const hex = n.unmaskedvalue ?? n.value;
  return hex !== undefined && hex.length === 2 * n.size && /^[0-9a-fA-F]*$/.test(hex) ? hex.toLowerCase() : undefined;
}

function fits(proto: PdmlNode, src: Source): boolean {
  const start = proto.pos - src.base;
  if (start < 0 || start + proto.size > src.bytes.length) return false;
  let checked = 0;
  for (const d of descendants(proto)) {
    const raw = rawOf(d);
    if (raw === undefined || d.size === 0) continue;
    const at = d.pos - src.base;
    if (at < start || at + d.size > start + proto.size) return false;
    for (let i = 0; i < d.size; i++) {
      if (src.bytes[at + i] !== parseInt(raw.slice(2 * i, 2 * i + 2), 16)) return false;
    }
    checked++;
  }
  return checked > 0;
}

function collect(n: PdmlNode, base: number, parents: string[], out: TsharkField[]): void {
  for (const c of n.children) {
    const isMqtt = c.name.startsWith('mqtt.');
    if (isMqtt) {
      const f: TsharkField = {
        name: c.name,
        offset: c.pos - base,
        size: c.size,
        show: c.show,
        showname: c.showname,
        parents,
      };
      const raw = rawOf(c);
      if (raw !== undefined) f.raw = raw;
      out.push(f);
    }
    collect(c, base, isMqtt ? [...parents, c.name] : parents, out);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Which tshark fields the oracle compares

/**
 * Fields that are not a decoding of bytes, so a byte-range comparison means nothing for them:
 * - mqtt.msg_decoded_as: generated note naming the sub-dissector a payload was handed to (a preference).
 * - mqtt.illegal_topic_length, mqtt.unknown_version, mqtt.unknown_topic_alias: expert infos. Our tree
 *   carries diagnostics as `issues` on the node concerned, not as nodes of their own.
 */
export const EXCLUDED_FIELDS: ReadonlyMap<string, string> = new Map([
  ['mqtt.msg_decoded_as', 'generated: names the payload sub-dissector chosen by preference, no bytes of its own'],
  ['mqtt.illegal_topic_length', 'expert info: a diagnostic (our `issues`), not a field'],
  ['mqtt.unknown_version', 'expert info: a diagnostic (our `issues`), not a field'],
  ['mqtt.unknown_topic_alias', 'expert info: a diagnostic (our `issues`), not a field'],
]);

/**
 * PDML does not mark generated items, but a zero-length field that shows a non-empty value cannot be a
 * decoding of its (absent) bytes. The one tshark 4.0 emits: for a PUBLISH with an empty topic and a
 * Topic Alias, `mqtt.topic` at the end of the properties, 0 bytes, showing the topic the alias stands for
 * (tshark remembers it per conversation). It emits no `mqtt.topic` for the real, empty topic.
 */
export const GENERATED_RULE = 'size 0 with a non-empty `show`: generated from state (e.g. the topic a Topic Alias stands for)';

export function isGenerated(f: { size: number; show: string }): boolean {
  return f.size === 0 && f.show !== '';
}

/** Every mqtt.* field with a real byte range (including real empty ones, like a zero-length client id). */
export function compared(f: { name: string; size: number; show: string }): boolean {
  return !EXCLUDED_FIELDS.has(f.name) && !isGenerated(f);
}
