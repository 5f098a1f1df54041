import { describe, expect, it } from 'vitest';
import { listenDashboard, logIn, useDashboard } from '../support/browser.ts';
import { failInboundJob } from '../support/failed-job.ts';

/**
 * The queue board in a real browser: bull-board's own app under the policy /queues sends. It must
 * render with nothing refused by the policy and nothing fetched from another site, and its retry
 * button must pass the board's CSRF check (the header its HTTP client copies from the cookie).
 */

const dashboard = useDashboard(['me']);

const REASON = 'the message could not be stored';
const MAIL = Buffer.from('From: Ada Lovelace <ada@example.org>\r\nSubject: connect?\r\n\r\nHello, this is private.').toString('base64');
/** The board polls and renders on a loaded machine: waits end on the event, this is only the limit. */
const SHOWN_MS = 15_000;

describe('the queue board in Chromium', () => {
  it('shows a failed job with no policy violation and retries it from its button', { timeout: 60_000 }, async () => {
    // Only the web role: no worker of Winnow's takes the job before the test's own fails it.
    const { winnow, baseUrl, password } = await listenDashboard(await dashboard.suite.winnow('me', { roles: { worker: false, web: true } }));
    const queues = winnow.runtime.queues;
    const id = await failInboundJob(queues, winnow.config.redis, 7, MAIL, REASON);

    const { page, watch } = await dashboard.browser.page({ origin: baseUrl });
    await logIn(page, baseUrl, password);
    await page.goto(`${baseUrl}/health`);
    await Promise.all([page.waitForURL(`${baseUrl}/queues`), page.getByRole('link', { name: 'Open the queue board' }).click()]);
    // Every queue of Winnow's is in the board's menu.
    for (const name of ['inbound', 'send', 'deadline', 'sent-copy', 'webhook']) await page.getByRole('link', { name, exact: true }).first().waitFor({ timeout: SHOWN_MS });

    await page.goto(`${baseUrl}/queues/queue/inbound?status=failed`);
    await page.getByText(`Error: ${REASON}`).first().waitFor({ timeout: SHOWN_MS });
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByText('is not shown here').first().waitFor({ timeout: SHOWN_MS });
    expect(await page.evaluate('document.body.innerText')).not.toContain('Lovelace');

    // The job's own retry button (the list's "Retry all" is refused), then the board's confirmation.
    const retried = page.waitForResponse((response) => response.request().method() === 'PUT' && response.url().endsWith('/retry'), { timeout: SHOWN_MS });
    await page.locator('button:has(svg.lucide-refresh-cw)').last().click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await retried).status()).toBe(204);
    expect(await queues.inbound.getJobState(id)).toBe('waiting');

    expect(watch.cspViolations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
  });
});
