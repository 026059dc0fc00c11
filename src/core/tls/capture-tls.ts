// Opening the TLS connections of a capture file with the keys it carries (pcapng Decryption Secrets
// Blocks): what `decode --pcap` and the lab's capture.open give the pcap reader.
import type { Direction } from '../../shared/lab.js';
import type { TlsUnwrap } from '../pcap/mqtt-streams.js';
import { KeyLog } from './key-log.js';
import { TlsSession } from './tls-session.js';

export function captureTls(): TlsUnwrap & { addSecrets(keyLog: Uint8Array): void } {
  const keys = new KeyLog();
  return {
    addSecrets: (text) => void keys.add(text),
    session: (onPlain) => {
      const s = new TlsSession(keys, { plaintext: (_dir, bytes) => onPlain(bytes) });
      return { push: (dir: Direction, bytes: Uint8Array, time: number) => s.push(dir, bytes, time) };
    },
  };
}
