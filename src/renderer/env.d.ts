// Lets `tsc` type imports of Svelte components; the Svelte compiler checks the components themselves.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<any>;
  export default component;
}

interface Window {
  /**
   * Exposed by the Electron preload (src/preload/index.ts); absent in the browser mode. `call` answers
   * commands; `stream` starts the flow-controlled event stream and hands over its frames as JSON text, which
   * the page decodes (src/shared/event-stream) and pays for with `credit`.
   */
  readonly mqttLab?: {
    readonly version: string;
    readonly call?: (method: string, params: unknown) => Promise<unknown>;
    readonly stream?: (listener: (frame: string) => void) => () => void;
    readonly credit?: (n: number) => void;
  };
}

/** A capture bundled into the page as a data: URL (the demo replays one; file:// pages cannot fetch). */
declare module '*.pcapng?inline' {
  const dataUrl: string;
  export default dataUrl;
}
