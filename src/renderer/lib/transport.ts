// Picks how the renderer reaches its packets: the Electron preload's IPC bridge when it is there, the
// browser mode's WebSocket when the page came with the server's token, and otherwise (a page opened from
// file:// or any static host) the offline capture viewer, which reads capture files in the page.
import type { CommandName, EventName, LabEvents, ParamsOf, ResultOf } from '../../shared/api.js';
import type { LessonsApi } from './lessons-api.js';
import { remoteLessons } from './lessons-remote.js';
import { WsLabApi, apiUrlFromLocation, probeFromApiUrl, type LinkStatus, type LinkedLabApi } from './transport-ws.js';
import { CaptureLabApi, noLessons } from './viewer/capture-lab.js';

type Bridge = NonNullable<Window['mqttLab']>;

/** The IPC bridge is always "open": the main process lives as long as the window does. */
class IpcLabApi implements LinkedLabApi {
  readonly status: LinkStatus = { state: 'open', generation: 1 };
  constructor(private readonly bridge: Required<Pick<Bridge, 'call' | 'on'>>) {}

  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    return this.bridge.call(method, params) as Promise<ResultOf<K>>;
  }

  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void {
    return this.bridge.on(event, listener as (data: unknown) => void);
  }

  onStatus(): () => void {
    return () => {};
  }

  close(): void {}
}

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
  if (bridge?.call && bridge.on) {
    const api = new IpcLabApi({ call: bridge.call, on: bridge.on });
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
