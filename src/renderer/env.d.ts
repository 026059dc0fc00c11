// Lets `tsc` type imports of Svelte components; the Svelte compiler checks the components themselves.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component;
  export default component;
}

interface Window {
  /** Exposed by the Electron preload; absent in the browser mode. */
  readonly mqttLab?: { readonly version: string };
}
