import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';

const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const { version } = JSON.parse(readFileSync(fromRoot('./package.json'), 'utf8')) as { version: string };

// Vite's dev server injects CSS through <style> elements, which the strict CSP in index.html forbids.
// Relax style-src for the dev server only, so the built app keeps the strict policy.
function devStyleCsp(): Plugin {
  return {
    name: 'mqtt-lab:dev-style-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("default-src 'self';", "default-src 'self'; style-src 'self' 'unsafe-inline';");
    },
  };
}

// Chromium refuses module scripts (and their chunks) on a page opened from file://, and the capture viewer
// must open from file://. So the renderer is one classic script, deferred like a module would be, with
// relative asset paths; Electron and the browser-mode server load it the same way.
function classicScript(): Plugin {
  return {
    name: 'mqtt-lab:classic-script',
    apply: 'build',
    enforce: 'post',
    transformIndexHtml(html) {
      return html
        .replace(/<script type="module" crossorigin src=/g, '<script defer src=')
        .replace(/<link rel="stylesheet" crossorigin href=/g, '<link rel="stylesheet" href=');
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // The embedded broker runs in a worker thread of its own (src/core/broker/aedes-thread.ts), started
      // from this compiled entry beside index.js.
      lib: { entry: { index: fromRoot('./src/main/index.ts'), 'aedes-worker': fromRoot('./src/core/broker/aedes-worker.ts') } },
    },
  },
  preload: {
    // A sandboxed preload runs as a classic script, never as an ES module, so it must be CommonJS
    // (and named .cjs because package.json says "type": "module").
    define: { __MQTT_LAB_VERSION__: JSON.stringify(version) },
    build: {
      lib: { entry: fromRoot('./src/preload/index.ts'), formats: ['cjs'] },
    },
  },
  renderer: {
    root: fromRoot('./src/renderer'),
    // All Svelte options live here; there is no svelte.config.js to look for.
    plugins: [svelte({ configFile: false }), devStyleCsp(), classicScript()],
    base: './',
    assetsInclude: ['**/*.pcapng'],
    build: {
      outDir: fromRoot('./out/renderer'),
      // `npm run bench -- ui --profile` asks for maps, to name source lines; the app ships without them.
      sourcemap: process.env.MQTT_LAB_SOURCEMAP === '1',
      // The bundled demo captures stay inline whatever their size: a file:// page cannot fetch them.
      assetsInlineLimit: (file) => (file.endsWith('.pcapng') ? true : undefined),
      modulePreload: false,
      cssCodeSplit: false,
      rollupOptions: {
        output: { format: 'iife', inlineDynamicImports: true },
      },
    },
  },
});
