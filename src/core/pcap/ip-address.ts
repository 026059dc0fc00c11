// Text IP addresses as given by Node sockets ("127.0.0.1", "::1", "::ffff:10.0.0.5", "fe80::1%eth0")
// to the bytes that go into a synthesised header.

export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
}

export function parseIpAddress(text: string): IpAddress {
  const plain = text.replace(/%.*$/, '').replace(/^\[|\]$/g, '');
  const v4 = parseIpv4Text(plain);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = parseIpv6Text(plain);
  if (!v6) throw new Error(`"${text}" is not an IPv4 or IPv6 address`);
  // Node reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d; they really spoke IPv4.
  if (v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) {
    return { version: 4, bytes: v6.slice(12) };
  }
  return { version: 6, bytes: v6 };
}

function parseIpv4Text(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]!)) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6Text(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4Text(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
