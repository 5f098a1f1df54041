// The overview: it opens on what needs the user, each as a link with its count that leads to a list
// of exactly those people; then the funnel, whose links lead to lists as long as its figures (a busy
// reader clicks "Answered 2" and expects two people); then one line of health, whose detail is on
// the health page.
import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { funnel } from '../../src/contacts/stats.ts';
import { overviewPage, type OverviewModel } from '../../src/web/views/overview.ts';
import { all, attribute, has, one, parseHtml, text } from '../support/dom.ts';
import { addPerson, askAndAnswer, login, useWebTest } from './helpers.ts';

const DAY = 86_400_000;

describe('the overview', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';
  const get = (url: string, cookies: Record<string, string> = { winnow_session: session }) => app.inject({ method: 'GET', url, cookies });
  const page = async (url: string) => parseHtml((await get(url)).body);
  /** How many people the list at this address holds, from its summary line. */
  const listed = async (href: string) => {
    const summary = text(one(await page(href), 'p#list-summary'));
    return Number(/^(\d+) (?:person|people)/.exec(summary)?.[1]);
  };
  /** How many people wait for an address, from the awaiting page's introduction. */
  const awaiting = async () => Number(/(\d+) (?:person waits|people wait)/.exec(text(one(await page('/awaiting'), 'p.lead')))?.[1]);
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  beforeEach(async () => {
    app = await web.app();
    const now = Date.now();
    // Two answered, one of them accepted since; one waits for an address but asked 40 days ago,
    // outside the 30-day period; one waits for approval; one script failed, one bounced.
    const ann = await addPerson(web.store, { name: 'Ann Accepted', email: 'ann@example.org' }, now - 3 * DAY);
    await askAndAnswer(web.store, ann, now - 3 * DAY, 'We both build bridges.');
    await web.store.transition(ann, 'accepted', { decidedAt: now - 2 * DAY }, { at: now - 2 * DAY, type: 'accepted', detail: 'accepted by the user' });
    const ben = await addPerson(web.store, { name: 'Ben Answered', email: 'ben@example.org' }, now - 2 * DAY);
    await askAndAnswer(web.store, ben, now - 2 * DAY, 'I sell timber; you design with it.');
    await addPerson(web.store, { name: 'Old Waiting', email: null, status: 'awaiting_address' }, now - 40 * DAY);
    await addPerson(web.store, { name: 'Abe Approval', email: 'abe@example.org', status: 'awaiting_approval' }, now - DAY);
    await addPerson(web.store, { name: 'Fay Failed', email: 'fay@example.org', status: 'failed' }, now - DAY);
    await addPerson(web.store, { name: 'Bo Bounced', email: 'bo@example.org', status: 'bounced' }, now - DAY);
    await addPerson(web.store, { name: 'Wes Waiting', email: 'wes@example.org' }, now - DAY).then((id) => askAndAnswer(web.store, id, now - DAY));
    session = await login(app);
  });

  describe('needs you', () => {
    it('opens with what waits for the user, each a link with its count, whatever the period', async () => {
      const doc = await page('/?period=7d');
      // It comes first: before the period tabs, the funnel and the chart.
      const headings = all(one(doc, 'main'), 'h2').map(text);
      expect(headings[0]).toBe('Needs you');
      const needs = one(doc, 'section.needs-you');
      const links = all(needs, 'a').map((link) => [text(link), attribute(link, 'href')]);
      // The person awaiting an address asked 40 days ago, outside the 7 days shown: still waiting.
      expect(links).toEqual([
        ['1 answer to decide', '/people?status=answered'],
        ['1 invitation needs an address', '/awaiting'],
        ['1 script waits for your approval', '/people?status=awaiting_approval'],
        ['1 script could not be sent', '/people?status=failed'],
        ['1 script bounced', '/people?status=bounced'],
      ]);
      // Failures are in the colour of trouble, and their words say so too.
      expect(all(needs, 'li.tone-bad').map(text)).toEqual([expect.stringContaining('could not be sent'), expect.stringContaining('bounced')]);
    });

    it('leads each link to a list of exactly the people it counts', async () => {
      const needs = one(await page('/'), 'section.needs-you');
      for (const link of all(needs, 'a')) {
        const href = attribute(link, 'href')!;
        const count = Number(/^\d+/.exec(text(link))?.[0]);
        if (href === '/awaiting') expect(await awaiting(), href).toBe(count);
        else expect(await listed(href), href).toBe(count);
      }
      // And the lists hold the right people.
      expect(text(one(await page('/people?status=answered'), 'table.people'))).toContain('Ben Answered');
      expect(text(one(await page('/people?status=failed'), 'table.people'))).toContain('Fay Failed');
    });

    it('says so plainly when nothing waits', () => {
      const model: OverviewModel = {
        needsYou: { answers: 0, awaitingAddress: 0, awaitingApproval: 0, failed: 0, bounced: 0 },
        period: '30d',
        from: 0,
        to: DAY,
        funnel: funnel([], 0, DAY),
        series: [],
        bucket: 'day',
        mailbox: { known: true, connected: true, watched: true, connectedAt: 1, lastMailAt: null, lastError: null, lastErrorAt: null },
        queues: [],
        queueError: null,
        skippedMail: 0,
        flash: null,
      };
      const needs = one(parseHtml(overviewPage({ session: null, assets: { css: '/a.css', icon: '/i.svg' } }, model).value), 'section.needs-you');
      expect(text(needs)).toContain('Nothing needs you now.');
      expect(has(needs, 'a')).toBe(false);
      // A mailbox that lost its connection needs the user even when no person does.
      const trouble = { ...model, mailbox: { ...model.mailbox, connected: false } };
      const alarm = one(parseHtml(overviewPage({ session: null, assets: { css: '/a.css', icon: '/i.svg' } }, trouble).value), 'section.needs-you');
      expect(attribute(one(alarm, 'a'), 'href')).toBe('/health');
      expect(text(alarm)).toContain('The mailbox is not connected');
    });
  });

  describe('the funnel', () => {
    it('counts answers whatever was decided since, and links to the ones still to decide', async () => {
      const doc = await page('/?period=30d');
      const answered = all(doc, 'div.step').find((step) => text(step).startsWith('Answered'))!;
      expect(text(one(answered, 'span.step-count'))).toBe('2');
      const toDecide = one(answered, 'a');
      expect(text(toDecide)).toBe('1 still to decide');
      expect(attribute(toDecide, 'href')).toContain('status=answered');
      expect(await listed(attribute(toDecide, 'href')!)).toBe(1);
    });

    it('links to the people of the period shown, not of all time', async () => {
      const now = Date.now();
      const step = (doc: ReturnType<typeof parseHtml>, label: string) => all(doc, 'div.step').find((s) => text(one(s, 'dt')).startsWith(label))!;
      const month = await page('/?period=30d');
      // The only person awaiting an address asked before the period: no figure, no link.
      expect(text(step(month, 'Awaiting address'))).toBe('Awaiting address 0');
      expect(has(step(month, 'Awaiting address'), 'a')).toBe(false);
      const everything = await page('/?period=all');
      const awaitingLink = one(step(everything, 'Awaiting address'), 'a');
      expect(attribute(awaitingLink, 'href')).toBe(`/people?status=awaiting_address&from=${isoDay(now - 40 * DAY)}&to=${isoDay(now)}`);
      expect(await listed(attribute(awaitingLink, 'href')!)).toBe(1);
      // Every link of the funnel leads to a list as long as what the page says of it.
      for (const s of all(month, 'div.step')) {
        const dt = one(s, 'dt');
        const label = dt.children[0];
        if (!label || label.type !== 'tag' || label.name !== 'a') continue;
        const href = attribute(label, 'href')!;
        expect(await listed(href), href).toBe(Number(text(one(s, 'span.step-count'))));
      }
    });

    it('colours each step by what it means, and names it in words', async () => {
      const steps = all(await page('/?period=30d'), 'div.step');
      const tone = (label: string) => {
        const found = steps.find((s) => text(one(s, 'dt')).startsWith(label))!;
        const fill = one(found, 'rect.bar-fill');
        return attribute(fill, 'class')!.split(' ').find((c) => c.startsWith('tone-'));
      };
      expect(tone('Answered')).toBe('tone-good');
      expect(tone('Accepted')).toBe('tone-good');
      expect(tone('Declined')).toBe('tone-bad');
      expect(tone('Bounced or failed')).toBe('tone-bad');
      expect(tone('Waiting for an answer')).toBe('tone-wait');
      expect(tone('Requests')).toBe('tone-neutral');
      // The bars are pictures of the counts beside them: hidden from screen readers, never the only cue.
      for (const svg of all(steps, 'svg.bar')) expect(attribute(svg, 'aria-hidden')).toBe('true');
    });

    it('gives the answer rate with its sample size, muted below 10 people', async () => {
      const rate = one(await page('/?period=30d'), 'div.rate');
      // Ann and Ben answered; Wes is still within his deadline, so his outcome is not known.
      expect(text(rate)).toContain('100% answer rate: 2 of 2 people answered');
      expect(attribute(rate, 'class')).toContain('rate-few');
      expect(text(rate)).toContain('too few to judge by');

      const many = funnel(
        Array.from({ length: 12 }, (_, i) => ({ status: i < 9 ? ('answered' as const) : ('no_response' as const), requestedAt: 10, askedAt: 20, answeredAt: i < 9 ? 30 : null })),
        0,
        DAY,
      );
      const view = { session: null, assets: { css: '/a.css', icon: '/i.svg' } };
      const model: OverviewModel = {
        needsYou: { answers: 0, awaitingAddress: 0, awaitingApproval: 0, failed: 0, bounced: 0 },
        period: '30d',
        from: 0,
        to: DAY,
        funnel: many,
        series: [],
        bucket: 'day',
        mailbox: { known: false, connected: false, watched: false, connectedAt: null, lastMailAt: null, lastError: null, lastErrorAt: null },
        queues: [],
        queueError: null,
        skippedMail: 0,
        flash: null,
      };
      const big = one(parseHtml(overviewPage(view, model).value), 'div.rate');
      expect(text(big)).toContain('75% answer rate: 9 of 12 people answered');
      expect(attribute(big, 'class')).toBe('rate');
    });
  });

  describe('health', () => {
    it('sums up the health in a line that links to the health page; the queue table is not on the overview', async () => {
      const doc = await page('/');
      expect(has(doc, 'table.queues')).toBe(false);
      const summary = one(doc, 'section.health-summary');
      expect(text(summary)).toContain('no failed jobs');
      expect(attribute(one(summary, 'a'), 'href')).toBe('/health');
      const nav = one(doc, 'nav[aria-label="Main"]');
      expect(all(nav, 'a').map((a) => [text(a), attribute(a, 'href')])).toContainEqual(['Health', '/health']);
    });

    it('shows the mailbox and the queues on the health page, behind the login', async () => {
      const anonymous = await get('/health', {});
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe('/login?next=%2Fhealth');
      const response = await get('/health');
      expect(response.statusCode).toBe(200);
      const doc = parseHtml(response.body);
      expect(text(one(doc, 'h1'))).toBe('Health');
      const queues = one(doc, 'table.queues');
      expect(all(queues, 'th[scope="row"]').map(text)).toEqual(['Incoming mail', 'Scripts to send', 'Deadlines', 'Copies for the Sent folder']);
      // On a phone each cell names its column, so the Failed one is never off-screen unnamed.
      expect(all(queues, 'td').map((td) => attribute(td, 'data-label'))).toContain('Failed');
      expect(text(one(doc, 'section[aria-labelledby="mailbox-heading"]'))).toContain('Mail that could not be used');
      const current = one(one(doc, 'nav[aria-label="Main"]'), 'a[aria-current="page"]');
      expect(text(current)).toBe('Health');
    });
  });
});
