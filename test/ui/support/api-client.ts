// A LabApi over the real server's WebSocket, for tests and benches to set up or inspect the lab directly.
import WebSocket from 'ws';
import type { CommandName, ParamsOf, ResultOf, ServerFrame } from '../../../src/shared/api.js';

export interface NodeLabApi {
  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>>;
  close(): void;
}

export function connectApi(origin: string, token: string): Promise<NodeLabApi> {
  const ws = new WebSocket(`${origin.replace('http:', 'ws:')}/api?token=${encodeURIComponent(token)}`);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let id = 0;
  ws.on('message', (raw) => {
    const f = JSON.parse(String(raw)) as ServerFrame;
    if (f.kind !== 'result') return;
    const p = pending.get(f.id);
    pending.delete(f.id);
    if (f.ok) p?.resolve(f.result);
    else p?.reject(new Error(f.error));
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        call: (method, params) =>
          new Promise((res, rej) => {
            const n = ++id;
            pending.set(n, { resolve: res as (v: unknown) => void, reject: rej });
            ws.send(JSON.stringify({ kind: 'call', id: n, method, params }));
          }),
        close: () => ws.close(),
      }),
    );
  });
}
