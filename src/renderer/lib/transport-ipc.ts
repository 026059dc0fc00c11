// LabApi over the Electron preload's bridge: calls by invoke, events as stream frames that the page decodes
// and pays for with credit, exactly as in the browser mode (src/shared/event-stream).
import type { CommandName, EventName, LabEvents, ParamsOf, ResultOf } from '../../shared/api.js';
import { EventReceiver } from '../../shared/event-stream/receiver.js';
import type { LinkStatus, LinkedLabApi } from './transport-ws.js';

export interface IpcBridge {
  call(method: string, params: unknown): Promise<unknown>;
  stream(listener: (frame: string) => void): () => void;
  credit(n: number): void;
}

/** The IPC bridge is always "open": the main process lives as long as the window does. */
export class IpcLabApi implements LinkedLabApi {
  readonly status: LinkStatus = { state: 'open', generation: 1 };
  #listeners = new Map<string, Set<(data: unknown) => void>>();
  #stop: () => void;

  constructor(private readonly bridge: IpcBridge) {
    const receiver = new EventReceiver({
      dispatch: (event, data) => {
        const set = this.#listeners.get(event);
        if (set) for (const l of set) l(data);
      },
      grant: (n) => bridge.credit(n),
    });
    this.#stop = bridge.stream((frame) => receiver.receive(frame));
  }

  call<K extends CommandName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    return this.bridge.call(method, params) as Promise<ResultOf<K>>;
  }

  on<E extends EventName>(event: E, listener: (data: LabEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onStatus(): () => void {
    return () => {};
  }

  close(): void {
    this.#stop();
  }
}
