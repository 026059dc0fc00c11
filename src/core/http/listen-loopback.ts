// The HTTP side's servers (readings server, HTTP tap) each take a free loopback port the same way.
import type { Server } from 'node:net';

/** Listens on a free port of 127.0.0.1; rejects with the listen error (e.g. no free port). */
export async function listenOnLoopback(server: Server): Promise<{ host: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  return { host: '127.0.0.1', port: typeof addr === 'object' && addr !== null ? addr.port : 0 };
}
