// Does anything accept TCP connections at host:port? Used to wait for a child broker and to check an upstream.
import { connect } from 'node:net';

export interface ProbeResult {
  ok: boolean;
  /** errno code (ECONNREFUSED, ETIMEDOUT, …) when not ok. */
  code?: string;
}

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, code: 'ETIMEDOUT' }), timeoutMs);
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, code: err.code ?? err.message }));
  });
}

/** Polls until host:port accepts, `gaveUp()` says to stop (the process died), or the deadline passes. */
export async function waitUntilAccepting(host: string, port: number, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error('the process exited');
    if ((await probeTcp(host, port, 500)).ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`);
}
