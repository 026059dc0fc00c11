// Every field of every form in the notebook, filled in Chromium against the real lab server (with mosquitto
// as the broker, so an MQTT 5 client is accepted): the new-client form, publish and subscribe, and the
// custom fault-rule form with each action, including the cleared "Times" and "nth" that used to break it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, type PageWatch } from './support/browser.js';
import { labServerMissing } from './support/lab-server.js';
import type { NodeLabApi } from './support/api-client.js';
import { uiSuite } from './support/ui-suite.js';
import { findExecutable } from '../../src/core/broker/find-executable.js';
import { openCard, openTab, shot } from './support/ui-helpers.js';

const why = chromiumMissing() ?? labServerMissing() ?? (findExecutable('mosquitto') ? undefined : 'mosquitto not installed');

describe.skipIf(why !== undefined)(`every form of the notebook${why ? ` (skipped: ${why})` : ''}`, () => {
  const suite = uiSuite('forms', undefined, { serverArgs: () => ['--broker', 'mosquitto'] });
  let api: NodeLabApi;
  let page: Page;
  let watch: PageWatch;

  // One page walked through every form, opened once the suite's server runs.
  beforeAll(async () => {
    api = suite.api;
    page = await suite.open({ w: 1920, h: 1080, zoom: 1 }, { theme: 'light', untilConnected: true, keep: true });
    watch = suite.watch(page);
  }, 120_000);

  it('creates an MQTT 5 client from every field of the new-client form, and its CONNECT carries them', async () => {
    await openTab(page, 'Clients');
    await page.getByRole('button', { name: '+ New client' }).click();
    const form = page.getByRole('form', { name: 'New client' });
    await form.getByLabel('Name in the lab').fill('nurse');
    await form.getByLabel(/Client identifier/).fill('nurse-station-7');
    await form.getByLabel('Protocol').selectOption('5');
    await form.getByLabel('Keepalive (s)').fill('');
    await form.getByLabel('Keepalive (s)').fill('30');
    await form.getByLabel(/Clean start/).uncheck();
    await form.getByLabel(/Session expiry/).fill('120');
    await form.getByLabel('User name').fill('ward');
    await form.getByLabel('Password').fill('s3cret');
    await form.getByLabel('Last Will and Testament').check();
    await form.getByLabel('Will topic').fill('ward/nurse/status');
    await form.getByLabel('Will message').fill('gone');
    await form.getByLabel('Will QoS').selectOption('2');
    await form.getByLabel('Will retain').check();
    await form.getByRole('button', { name: 'Create and connect' }).click();
    await page.locator('.card[data-client="nurse"] .state', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
    const [connect] = await api.call('packets.query', { type: 'CONNECT', limit: 5 });
    expect(connect?.summary).toContain('nurse-station-7');
    expect(connect!.will).toEqual({ topic: 'ward/nurse/status', text: 'gone' });
    // The field tree is not on the live stream: it comes whole from packets.get.
    const whole = await api.call('packets.get', { seq: connect!.seq });
    const fields = JSON.stringify(whole!.decoded.fields);
    for (const v of ['ward', 's3cret', 'ward/nurse/status', 'gone']) expect(fields).toContain(`"${v}"`);
    expect(connect!.version).toBe(5);
    const clients = await api.call('clients.list', {});
    expect(clients.find((c) => c.id === 'nurse')).toMatchObject({ clientId: 'nurse-station-7', keepalive: 30, clean: false, hasWill: true, protocolVersion: 5 });
    expect(watch.errors).toEqual([]);
  });

  it('publishes and subscribes through every field of the card forms', async () => {
    await openCard(page, 'nurse');
    const sub = page.locator('.card[data-client="nurse"] form.sub');
    await sub.getByLabel('Topic filter').fill('ward/+/temp');
    await sub.getByLabel('Maximum QoS').selectOption('2');
    await sub.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page.locator('.card[data-client="nurse"] .subs code', { hasText: 'ward/+/temp' }).waitFor();
    const pub = page.locator('.card[data-client="nurse"] form.pub');
    await pub.getByLabel('Topic').fill('ward/3/temp');
    await pub.getByLabel('Payload').fill('37.9');
    await pub.getByLabel('q2').check();
    await pub.getByLabel('retain').check();
    await pub.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('.card[data-client="nurse"] .msgs .payload', { hasText: '37.9' }).waitFor({ timeout: 10_000 });
    const pubs = await api.call('packets.query', { type: 'PUBLISH', topic: 'ward/3/temp', limit: 10 });
    expect(pubs.find((p) => p.direction === 'toBroker')?.summary).toMatch(/^PUBLISH \(d0, q2, r1, m\d+, 'ward\/3\/temp'/);
  });

  const RULES = [
    { action: 'drop', extra: {}, expect: { action: 'drop' } },
    { action: 'delay', extra: { 'Delay (ms)': '250' }, expect: { action: 'delay', ms: 250 } },
    { action: 'hold', extra: {}, expect: { action: 'hold' } },
    { action: 'corrupt', extra: { Field: 'mqtt.topic' }, expect: { action: 'corrupt', field: 'mqtt.topic' } },
    { action: 'sever', extra: {}, expect: { action: 'sever' } },
  ] as const;

  for (const r of RULES) {
    it(`adds a ${r.action} rule from every field of the rule form`, async () => {
      await api.call('faults.clear', {});
      await openTab(page, 'Faults');
      const form = page.getByRole('form', { name: 'New fault rule' });
      await form.getByLabel('Action').selectOption(r.action);
      for (const [label, value] of Object.entries(r.extra)) await form.getByLabel(label, { exact: true }).fill(value);
      await form.getByLabel('Direction').selectOption('toBroker');
      await form.getByLabel('Packet type').selectOption('PUBLISH');
      await form.getByLabel('Client id').fill('nurse-station-7');
      await form.getByLabel('Topic').fill('ward/#');
      await form.getByLabel('QoS', { exact: true }).selectOption('1');
      await form.getByLabel('Only the nth match').fill('2');
      await form.getByLabel(/^Times/).fill('3');
      await form.getByRole('button', { name: 'Add rule' }).click();
      await expect.poll(() => api.call('faults.list', {}).then((l) => l.length)).toBe(1);
      const [rule] = await api.call('faults.list', {});
      expect(rule).toMatchObject({
        ...r.expect,
        times: 3,
        match: { direction: 'toBroker', type: 'PUBLISH', clientId: 'nurse-station-7', topic: 'ward/#', qos: 1, nth: 2 },
      });
      await page.locator('.rule .what', { hasText: 'only match #2' }).waitFor();
    });
  }

  it('treats cleared "Times" and "nth" as "always" and "every match", and keeps working after', async () => {
    await api.call('faults.clear', {});
    const form = page.getByRole('form', { name: 'New fault rule' });
    await form.getByLabel('Action').selectOption('drop');
    await form.getByLabel('Direction').selectOption('');
    await form.getByLabel('Packet type').selectOption('PUBACK');
    await form.getByLabel('Client id').fill('');
    await form.getByLabel('Topic').fill('');
    await form.getByLabel('QoS', { exact: true }).selectOption('');
    await form.getByLabel('Only the nth match').fill('');
    await form.getByLabel(/^Times/).fill('');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => api.call('faults.list', {})).toEqual([expect.objectContaining({ match: { type: 'PUBACK' }, action: 'drop' })]);
    const [rule] = await api.call('faults.list', {});
    expect(rule!.times).toBeUndefined();
    await page.locator('.rule .what', { hasText: 'PUBACK, always' }).waitFor();
    // A bad value is named beside the form, and the form still works once it is fixed.
    await form.getByLabel(/^Times/).fill('0');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toContain('"Times" must be a whole number');
    await form.getByLabel(/^Times/).fill('1');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => api.call('faults.list', {}).then((l) => l.length)).toBe(2);
    await shot(page, 'forms-fault-rules-1920x1080');
    expect(watch.errors).toEqual([]);
  });
});
