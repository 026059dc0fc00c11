// The live log's summary of a packet from its bytes alone, for a line made away from the capture store (the
// `mqtt-lab broker` log's own thread, cli/log-thread.ts). It holds for a record the store keeps exactly as
// the dissector would read it (plainVersionOf) with no finding: its tree is then dissect(bytes, { version }),
// so the line is what storedLine gives (test/lab/summary-stored.test.ts compares them).
import type { MqttVersion } from '../../shared/packet.js';
import { dissect } from '../dissect/index.js';
import { plainPacket, plainPublishStart } from '../dissect/plain-packet.js';

/** How far into a large PUBLISH lineBytes looks for its payload; a longer topic sends the whole packet. */
const HEAD = 512;

/**
 * The bytes of a packet that its line reads: all of them, except for a plain PUBLISH larger than HEAD,
 * whose payload is only counted (plainPublishStart reads the line from the bytes before it, given the
 * length). Handing on a 4 kB message's payload to the log's thread cost more than the line it saved.
 */
export function lineBytes(bytes: Uint8Array, version: MqttVersion): Uint8Array {
  if (bytes.length <= HEAD || bytes[0]! >> 4 !== 3) return bytes;
  const plain = plainPublishStart(bytes.subarray(0, HEAD), version, bytes.length);
  return plain === null ? bytes : bytes.subarray(0, plain.payloadStart);
}

/** The line's summary from lineBytes(bytes) (`bytes`) and the packet's whole length. */
export function plainLineSummary(bytes: Uint8Array, version: MqttVersion, length = bytes.length): string {
  if (length !== bytes.length) {
    const plain = plainPublishStart(bytes, version, length);
    // lineBytes cut only a PUBLISH that read plain from these very bytes.
    if (plain === null) throw new Error(`a cut packet that is not a plain PUBLISH (${length} bytes, ${bytes.length} kept)`);
    return plain.summary;
  }
  // Nearly every packet of a busy broker is plain: no tree. Any other is dissected, as the store would.
  return plainPacket(bytes, version)?.summary ?? dissect(bytes, { version }).summary;
}
