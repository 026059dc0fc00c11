// `mqtt-lab decode`: one packet from hex, or every MQTT packet of a pcap/pcapng file.
import { readFileSync } from 'node:fs';
import { dissect } from '../core/dissect/index.js';
import type { DecodedPacket, MqttVersion } from '../shared/packet.js';
import { UsageError, one, parseArgs, portNumber, type FlagSpec } from './args.js';
import { packetText } from './tree-text.js';

export const DECODE_FLAGS: FlagSpec = { values: ['hex', 'pcap', 'mqtt-version'], repeatable: ['port'], booleans: ['json'] };

export async function decodeCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const p = parseArgs(argv, DECODE_FLAGS);
  if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const hex = one(p, 'hex');
  const pcap = one(p, 'pcap');
  if ((hex === undefined) === (pcap === undefined)) throw new UsageError('decode needs exactly one of --hex HEX or --pcap FILE');
  const versionText = one(p, 'mqtt-version');
  let version: MqttVersion | undefined;
  if (versionText !== undefined) {
    if (!['3', '4', '5'].includes(versionText)) throw new UsageError(`--mqtt-version must be 3, 4 or 5, not '${versionText}'`);
    version = Number(versionText) as MqttVersion;
  }
  const json = p.booleans.has('json');
  if (hex !== undefined) {
    if (p.values.has('port')) throw new UsageError('--port goes with --pcap');
    const packet = dissect(parseHex(hex), version === undefined ? {} : { version });
    out(json ? JSON.stringify(toJson(packet)) : packetText(packet));
    return 0;
  }
  // 8883 is MQTT over TLS: its streams are decrypted when the capture carries their keys.
  const ports = (p.values.get('port') ?? ['1883', '8883']).map((t) => portNumber(t, '--port'));
  const { decodePcapFile } = await import('./decode-pcap.js');
  return decodePcapFile(readPcap(pcap!), ports, version, json, out);
}

function readPcap(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length === 0) throw new UsageError('--hex is empty');
  const bad = /[^0-9a-fA-F]/.exec(clean);
  if (bad) throw new UsageError(`--hex has a non-hex character '${bad[0]}' at position ${bad.index + 1}`);
  if (clean.length % 2 !== 0) throw new UsageError(`--hex has an odd number of digits (${clean.length}): every byte needs two`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** The JSON shape DESIGN.md fixes: {type, length, fields, errors}, plus what else a reader needs. */
export function toJson(p: DecodedPacket): Record<string, unknown> {
  return {
    type: p.type,
    length: p.length,
    version: p.version,
    summary: p.summary,
    fields: p.fields,
    errors: p.issues,
  };
}
