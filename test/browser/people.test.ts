import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, logIn, overflowsSideways, PHONE, useDashboard, type PageWatch } from '../support/browser.ts';
import { buildMail } from '../support/mail.ts';
import { linkedInInvitation2016, oldLinkedInInvitation } from '../support/requests.ts';
import type { TestWinnow } from '../support/winnow.ts';

/**
 * The user's second job in a real browser: people ask (constructed requests, delivered through
 * the sandbox's Dovecot), Winnow sends each the script (read at the SMTP peer), some answer by
 * mail, and the user finds them on the dashboard, reads what they said and decides.
 */

const dashboard = useDashboard(['me1', 'me2', 'me3']);

/** Real mail through Dovecot and the workers on a loaded CI machine: waits end on the event, this is only the limit. */
const MAIL_MS = 20_000;

async function ask(winnow: TestWinnow, person: { name: string; address: string }, answer?: string): Promise<void> {
  const { sandbox } = dashboard.suite;
  const me = winnow.user.address;
  await sandbox.deliver(me, await oldLinkedInInvitation(person, me, `<walk-${person.address}@linkedin.example>`));
  const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address), MAIL_MS);
  // Recorded as asked (the script's Message-ID with it) before anyone can answer it, as in life.
  await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked', MAIL_MS);
  if (answer === undefined) return;
  await sandbox.deliver(
    me,
    await buildMail({
      from: person,
      to: me,
      subject: 'Re: Invitation to connect on LinkedIn',
      inReplyTo: script.messageId!,
      references: [script.messageId!],
      text: `${answer}\n\nOn Tue, Morgan Example wrote:\n> Thank you for wanting to connect.\n> Why would you like to connect?`,
    }),
  );
  await winnow.waitForContact((c) => c.email === person.address && c.status === 'answered', MAIL_MS);
}

function expectNoScriptTrouble(watch: PageWatch) {
  expect(watch.cspViolations, watch.console.join('\n')).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.dialogs).toEqual([]);
}

async function statusOf(winnow: TestWinnow, address: string): Promise<string | undefined> {
  return (await winnow.store.list({ limit: 100 })).contacts.find((c) => c.email === address)?.status;
}

async function clickAndLoad(page: Page, click: () => Promise<void>) {
  await Promise.all([page.waitForNavigation(), click()]);
}

// Real mail and a real browser on a shared 2-core machine: more time than a unit test.
describe('reviewing people in the browser', { timeout: 45_000 }, () => {
  it('finds a person who answered, reads the answer, and accepts them; rejects another in bulk', async () => {
    const target = await dashboard.start('me1');
    const grace = { name: 'Grace Hopper', address: 'grace.hopper@navy.example' };
    const linus = { name: 'Linus Seller', address: 'linus@leads.example' };
    await ask(target.winnow, grace, 'I build compilers for the Navy and want to connect because your work on timber structures could house our new lab. We would share test facilities.');
    await ask(target.winnow, linus, 'Buy our lead lists! 50% off this week only, book a call: https://leads.example/offer');
    await ask(target.winnow, { name: 'Quiet Quentin', address: 'quentin@example.org' });

    const { page, watch } = await dashboard.browser.page({ origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);
    // The overview is the first page, and it opens on what needs the user: the two answers.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    const needs = page.locator('section.needs-you');
    expect(await needs.getByRole('link').allTextContents()).toEqual(['2 answers to decide']);
    await clickAndLoad(page, () => needs.getByRole('link', { name: '2 answers to decide' }).click());
    expect(new URL(page.url()).search).toBe('?status=answered');
    expect(await page.locator('table.people tbody tr').count()).toBe(2);
    // The same list, from the navigation.
    await clickAndLoad(page, () => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click());
    await clickAndLoad(page, () => page.getByRole('navigation', { name: 'Filter by status' }).getByRole('link', { name: /^answered/ }).click());
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('table tbody').textContent()).not.toContain('Quiet Quentin');

    // Grace's answer, in full on her page, with the quoted script kept apart.
    await clickAndLoad(page, () => page.getByRole('link', { name: 'Grace Hopper', exact: true }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Grace Hopper');
    const answer = page.locator('section[aria-labelledby="answer"]');
    expect(await answer.textContent()).toContain('I build compilers for the Navy');
    expect(await answer.locator('blockquote, .answer').first().textContent()).not.toContain('Thank you for wanting to connect');
    await answer.getByText('Show the full text').click();
    expect(await answer.locator('details pre').innerText()).toContain('> Thank you for wanting to connect.');

    await clickAndLoad(page, () => page.getByRole('button', { name: 'Accept Grace Hopper' }).click());
    expect(await statusOf(target.winnow, grace.address)).toBe('accepted');
    expect(await page.locator('main').textContent()).toMatch(/accepted/i);

    // Back on the list: tick the seller and reject in bulk.
    await page.goto(`${target.baseUrl}/people?status=answered`);
    await page.getByLabel('Select Linus Seller').check();
    await clickAndLoad(page, () => page.getByRole('button', { name: 'Reject selected' }).click());
    expect(await statusOf(target.winnow, linus.address)).toBe('rejected');
    expect(await statusOf(target.winnow, 'quentin@example.org')).toBe('asked');
    expectNoScriptTrouble(watch);
  });

  it('gives a person awaiting an address one, and the script goes to it; on a phone', async () => {
    const target = await dashboard.start('me2');
    const me = target.winnow.user.address;
    await dashboard.suite.sandbox.deliver(me, await linkedInInvitation2016({ name: 'Ada Lovelace', headline: 'Analyst at Babbage & Co', invitationId: '6132985418842456777' }, me));
    await target.winnow.waitForContact((c) => c.status === 'awaiting_address', MAIL_MS);

    const { page, watch } = await dashboard.browser.page({ viewport: PHONE, origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);
    for (const path of ['/', '/people', '/awaiting']) {
      await page.goto(`${target.baseUrl}${path}`);
      expect(await overflowsSideways(page), path).toBe(false);
    }
    expect(await page.getByLabel(/^Script for Ada Lovelace/).inputValue()).toContain('Hi Ada,');
    await page.getByLabel("Ada Lovelace's address").fill('ada@babbage.example');
    await clickAndLoad(page, () => page.getByRole('button', { name: 'Send the script' }).click());
    const script = await dashboard.suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('ada@babbage.example'), MAIL_MS);
    expect(script.headers.get('auto-submitted')).toBe('auto-replied');
    await target.winnow.waitForContact((c) => c.email === 'ada@babbage.example' && c.status === 'asked', MAIL_MS);
    expectNoScriptTrouble(watch);
  });

  it('on a phone, without JavaScript, folds the filters away so the list starts on the first screen; unfolded, they work', async () => {
    const target = await dashboard.start('me3');
    const me = target.winnow.user.address;
    for (const [name, invitationId] of [['Ada Lovelace', '6132985418842456701'], ['Charles Babbage', '6132985418842456702']] as const) {
      await dashboard.suite.sandbox.deliver(me, await linkedInInvitation2016({ name, headline: 'Engines at Babbage & Co', invitationId }, me));
      await target.winnow.waitForContact((c) => c.name === name, MAIL_MS);
    }

    const phone = await dashboard.browser.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, javaScriptEnabled: false });
    try {
      const page = await phone.newPage();
      await logIn(page, target.baseUrl, target.password);
      await page.goto(`${target.baseUrl}/people`);
      const firstRow = page.locator('table.people tbody tr').first();
      // The newest request first; its row begins above the bottom of the first screen.
      expect(await firstRow.locator('th').getByRole('link').first().textContent()).toBe('Charles Babbage');
      expect((await firstRow.boundingBox())!.y).toBeLessThan(PHONE.height - 100);
      expect(await page.getByLabel('Sort by').isVisible()).toBe(false);
      expect(await overflowsSideways(page)).toBe(false);

      await page.getByText('Filter and sort').click();
      await page.getByLabel('Sort by').selectOption('name');
      expect(await overflowsSideways(page)).toBe(false);
      await Promise.all([page.waitForURL((url) => url.searchParams.get('sort') === 'name'), page.getByRole('button', { name: 'Show' }).click()]);
      // Folded again on the new page, and the summary says what is in force.
      expect(await page.getByLabel('Sort by').isVisible()).toBe(false);
      expect(await page.locator('.more-filters summary').textContent()).toBe('Filter and sort: by name, A to Z');
      expect(await firstRow.locator('th').getByRole('link').first().textContent()).toBe('Ada Lovelace');
    } finally {
      await phone.close();
    }

    // On a wider screen the filters are all in view at once, with nothing to unfold.
    const { page, watch } = await dashboard.browser.page({ viewport: DESKTOP, origin: target.baseUrl });
    await logIn(page, target.baseUrl, target.password);
    await page.goto(`${target.baseUrl}/people`);
    for (const label of ['Status', 'Platform', 'Flag', 'Sort by', 'Order']) expect(await page.getByLabel(label, { exact: true }).isVisible(), label).toBe(true);
    expect(await page.getByText('Filter and sort').isVisible()).toBe(false);
    expectNoScriptTrouble(watch);
  });
});
