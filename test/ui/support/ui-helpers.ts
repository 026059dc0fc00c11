// Page-level helpers shared by the UI tests: screenshots into test-artifacts/ui, and waits on the views.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './build.js';

export const ARTIFACTS = join(ROOT, 'test-artifacts', 'ui');

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Let arrows finish drawing themselves in, so the picture shows what a viewer sees a moment later.
  await page.waitForTimeout(700);
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Runs `read` over the elements matching `sel`, found and read in one task of the page. Playwright's `$$eval`
 * and `evaluateAll` query first and read in a second round trip, and the list and diagram reuse their elements
 * in place: a row matched by `[data-member]` can have lost that attribute by the time it is read.
 */
export function readAll<T>(page: Page, sel: string, read: (els: Element[]) => T): Promise<T> {
  return page.evaluate(`(${read.toString()})(Array.from(document.querySelectorAll(${JSON.stringify(sel)})))`) as Promise<T>;
}

/** Labels of the sequence diagram's arrows currently drawn, top to bottom. */
export function arrowLabels(page: Page): Promise<string[]> {
  return readAll(page, '.seq .arrow', (els) => els.map((e) => e.getAttribute('data-label') ?? ''));
}

/** Creates a client through the Clients panel form, connected. */
export async function createClient(page: Page, name: string, opts: { clientId?: string } = {}): Promise<void> {
  await openTab(page, 'Clients');
  await page.getByRole('button', { name: '+ New client' }).click();
  const form = page.getByRole('form', { name: 'New client' });
  await form.getByLabel('Name in the lab').fill(name);
  if (opts.clientId !== undefined) await form.getByLabel(/Client identifier/).fill(opts.clientId);
  await form.getByRole('button', { name: 'Create and connect' }).click();
  await page.locator(`.card[data-client="${cssEscape(name)}"] .state`, { hasText: 'connected' }).waitFor();
}

export async function openTab(page: Page, label: 'Lesson' | 'Clients' | 'Faults' | 'Topics'): Promise<void> {
  const tab = page.getByRole('tab', { name: new RegExp(`^${label}`) });
  if (!(await tab.isVisible())) await page.keyboard.press('[');
  await tab.click();
}

/** Opens a client's card (publish/subscribe forms) unless it is open. */
export async function openCard(page: Page, name: string): Promise<void> {
  const card = page.locator(`.card[data-client="${cssEscape(name)}"]`);
  if ((await card.getAttribute('class'))?.includes('open')) return;
  await card.locator('button.summary').click();
}

export async function publish(page: Page, name: string, topic: string, payload: string, qos: 0 | 1 | 2): Promise<void> {
  await openCard(page, name);
  const form = page.locator(`.card[data-client="${cssEscape(name)}"] form.pub`);
  await form.getByLabel('Topic').fill(topic);
  await form.getByLabel('Payload').fill(payload);
  await form.getByLabel(`q${qos}`).check();
  await form.getByRole('button', { name: 'Publish', exact: true }).click();
}

export async function subscribe(page: Page, name: string, filter: string, qos: 0 | 1 | 2): Promise<void> {
  await openCard(page, name);
  const form = page.locator(`.card[data-client="${cssEscape(name)}"] form.sub`);
  await form.getByLabel('Topic filter').fill(filter);
  await form.getByLabel('Maximum QoS').selectOption(String(qos));
  await form.getByRole('button', { name: 'Subscribe', exact: true }).click();
}

function cssEscape(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
