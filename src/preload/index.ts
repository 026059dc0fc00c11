import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// A sandboxed preload cannot read package.json, so the build stamps the version in.
declare const __MQTT_LAB_VERSION__: string;

// Channel names are repeated here rather than imported: a sandboxed preload is one bundled script and
// should pull in nothing but Electron.
const CALL = 'lab:call';
const EVENT = 'lab:event';

// The renderer gets exactly the LabApi shape (call/on) and nothing of ipcRenderer itself.
contextBridge.exposeInMainWorld('mqttLab', Object.freeze({
  version: __MQTT_LAB_VERSION__,
  call: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke(CALL, method, params),
  on: (event: string, listener: (data: unknown) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, frame: { event: string; data: unknown }): void => {
      if (frame.event === event) listener(frame.data);
    };
    ipcRenderer.on(EVENT, handler);
    return () => {
      ipcRenderer.off(EVENT, handler);
    };
  },
}));
