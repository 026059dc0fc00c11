// One Chromium UI suite against the real lab server: the server, a Node API client and a browser started once
// for the suite, pages opened at a size, zoom and theme, a screenshot of the last page when a test fails, and
// every page checked for dialogs (script injected), CSP violations and console errors at the end. Call it inside a `describe`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, watchPage, type PageWatch } from './browser.js';
import { ensureRendererBuilt } from './build.js';
import { startLabServer, type LabServer } from './lab-server.js';
import { connectApi, type NodeLabApi } from './api-client.js';
import { shot } from './ui-helpers.js';

export interface View {
  w: number;
  h: number;
  zoom: number;
}

export interface OpenOptions {
  theme?: 'dark' | 'light';
  /** More of the page's saved UI settings (`mqtt-lab.ui`): a side tab, the centre view, the drawing pace. */
  ui?: Record<string, unknown>;
  /** Playwright's clock, installed before the page loads, so a test can move the page's time. */
  fakeClock?: boolean;
  /** A script run in the page before its own (after the settings are stored), with its argument. */
  init?: { script: (arg: never) => void; arg?: unknown };
  /** Wait until the page shows the tap's address: the page is connected to the lab. */
  untilConnected?: boolean;
  /** Another address than the suite's server (a second server a test stops, say). */
  url?: string;
  /** Let the page download files (a lab report). */
  acceptDownloads?: boolean;
  /** Keep the page open for the tests that follow (a suite that walks one page through its tests). */
  keep?: boolean;
  timeoutMs?: number;
  /** Set up before the page loads (a test that stands between the page and the server, say). */
  beforeLoad?: (page: Page) => Promise<void>;
}

export interface SuiteOptions {
  /** Console errors matching this (besides the favicon) do not fail the suite. */
  ignoreErrors?: RegExp;
  /** Arguments for `mqtt-lab web`, asked for when the server starts (after the suite's own beforeAll hooks). */
  serverArgs?: () => string[];
  /** A lecturer's lessons folder for the server (`--lessons`): file name → text; removed after the suite. */
  lessons?: Record<string, string>;
}

export interface UiSuite {
  readonly server: LabServer;
  readonly api: NodeLabApi;
  readonly browser: Browser;
  /** The lessons folder made from `lessons` (a test may change its files: the server watches them). */
  readonly lessonsDir: string;
  open(view: View, opts?: OpenOptions): Promise<Page>;
  /**
   * Stops the server and starts it again with the same arguments (closing the app and opening it again: give
   * the suite a `--data-dir` for what should survive); pages stay open and reconnect.
   */
  restart(): Promise<LabServer>;
  /** What the suite records of a page it opened (errors, CSP violations, dialogs), for checks mid-suite. */
  watch(page: Page): PageWatch;
}

/**
 * `name` prefixes failure screenshots; `setup` runs once with the API after the server starts; `opts` (or, as
 * before, a RegExp of console errors to ignore) tunes the server and the checks.
 */
export function uiSuite(name: string, setup?: (api: NodeLabApi) => Promise<void>, opts?: RegExp | SuiteOptions): UiSuite {
  const o: SuiteOptions = opts instanceof RegExp ? { ignoreErrors: opts } : (opts ?? {});
  let server: LabServer | undefined;
  let api: NodeLabApi | undefined;
  let browser: Browser | undefined;
  let lessonsDir: string | undefined;
  let args: string[] = [];
  /** Pages closed after each test; `last` is the page a failure screenshot shows, kept or not. */
  const pages: Page[] = [];
  let last: Page | undefined;
  const watches = new Map<Page, PageWatch>();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started: use the suite inside its describe`);
    return v;
  };

  beforeAll(async () => {
    ensureRendererBuilt();
    args = o.serverArgs?.() ?? [];
    if (o.lessons) {
      lessonsDir = mkdtempSync(join(tmpdir(), `${name}-lessons-`));
      for (const [file, text] of Object.entries(o.lessons)) writeFileSync(join(lessonsDir, file), text);
      args.push('--lessons', lessonsDir);
    }
    server = await startLabServer(args);
    api = await connectApi(server.origin, server.token);
    browser = await launch();
    await setup?.(api);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && last && !last.isClosed()) await shot(last, `FAILED-${name}-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
    for (const p of pages.splice(0)) await p.close();
  });

  afterAll(async () => {
    api?.close();
    await browser?.close();
    await server?.stop();
    if (lessonsDir) rmSync(lessonsDir, { recursive: true, force: true });
    for (const w of watches.values()) {
      expect(w.dialogs).toEqual([]);
      expect(w.csp).toEqual([]);
      expect(w.errors.filter((e) => !/favicon/.test(e) && !(o.ignoreErrors?.test(e) ?? false))).toEqual([]);
    }
  });

  return {
    get server() {
      return need(server, 'the lab server');
    },
    get api() {
      return need(api, 'the API client');
    },
    get browser() {
      return need(browser, 'the browser');
    },
    get lessonsDir() {
      return need(lessonsDir, 'the lessons folder');
    },
    async restart() {
      need(server, 'the lab server');
      api?.close();
      await server!.stop();
      server = await startLabServer(args);
      api = await connectApi(server.origin, server.token);
      return server;
    },
    watch(page) {
      return need(watches.get(page), 'a page of this suite');
    },
    async open(view, opts = {}) {
      const page = await need(browser, 'the browser').newPage({ viewport: { width: view.w, height: view.h }, acceptDownloads: opts.acceptDownloads ?? true });
      page.setDefaultTimeout(opts.timeoutMs ?? 10_000);
      watches.set(page, await watchPage(page));
      if (opts.fakeClock) await page.clock.install();
      const ui = { theme: opts.theme ?? 'dark', zoom: view.zoom, ...opts.ui };
      await page.addInitScript((s) => localStorage.setItem('mqtt-lab.ui', s), JSON.stringify(ui));
      if (opts.init) await page.addInitScript(opts.init.script, opts.init.arg as never);
      const lab = need(server, 'the lab server');
      await opts.beforeLoad?.(page);
      await page.goto(opts.url ?? lab.url);
      if (opts.untilConnected) await page.getByTestId('tap-url').filter({ hasText: `:${lab.mqtt.port}` }).waitFor();
      if (!opts.keep) pages.push(page);
      last = page;
      return page;
    },
  };
}
