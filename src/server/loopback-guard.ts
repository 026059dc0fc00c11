// Which Host and Origin headers the browser-mode server answers. The server listens on loopback, but a
// browser will send a loopback request on behalf of any page: a page of another site whose name was made
// to resolve to 127.0.0.1 (DNS rebinding) carries that site's name in Host, and another local server's page
// carries its own port in Origin. Only the names of this server, with its port, are accepted.

export interface LoopbackGuard {
  /** null when the Host header names this server; otherwise why not. */
  host(header: string | undefined): string | null;
  /** null when there is no Origin (not a browser page) or it is this server's own; otherwise why not. */
  origin(header: string | undefined): string | null;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function loopbackGuard(listenHost: string, port: number): LoopbackGuard {
  const names = new Set(LOOPBACK_NAMES);
  // Listening elsewhere on purpose (never the default): that address is this server's name too.
  if (listenHost !== '0.0.0.0' && listenHost !== '::') names.add(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
  const hosts = new Set([...names].map((n) => `${n}:${port}`));
  const origins = new Set([...hosts].map((h) => `http://${h}`));
  return {
    host(header) {
      if (header === undefined) return 'a request needs a Host header';
      return hosts.has(header.toLowerCase()) ? null : `this server answers only to 127.0.0.1:${port} or localhost:${port}, not to Host '${header.slice(0, 100)}'`;
    },
    origin(header) {
      if (header === undefined) return null;
      return origins.has(header.toLowerCase()) ? null : `origin '${header.slice(0, 100)}' is not this server's own`;
    },
  };
}
