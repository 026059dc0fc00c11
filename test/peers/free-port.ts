// A free TCP port on 127.0.0.1, asked of the kernel. Another process may grab it before the caller binds;
// callers that can retry (startMosquitto) do so.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no TCP address'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}
