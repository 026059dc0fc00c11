// Lecture-hall fixes in Chromium against the real lab server, real mqtt.js clients through the tap and the
// real HTTP side: a group's packets from the clients list in one click (a prefix filter the core evaluates),
// group lane titles that still name the group when lanes narrow, and HTTP drawn to a web server lane.
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import { openTab, shot } from './support/ui-helpers.js';
import { uiSuite } from './support/ui-suite.js';

const why = chromiumMissing() ?? labServerMissing();
const IDS = ['student-01', 'student-02', 'student-03', 'studentx', 'sensor-1', 'sensor-2', 'display-1', 'display-2', 'lecturer', 'guest'];

describe.skipIf(why !== undefined)(`lecture hall${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('lecture-hall', async (api) => {
    for (const id of IDS) {
      await api.call('clients.create', { id });
      await api.call('clients.connect', { id });
    }
    for (const id of IDS) await api.call('clients.publish', { id, topic: `class/${id}`, payload: 'hi', qos: 1 });
  });

  it('shows only a group\'s packets from the clients list, with lab.client matches "^prefix"', async () => {
    const page = await suite.open({ w: 1280, h: 720, zoom: 1.5 }, { theme: 'light', timeoutMs: 20_000 });
    await openTab(page, 'Clients');
    const group = page.locator('.roster .group[data-group="student-"]');
    await group.waitFor();
    await group.getByTestId('roster-group-only').click();
    await expect(page.locator('.filterbar input.mono').inputValue()).resolves.toBe('lab.client matches "^student-"');
    // The core filters the list: every row is a student's, and all three students' packets are there.
    await expect.poll(async () => [...new Set(await page.locator('.list .row .client').allTextContents())].sort(), { timeout: 15_000 }).toEqual(['student-01', 'student-02', 'student-03']);
    // The group's buttons stay beside or below its name, inside the side panel.
    const side = (await page.locator('.roster').boundingBox())!;
    for (const b of await group.locator('.ghead button').all()) {
      const box = (await b.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(side.x + side.width + 1);
    }
    const name = (await group.locator('.gname').boundingBox())!;
    expect(name.height).toBeLessThan(40);
    await shot(page, 'lecture-hall-group-only-1280x720');
  }, 60_000);

  it('names each group lane in the diagram header even where lanes are narrow', async () => {
    const page = await suite.open({ w: 1280, h: 720, zoom: 1.5 }, { theme: 'light', timeoutMs: 20_000 });
    const title = page.locator('.seq .lane-head[data-lane-group="student-"] .lane-title.group');
    await title.waitFor();
    // 'stude…' named nothing; the title keeps the whole group name, at most without its '*' and separator.
    expect(await title.evaluate((e) => e.childNodes[0]?.textContent)).toMatch(/^student-?\*?$/);
    const lane = (await page.locator('.seq .lane-head[data-lane-group="student-"] .lane-hit').boundingBox())!;
    const box = (await title.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(lane.width + 1);
    expect(box.height).toBeGreaterThanOrEqual(18);
    await shot(page, 'lecture-hall-group-titles-1280x720');
  }, 60_000);

  it('draws HTTP requests to a web server lane right of the broker', async () => {
    await suite.api.call('http.post', { client: 'cuff-http', body: JSON.stringify({ sys: 120, dia: 80 }) });
    const page = await suite.open({ w: 1920, h: 1080, zoom: 1 }, { theme: 'light', timeoutMs: 20_000 });
    const web = page.locator('.seq .lane-title.web');
    await web.waitFor();
    expect(await web.evaluate((e) => e.childNodes[0]?.textContent)).toBe('web server');
    const broker = (await page.locator('.seq .lane-title.broker').boundingBox())!;
    const server = (await web.boundingBox())!;
    expect(server.x).toBeGreaterThan(broker.x + broker.width);
    // The POST's arrow ends at the web server's lifeline, the MQTT arrows at the broker's.
    const lifeline = async (cls: string): Promise<number> => Number(await page.locator(`.seq .lifeline.${cls}`).getAttribute('x1'));
    const [webX, brokerX] = [await lifeline('web'), await lifeline('broker')];
    const post = page.locator('.seq .arrow.t-HTTP[data-label^="POST"] path.shaft');
    await post.waitFor({ state: 'attached' });
    expect(await post.getAttribute('d')).toMatch(new RegExp(`L${webX},[\\d.]+$`));
    const mqtt = page.locator('.seq .arrow.t-PUBLISH path.shaft').last();
    expect(await mqtt.getAttribute('d')).toMatch(new RegExp(`L${brokerX},[\\d.]+$`));
    await shot(page, 'lecture-hall-http-1920x1080');
  }, 60_000);
});
