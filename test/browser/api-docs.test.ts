import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, overflowsSideways, PHONE, type TestBrowser } from '../support/browser.ts';
import { API_TOKEN, PASSWORD, useWebTest } from '../web/helpers.ts';

/**
 * The API reference in a real browser: behind the login, and shown under the dashboard's
 * Content-Security-Policy without the browser refusing anything. The dashboard alone is enough
 * here (real Redis, no mailbox): the page is made of the routes' schemas, not of mail.
 */

/** Waits end on the event; this is only the limit, for a loaded machine. */
const WAIT = { timeout: 10_000, interval: 50 };

/** Every `securitypolicyviolation` event of the page, recorded before any of its own code runs. */
const RECORD_VIOLATIONS = `window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(event.violatedDirective + ' ' + event.blockedURI), true);`;

describe('the API reference at /docs', () => {
  const web = useWebTest();
  let browser: TestBrowser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function listen(): Promise<{ app: FastifyInstance; baseUrl: string }> {
    const app = await web.app();
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
  }

  for (const viewport of [undefined, PHONE]) {
    it(`asks for the login first, then shows every route without a policy violation${viewport ? ', on a phone' : ''}`, { timeout: 60_000 }, async () => {
      const { app, baseUrl } = await listen();
      const { page, watch } = await browser.page({ origin: baseUrl, ...(viewport ? { viewport } : {}) });
      await page.addInitScript(RECORD_VIOLATIONS);

      await page.goto(`${baseUrl}/docs`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.locator('body').innerText()).not.toContain('/api/contacts');

      await page.getByLabel('Dashboard password').fill(PASSWORD);
      await Promise.all([page.waitForURL((url) => url.pathname === '/docs'), page.getByLabel('Dashboard password').press('Enter')]);
      // The page has loaded (waitForURL waits for it): no script changes it afterwards.
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('Winnow API');

      // Every operation of the document has its section, reachable from the list at the top.
      const document = (await (await app.inject({ method: 'GET', url: '/api/openapi.json', headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { paths: Record<string, Record<string, unknown>> };
      const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
      expect((await page.locator('main section h3').allInnerTexts()).sort()).toEqual(operations.sort());
      await page.getByRole('navigation', { name: 'Routes' }).getByRole('link', { name: 'GET /api/contacts/{id}', exact: true }).click();
      await expect.poll(() => page.evaluate('location.hash'), WAIT).toBe('#get-api-contacts-id');
      expect(await page.locator('#get-api-contacts-id').isVisible()).toBe(true);

      // The dashboard's stylesheet applies (the policy let it load) and nothing was refused.
      expect(await page.evaluate('getComputedStyle(document.body).fontFamily')).not.toMatch(/^"?Times/);
      expect(await overflowsSideways(page)).toBe(false);
      expect(await page.evaluate('window.__violations')).toEqual([]);
      expect(watch.cspViolations, watch.console.join('\n')).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      if (!viewport) await page.screenshot({ path: '/tmp/openapi-docs.png', fullPage: false });
    });
  }
});
