// Picks how the renderer reaches its packets: the Electron preload's IPC bridge when it is there, the
// browser mode's WebSocket when the page came with the server's token, and otherwise (a page opened from
// file:// or any static host) the offline capture viewer, which reads capture files in the page.
import type { LessonsApi } from './lessons-api.js';
import { remoteLessons } from './lessons-remote.js';
import { IpcLabApi } from './transport-ipc.js';
import { WsLabApi, apiUrlFromLocation, probeFromApiUrl, type LinkedLabApi } from './transport-ws.js';
import { CaptureLabApi, noLessons } from './viewer/capture-lab.js';

export type TransportKind = 'ipc' | 'websocket' | 'capture';

export interface Transport {
  kind: TransportKind;
  api: LinkedLabApi;
  lessons: LessonsApi;
  /** Only in the capture viewer: the source that opens files. */
  capture?: CaptureLabApi;
}

export function connectTransport(loc: Location = location): Transport {
  const bridge = window.mqttLab;
  if (bridge?.call && bridge.stream && bridge.credit) {
    const api = new IpcLabApi({ call: bridge.call, stream: bridge.stream, credit: bridge.credit });
    return { kind: 'ipc', api, lessons: remoteLessons(api) };
  }
  const params = new URLSearchParams(loc.search);
  if (loc.protocol !== 'file:' && params.has('token')) {
    const url = apiUrlFromLocation(loc);
    const api = new WsLabApi({ url, probe: probeFromApiUrl(url) });
    return { kind: 'websocket', api, lessons: remoteLessons(api) };
  }
  const capture = new CaptureLabApi();
  return { kind: 'capture', api: capture, lessons: noLessons, capture };
}
