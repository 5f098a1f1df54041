import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, logIn, overflowsSideways, PHONE, type PageWatch, type TestBrowser } from '../support/browser.ts';
import { PASSWORD, useWebTest } from '../web/helpers.ts';

/**
 * Adding a mailbox on the Mailboxes page in Chromium, at a desktop's and a phone's width: the form
 * is filled in and sent, a mistake comes back with the values kept and the problem beside its field,
 * and the mailbox is listed, with no script refused by the Content-Security-Policy on the way.
 *
 * The dashboard alone, on a real Redis, with WINNOW_SECRET set: no worker is needed to add and
 * list a mailbox (its state stays "connecting").
 */

const web = useWebTest();
let browser: TestBrowser | undefined;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
// Registered after useWebTest's hooks, so it runs before them: pages close before the dashboard does.
afterEach(async () => {
  await browser?.closePages();
});

async function dashboard(): Promise<string> {
  const app = await web.app({ env: { WINNOW_SECRET: 'winnow-secret-of-the-browser-test-0123' } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function expectNoScriptTrouble(watch: PageWatch) {
  expect(watch.cspViolations, watch.console.join('\n')).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.dialogs).toEqual([]);
}

async function submit(page: Page, label: string) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: label }).click()]);
}

describe('adding a mailbox in the browser', { timeout: 45_000 }, () => {
  for (const [width, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`adds a mailbox through the form and sees it listed (${width})`, async () => {
      const baseUrl = await dashboard();
      const { page, watch } = await browser!.page({ viewport, origin: baseUrl });
      await logIn(page, baseUrl, PASSWORD);
      await Promise.all([page.waitForURL('**/mailboxes'), page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailboxes' }).click()]);
      expect(await page.locator('table.mailboxes tbody tr').count()).toBe(1);

      const add = page.locator('#add-mailbox');
      await add.getByLabel('Name').fill('Work');
      await add.getByLabel('From', { exact: true }).fill('Morgan at Work <morgan@work.example>');
      const imap = add.getByRole('group', { name: /IMAP/ });
      await imap.getByLabel('Server').fill('imap.work.example');
      await imap.getByLabel('Port').fill('99999');
      await imap.getByLabel('User').fill('morgan@work.example');
      await imap.getByLabel('Password').fill('imap-secret');
      const smtp = add.getByRole('group', { name: /SMTP/ });
      await smtp.getByLabel('Server').fill('smtp.work.example');
      await smtp.getByLabel('Encryption').selectOption('starttls');
      await smtp.getByLabel('User').fill('morgan@work.example');
      await smtp.getByLabel('Password').fill('smtp-secret');
      await submit(page, 'Add mailbox');

      // Refused: the problem beside its field, what was typed still there, the passwords to type again.
      await expect.poll(() => page.locator('#imapPort-error').textContent()).toContain('must be from 1 to 65535');
      const again = page.locator('#add-mailbox');
      expect(await again.getByLabel('Name').inputValue()).toBe('Work');
      expect(await again.locator('#smtpSecurity').inputValue()).toBe('starttls');
      expect(await again.locator('#imapPass').inputValue()).toBe('');
      await again.locator('#imapPort').fill('');
      await again.locator('#imapPass').fill('imap-secret');
      await again.locator('#smtpPass').fill('smtp-secret');
      await submit(page, 'Add mailbox');

      await page.waitForURL('**/mailboxes*');
      expect(await page.getByRole('status').first().textContent()).toContain('Mailbox Work added');
      const row = page.locator('table.mailboxes tbody tr').nth(1);
      expect(await row.locator('th').textContent()).toContain('Work');
      expect(await row.locator('td[data-label="From"]').textContent()).toBe('Morgan at Work <morgan@work.example>');
      expect(await row.locator('td[data-label="State"]').textContent()).toContain('connecting');
      expect(await row.getByRole('link', { name: 'Remove' }).isVisible()).toBe(true);
      expect(await overflowsSideways(page)).toBe(false);
      expectNoScriptTrouble(watch);
    });
  }
});
