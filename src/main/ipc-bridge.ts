// Wires a LabApi to Electron's IPC without importing Electron, so the wiring is unit-tested against a
// fake ipcMain. Calls come in on one channel; every Lab event goes out on another.
import { EVENT_NAMES, type LabApi } from '../shared/api.js';
import { checkCall } from '../shared/api-schemas.js';

export const CALL_CHANNEL = 'lab:call';
export const EVENT_CHANNEL = 'lab:event';

export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}


/** Returns a function that undoes the wiring (used when the window or the Lab goes away). */
export function bridgeLabToIpc(ipc: IpcMainLike, api: LabApi, target: () => EventTarget | null): () => void {
  ipc.handle(CALL_CHANNEL, (_event, method, params) => {
    // Checked against the contract before the Lab sees it: a bad call changes nothing.
    const checked = checkCall(method, params);
    return api.call(checked.method, checked.params as never);
  });
  const offs = EVENT_NAMES.map((event) => api.on(event, (data) => {
    const t = target();
    if (t !== null && !t.isDestroyed()) t.send(EVENT_CHANNEL, { event, data });
  }));
  return () => {
    ipc.removeHandler(CALL_CHANNEL);
    for (const off of offs) off();
  };
}
