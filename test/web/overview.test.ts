// The overview's funnel links: each leads to a list that holds as many people as the figure or
// the link says, for the period shown (a busy reader clicks "Answered 2" and expects two people).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson, askAndAnswer, login, startWebTest, type WebTest } from './helpers.ts';

const DAY = 86_400_000;

describe('the overview funnel', () => {
  let web: WebTest;
  let app: FastifyInstance;
  let session = '';
  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  /** How many people the responders list at this address holds, from its summary line. */
  const listed = async (href: string) => {
    const body = (await get(href.replace(/&amp;/g, '&'))).body;
    return Number(/<p class="list-summary" id="list-summary">(\d+) (?:person|people)/.exec(body)?.[1]);
  };
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  beforeAll(async () => {
    web = await startWebTest();
    app = await web.app();
    const now = Date.now();
    // Two answered, one of them accepted since; one let the deadline pass; one waits for an
    // address but asked 40 days ago, outside the 30-day period.
    const ann = await addPerson(web.store, { name: 'Ann Accepted', email: 'ann@example.org' }, now - 3 * DAY);
    await askAndAnswer(web.store, ann, now - 3 * DAY, 'We both build bridges.');
    await web.store.transition(ann, 'accepted', { decidedAt: now - 2 * DAY }, { at: now - 2 * DAY, type: 'accepted', detail: 'accepted by the user' });
    const ben = await addPerson(web.store, { name: 'Ben Answered', email: 'ben@example.org' }, now - 2 * DAY);
    await askAndAnswer(web.store, ben, now - 2 * DAY, 'I sell timber; you design with it.');
    await addPerson(web.store, { name: 'Old Waiting', email: null, status: 'awaiting_address' }, now - 40 * DAY);
    session = await login(app);
  });

  afterAll(async () => {
    await web?.stop();
  });

  it('counts answers whatever was decided since, and links to the ones still to decide', async () => {
    const body = (await get('/?period=30d')).body;
    expect(body).toMatch(/<dt>Answered <span class="hint">whatever you decided since; <a href="[^"]+">1 still to decide<\/a><\/span><\/dt>\s*<dd><span class="step-count">2<\/span>/);
    const toDecide = /<a href="([^"]+)">1 still to decide<\/a>/.exec(body)![1]!;
    expect(toDecide).toContain('status=answered');
    expect(await listed(toDecide)).toBe(1);
    const accepted = /<dt><a href="([^"]+)">Accepted<\/a><\/dt>\s*<dd><span class="step-count">1<\/span>/.exec(body)![1]!;
    expect(await listed(accepted)).toBe(1);
  });

  it('links to the people of the period shown, not of all time', async () => {
    const now = Date.now();
    const month = (await get('/?period=30d')).body;
    // The only person awaiting an address asked before the period: no figure, no link.
    expect(month).toMatch(/<dt>Awaiting address<\/dt>\s*<dd><span class="step-count">0<\/span>/);
    const all = (await get('/?period=all')).body;
    const awaiting = /<dt><a href="([^"]+)">Awaiting address<\/a><\/dt>\s*<dd><span class="step-count">1<\/span>/.exec(all)![1]!;
    expect(awaiting).toBe(`/responders?status=awaiting_address&amp;from=${isoDay(now - 40 * DAY)}&amp;to=${isoDay(now)}`);
    expect(await listed(awaiting)).toBe(1);
    // Every link of the funnel leads to a list as long as what the page says of it.
    for (const match of month.matchAll(/<dt><a href="([^"]+)">[^<]+<\/a><\/dt>\s*<dd><span class="step-count">(\d+)<\/span>/g)) {
      expect(await listed(match[1]!), match[1]).toBe(Number(match[2]));
    }
  });
});
