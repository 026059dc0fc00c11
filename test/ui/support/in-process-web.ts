// A lab and its web server in the test's own process, wired as `mqtt-lab web` wires them (packets by seq), with
// a page open on it: for tests that need the live stream's bounds smaller than a real run's, so that a bounded
// burst can pass them (falling behind, a flood).
import type { Browser, Page } from 'playwright-core';
import { createLab, type Lab } from '../../../src/core/lab/index.js';
import type { SenderOptions } from '../../../src/shared/event-stream/index.js';
import { startWebServer, type WebServer } from '../../../src/server/web-server.js';
import { launch, watchPage, type PageWatch } from './browser.js';
import { ensureRendererBuilt, RENDERER_OUT } from './build.js';

export interface InProcessPage {
  lab: Lab;
  web: WebServer;
  browser: Browser;
  page: Page;
  watch: PageWatch;
  /** Text frames the page received on its API socket, in order. */
  frames: string[];
  close(): Promise<void>;
}

export async function openInProcessPage(stream: Partial<SenderOptions>, viewport: { width: number; height: number }): Promise<InProcessPage> {
  ensureRendererBuilt();
  const lab = await createLab({ port: 0 });
  const web = await startWebServer({
    api: lab.api, clock: lab.clock, root: RENDERER_OUT,
    summaryAt: (seq) => lab.summaryAt(seq),
    packetSeqs: (listener) => lab.onPacketSeq(listener),
    stream,
  });
  const browser = await launch();
  const page = await browser.newPage({ viewport });
  const watch = await watchPage(page);
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    if (typeof f.payload === 'string') frames.push(f.payload);
  }));
  await page.goto(`http://127.0.0.1:${web.port}/?token=${web.token}`);
  await page.getByTestId('tap-url').waitFor();
  return {
    lab, web, browser, page, watch, frames,
    close: async () => {
      await browser.close();
      await web.close();
      await lab.stop();
    },
  };
}
