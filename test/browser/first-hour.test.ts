import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { logIn, overflowsSideways, PHONE, useDashboard, type PageWatch, type TestDashboard } from '../support/browser.ts';

/**
 * What a newcomer meets in their first hour, in a real Chromium: the overview's chart, the health
 * page and the template versions read on a phone, and the settings whose fields follow their option.
 */

const dashboard = useDashboard(['me1', 'me2']);

function expectNoScriptTrouble(watch: PageWatch) {
  expect(watch.cspViolations, watch.console.join('\n')).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
}

async function api(target: TestDashboard, method: 'GET' | 'PUT', url: string, payload?: object) {
  const response = await target.winnow.runtime.app!.inject({ method, url, headers: { authorization: `Bearer ${target.winnow.config.web.apiToken}` }, payload });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Record<string, unknown>;
}

/** Runs an expression in the page; written as a string, as the other browser tests do (no DOM types here). */
function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** Whether each element lies within the window's width (a phone user sees it without scrolling sideways). */
async function inView(page: Page, selector: string): Promise<boolean[]> {
  const boxes = await inPage<Array<{ left: number; right: number }>>(page, `Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.getBoundingClientRect()).map((b) => ({ left: b.left, right: b.right }))`);
  return boxes.map((box) => box.left >= 0 && box.right <= PHONE.width);
}

/** A computed style of the first element that matches (with `pseudo`, of its ::before or ::after). */
function styleOf(page: Page, selector: string, property: string, pseudo: string | null = null): Promise<string> {
  return inPage<string>(page, `getComputedStyle(document.querySelector(${JSON.stringify(selector)}), ${JSON.stringify(pseudo)})[${JSON.stringify(property)}]`);
}

describe('a newcomer on a phone and in the settings', { timeout: 45_000 }, () => {
  it('reads the chart, the queues and the template versions on a phone without scrolling sideways', async () => {
    const target = await dashboard.start('me1');
    // Two saved versions, so the older one has a Restore button.
    const source = ((await api(target, 'GET', '/api/templates')).script as { source: { subject: string; text: string; html: string } }).source;
    await api(target, 'PUT', '/api/templates/script', { ...source, note: 'First' });
    await api(target, 'PUT', '/api/templates/script', { ...source, text: `${source.text}\n`, note: 'A second version with a longer note than fits a phone line' });

    const { page, watch } = await dashboard.browser.page({ viewport: PHONE, origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);
    for (const path of ['/', '/health', '/settings', '/templates/script']) {
      await page.goto(`${target.baseUrl}${path}`);
      expect(await overflowsSideways(page), path).toBe(false);
    }

    // The chart's words are drawn at least 10 px high, and the day labels neither overlap nor leave it.
    await page.goto(target.baseUrl);
    const chart = await inPage<{ smallest: number; labels: Array<{ left: number; right: number }>; frame: { left: number; right: number } }>(
      page,
      `(() => {
        const svg = document.querySelector('.chart svg');
        const frame = svg.getBoundingClientRect();
        const scale = frame.width / 720;
        const texts = Array.from(svg.querySelectorAll('text')).filter((text) => getComputedStyle(text).display !== 'none');
        const labels = texts.filter((text) => text.classList.contains('chart-x-label')).map((text) => text.getBoundingClientRect());
        return {
          smallest: Math.min(...texts.map((text) => parseFloat(getComputedStyle(text).fontSize) * scale)),
          labels: labels.map((box) => ({ left: box.left, right: box.right })),
          frame: { left: frame.left, right: frame.right },
        };
      })()`,
    );
    expect(chart.smallest).toBeGreaterThanOrEqual(10);
    expect(chart.labels.length).toBeGreaterThanOrEqual(3);
    for (const [i, box] of chart.labels.entries()) {
      expect(box.left, `label ${i}`).toBeGreaterThanOrEqual(chart.frame.left);
      expect(box.right, `label ${i}`).toBeLessThanOrEqual(chart.frame.right);
      if (i > 0) expect(box.left, `label ${i}`).toBeGreaterThan(chart.labels[i - 1]!.right);
    }

    // Every queue's Failed count is on the screen, named.
    await page.goto(`${target.baseUrl}/health`);
    expect(await inView(page, 'table.queues td[data-label="Failed"]')).toEqual([true, true, true, true]);
    expect(await styleOf(page, 'table.queues td[data-label="Failed"]', 'content', '::before')).toBe('"Failed"');

    // The versions' View and Restore are on the screen.
    await page.goto(`${target.baseUrl}/templates/script`);
    expect(await inView(page, 'table.versions .row-actions a, table.versions .row-actions button')).toEqual([true, true, true]);
    expect(await page.getByRole('button', { name: 'Restore version 1' }).isVisible()).toBe(true);
    expectNoScriptTrouble(watch);
  });

  it('disables the reminder and the quiet hours fields while they are off, shows the hours as 21:00, and saves them', async () => {
    const target = await dashboard.start('me2');
    // The test Winnow's deadline is short; a week leaves room for a reminder after days.
    await api(target, 'PUT', '/api/settings', { deadlineMs: 7 * 86_400_000 });
    const { page, watch } = await dashboard.browser.page({ origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);
    await page.goto(`${target.baseUrl}/settings`);

    // Both options are off by default: their fields cannot be edited.
    const after = page.getByLabel('after');
    expect(await after.isDisabled()).toBe(true);
    expect(await page.getByLabel('Unit of the reminder delay').isDisabled()).toBe(true);
    expect(await page.getByLabel(/^Quiet hours start/).isDisabled()).toBe(true);
    // On the 24-hour clock, as the hint says, whatever the browser's locale.
    expect(await page.getByLabel(/^Quiet hours start/).inputValue()).toBe('21:00');
    expect(await page.getByLabel(/^Quiet hours end/).inputValue()).toBe('08:00');

    await page.getByLabel('Send one reminder').check();
    expect(await after.isEnabled()).toBe(true);
    await after.fill('2');
    await page.getByLabel('Quiet hours: send nothing between').check();
    await page.getByLabel(/^Quiet hours start/).fill('22:30');
    await Promise.all([page.waitForURL((url) => url.search === '?saved=1'), page.getByRole('button', { name: 'Save settings' }).click()]);
    const saved = await api(target, 'GET', '/api/settings');
    expect(saved.reminderAfterMs).toBe(2 * 86_400_000);
    expect(saved.quietHours).toEqual({ start: '22:30', end: '08:00' });
    expect(await page.getByLabel(/^Quiet hours start/).inputValue()).toBe('22:30');

    // Turned off again: disabled at once, and saving keeps them off.
    await page.getByLabel('Off', { exact: true }).check();
    expect(await after.isDisabled()).toBe(true);
    await Promise.all([page.waitForURL((url) => url.search === '?saved=1'), page.getByRole('button', { name: 'Save settings' }).click()]);
    expect((await api(target, 'GET', '/api/settings')).reminderAfterMs).toBeNull();
    expectNoScriptTrouble(watch);

    // Without JavaScript the fields stay usable and the form works; they are dimmed while off.
    const plain = await dashboard.browser.browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await plain.newPage();
      await logIn(page, target.baseUrl, target.password);
      await page.goto(`${target.baseUrl}/settings`);
      const group = '[data-enabled-by="reminder=on"]';
      expect(Number(await styleOf(page, group, 'opacity'))).toBeLessThan(1);
      expect(await page.getByLabel('after').isEnabled()).toBe(true);
      await page.getByLabel('Send one reminder').check();
      expect(Number(await styleOf(page, group, 'opacity'))).toBe(1);
      await page.getByLabel('after').fill('36');
      await page.getByLabel('Unit of the reminder delay').selectOption('hours');
      await Promise.all([page.waitForURL((url) => url.search === '?saved=1'), page.getByRole('button', { name: 'Save settings' }).click()]);
      expect((await api(target, 'GET', '/api/settings')).reminderAfterMs).toBe(36 * 3_600_000);
    } finally {
      await plain.close();
    }
  });
});
