// Development helper: screenshots of the capture viewer replaying a real recording (?demo=…), at a given size.
// Run: node --import tsx test/ui/support/dev-shots.ts [width]x[height] [query] [name]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, watchPage } from './browser.js';
import { ROOT, RENDERER_OUT, ensureRendererBuilt } from './build.js';
import { serveStatic } from './static-server.js';

const [size = '1920x1080', query = 'demo=qos-tour', name = 'dev', waitMs = '12000'] = process.argv.slice(2);
const [w, h] = size.split('x').map(Number) as [number, number];
ensureRendererBuilt();
const server = await serveStatic(RENDERER_OUT);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  const watch = await watchPage(page);
  await page.goto(`${server.url}/?${query}`);
  await page.waitForTimeout(Number(waitMs));
  const dir = join(ROOT, 'test-artifacts', 'ui');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${w}x${h}.png`);
  await page.screenshot({ path: file });
  console.log(file, JSON.stringify(watch));
} finally {
  await browser.close();
  await server.close();
}
