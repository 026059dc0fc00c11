import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// A sandboxed preload cannot read package.json, so the build stamps the version in.
declare const __MQTT_LAB_VERSION__: string;

// Channel names are repeated here rather than imported: a sandboxed preload is one bundled script and
// should pull in nothing but Electron (src/main/ipc-bridge.ts holds the originals).
const CALL = 'lab:call';
const EVENT = 'lab:event';
const CREDIT = 'lab:credit';
const START = 'lab:stream-start';

// The renderer gets calls and the raw event stream, nothing of ipcRenderer itself. Frames cross as the JSON
// text they are: one string per tick is cheap to copy between worlds, and the page decodes it with the same
// code as the browser mode (src/shared/event-stream).
contextBridge.exposeInMainWorld('mqttLab', Object.freeze({
  version: __MQTT_LAB_VERSION__,
  call: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke(CALL, method, params),
  /** Starts the stream afresh (new credit) and hands every frame to `listener`. */
  stream: (listener: (frame: string) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, frame: unknown): void => {
      if (typeof frame === 'string') listener(frame);
    };
    ipcRenderer.on(EVENT, handler);
    ipcRenderer.send(START);
    return () => {
      ipcRenderer.off(EVENT, handler);
    };
  },
  /** The page processed frames and can take `n` more. */
  credit: (n: number): void => ipcRenderer.send(CREDIT, n),
}));
