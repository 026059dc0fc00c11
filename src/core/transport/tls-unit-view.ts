// A TLS record as the views show it: Wireshark's field names over the 5-byte header, a one-line summary of
// what an observer reads, and (apart) what the lab's own keys reveal inside.
import type { FieldNode } from '../../shared/packet.js';
import type { LayerUnit } from '../../shared/transport.js';
import { CONTENT_TYPES, versionName } from '../tls/record-names.js';
import type { TlsUnit } from '../tls/tls-session.js';

type Described = Pick<LayerUnit, 'summary' | 'fields' | 'inner' | 'sealed'>;

export function describeTlsUnit(u: TlsUnit): Described {
  const r = u.record;
  const type = CONTENT_TYPES[r.contentType] ?? `type ${r.contentType}`;
  const encrypted = r.contentType === 23;
  const what = u.handshake !== undefined && u.handshake.length > 0 ? `${type}: ${u.handshake.join(', ')}` : encrypted ? `${type} (encrypted)` : type;
  const fields: FieldNode[] = [{
    name: 'TLS record', filter: 'tls.record', offset: 0, length: r.bytes.length, display: what,
    children: [
      { name: 'Content Type', filter: 'tls.record.content_type', offset: 0, length: 1, value: r.contentType, display: `${type} (${r.contentType})` },
      { name: 'Version', filter: 'tls.record.version', offset: 1, length: 2, value: r.version, display: `${versionName(r.version)} (0x${r.version.toString(16).padStart(4, '0')})` },
      { name: 'Length', filter: 'tls.record.length', offset: 3, length: 2, value: r.length },
      encrypted
        ? { name: 'Encrypted Application Data', filter: 'tls.app_data', offset: 5, length: r.length, display: `${r.length} bytes an observer cannot read` }
        : u.handshake !== undefined
          ? { name: 'Handshake', filter: 'tls.handshake.type', offset: 5, length: r.length, display: u.handshake.join(', ') || 'fragment' }
          : { name: 'Fragment', filter: 'tls.record', offset: 5, length: r.length },
    ],
  }];
  const d: Described = { summary: `${versionName(r.version)} record: ${what}, ${r.length} bytes`, fields };
  if (u.inner !== undefined) {
    const innerType = CONTENT_TYPES[u.inner.contentType] ?? `type ${u.inner.contentType}`;
    d.inner = u.inner.handshake !== undefined
      ? `${innerType}: ${u.inner.handshake.join(', ')} (${u.inner.length} bytes, encrypted)`
      : u.inner.contentType === 23 ? `${u.inner.length} bytes of the connection's data` : `${innerType} (${u.inner.length} bytes)`;
  }
  if (u.sealed !== undefined) d.sealed = u.sealed;
  return d;
}
