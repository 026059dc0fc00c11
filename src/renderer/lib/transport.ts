// Picks how the renderer reaches the Lab: the Electron preload's IPC bridge when it is there, the in-page
// fake lab for demos and UI tests (`?fake=1`), else the browser mode's WebSocket.
import type { CommandName, EventName, LabEvents, ParamsOf, ResultOf } from '../../shared/api.js';
import type { LessonsApi } from './lessons-api.js';
import { remoteLessons } from './lessons-remote.js';
import { WsLabApi, apiUrlFromLocation, probeFromApiUrl, type LinkStatus, type LinkedLabApi } from './transport-ws.js';

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

export type TransportKind = 'ipc' | 'websocket' | 'fake';

export interface Transport {
  kind: TransportKind;
  api: LinkedLabApi;
  lessons: LessonsApi;
}

export async function connectTransport(loc: Location = location): Promise<Transport> {
  const bridge = window.mqttLab;
  if (bridge?.call && bridge.on) {
    const api = new IpcLabApi({ call: bridge.call, on: bridge.on });
    return { kind: 'ipc', api, lessons: remoteLessons(api) };
  }
  const params = new URLSearchParams(loc.search);
  if (params.get('fake') === '1') {
    // Loaded on demand so the real app never carries the simulator's code path at startup.
    const [{ createFakeLab }, { fakeLessons }] = await Promise.all([import('./fake-lab.js'), import('./fake/lessons.js')]);
    const lab = await createFakeLab(params);
    return { kind: 'fake', api: lab, lessons: fakeLessons(lab) };
  }
  const url = apiUrlFromLocation(loc);
  const api = new WsLabApi({ url, probe: probeFromApiUrl(url) });
  return { kind: 'websocket', api, lessons: remoteLessons(api) };
}
