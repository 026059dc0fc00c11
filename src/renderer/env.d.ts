// Lets `tsc` type imports of Svelte components; the Svelte compiler checks the components themselves.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<any>;
  export default component;
}

interface Window {
  /**
   * Exposed by the Electron preload; absent in the browser mode. `call`/`on` arrive with the IPC bridge and
   * have the LabApi shape (see src/shared/api.ts); until then only the version is there.
   */
  readonly mqttLab?: {
    readonly version: string;
    readonly call?: (method: string, params: unknown) => Promise<unknown>;
    readonly on?: (event: string, listener: (data: unknown) => void) => () => void;
  };
}

/** A capture bundled into the page as a data: URL (the demo replays one; file:// pages cannot fetch). */
declare module '*.pcapng?inline' {
  const dataUrl: string;
  export default dataUrl;
}
