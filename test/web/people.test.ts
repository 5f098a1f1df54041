// The people pages with their forms, through app.inject on a real Redis: overview, the people list
// (filters, bulk decide, CSV), a person's actions, awaiting address. People are constructed
// through the store, as the workers would record them.
import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobId } from '../../src/queues/queues.ts';
import { standing } from '../../src/web/views/person.ts';
import { all, attribute, has, one, parseHtml, rawText, text, type Document } from '../support/dom.ts';
import { addPerson, API_TOKEN, askAndAnswer, BASE_TIME, form, hiddenCsrf, login, useWebTest } from './helpers.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('the people pages', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';
  let csrf = '';
  const id: Record<string, string> = {};

  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  const post = (url: string, fields: Record<string, string>, withToken = true) =>
    app.inject({ method: 'POST', url, ...form(withToken ? { _csrf: csrf, ...fields } : fields), cookies: { winnow_session: session } });
  /** A form post with repeated fields (several ticked boxes). */
  const postMany = (url: string, fields: Array<[string, string]>) =>
    app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams([['_csrf', csrf], ...fields]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: { winnow_session: session },
    });
  /** The one-time message on the page a redirect leads to: whether it says something was refused, and its text; null when there is none. */
  const notice = async (location: string) => {
    const found = all(parseHtml((await get(location)).body), 'p.notice[role="status"], p.notice[role="alert"]')[0];
    return found ? { refused: attribute(found, 'class')!.split(' ').includes('refused'), text: text(found) } : null;
  };
  /** The count of the funnel's step whose label starts so. */
  const stepCount = (doc: Document, label: string) => text(one(all(doc, 'div.step').find((step) => text(one(step, 'dt')).startsWith(label))!, 'dd span.step-count'));

  beforeEach(async () => {
    app = await web.app();
    const now = Date.now();
    id.ada = await addPerson(web.store, { name: 'Ada Answer', email: 'ada@example.org', platform: 'linkedin', headline: 'Founder at Analytical Engines', profileUrl: 'https://www.linkedin.com/in/ada' }, now - 3 * DAY);
    await askAndAnswer(web.store, id.ada, now - 3 * DAY, 'I build calculating engines and would like to compare notes.');
    await web.store.update(id.ada, { score: { why: true, business: true, benefit: false }, answerFullText: 'I build calculating engines and would like to compare notes.\n\n> On Monday you wrote:\n> Why connect?' }, { at: now - 3 * DAY + 4000, type: 'answered', detail: 'scored' });
    id.bob = await addPerson(web.store, { name: 'Bob Builder', email: 'bob@lists.example', platform: 'email', flags: ['open_networker', 'sales_pitch'] }, now - 2 * DAY);
    await askAndAnswer(web.store, id.bob, now - 2 * DAY, 'Buy my list of leads!');
    id.cat = await addPerson(web.store, { name: 'Cat Waiting', email: null, platform: 'linkedin', status: 'awaiting_address', profileUrl: 'https://www.linkedin.com/in/cat', invitationId: 'inv-cat' }, now - DAY);
    id.dan = await addPerson(web.store, { name: '=HYPERLINK("http://evil.example","Dan")', email: 'dan@example.org', headline: '+cmd|calc', status: 'awaiting_approval' }, now - DAY / 2);
    id.eve = await addPerson(web.store, { name: 'Eve Asked', email: 'eve@example.org' }, now - 10 * DAY);
    await askAndAnswer(web.store, id.eve, now - 10 * DAY);
    await web.store.update(id.eve, { attempts: 1 }, { at: now - 10 * DAY + 2000, type: 'asked', detail: 'script number 1 accepted' });
    session = await login(app);
    csrf = hiddenCsrf((await get('/people')).body);
  });

  describe('overview', () => {
    it('shows the funnel, the answer rate, the chart, and the health of mailbox and queues on the health page', async () => {
      await web.redis.hset(web.store.keys.health, { connected: 1, connectedAt: Date.UTC(2024, 4, 1, 8), lastMailAt: Date.UTC(2024, 4, 1, 9, 30), lastError: 'Connection <reset> by peer', lastErrorAt: Date.UTC(2024, 4, 1, 7) });
      await web.redis.set(web.store.keys.lease, 'some-process', 'PX', 60_000);
      const response = await get('/?period=30d');
      expect(response.statusCode).toBe(200);
      const doc = parseHtml(response.body);
      expect(stepCount(doc, 'Requests')).toBe('5');
      // Links carry the period, so they list the people the figures count.
      const period = `from=${new Date(Date.now() - 29 * DAY).toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`;
      const answered = one(all(doc, 'dt').find((dt) => text(dt).startsWith('Answered'))!, 'span.hint');
      expect(text(answered)).toBe('whatever you decided since; 2 still to decide');
      expect(attribute(one(answered, 'a'), 'href')).toBe(`/people?status=answered&${period}`);
      const awaitingLink = all(doc, 'dt > a').find((link) => text(link) === 'Awaiting address')!;
      expect(attribute(awaitingLink, 'href')).toBe(`/people?status=awaiting_address&${period}`);
      expect(stepCount(doc, 'Awaiting address')).toBe('1');
      // Two answered, one still waiting: both answered people's outcome is known.
      expect(text(one(doc, 'div.rate'))).toContain('100% answer rate');
      expect(text(one(doc, 'span.rate-value'))).toBe('100%');
      const chart = one(doc, 'svg[role="img"][aria-labelledby="chart-title chart-desc"]');
      // HTML reads attribute names case-blind; the parser gives them in lower case.
      expect(attribute(chart, 'viewbox')).toBe('0 0 720 264');
      expect(text(one(chart, 'title#chart-title'))).toBe('Requests and answers per day');
      expect(text(one(doc, 'span.health'))).toBe('Connected');
      expect(attribute(one(doc, 'span.health'), 'class')).toBe('health good');
      // The detail is on the health page.
      const health = parseHtml((await get('/health')).body);
      expect(text(health)).toContain('Connection <reset> by peer');
      expect(all(health, 'th[scope="row"]').map(text)).toContain('Scripts to send');
      // The 7-day period leaves out the request from ten days ago.
      expect(stepCount(parseHtml((await get('/?period=7d')).body), 'Requests')).toBe('4');
    });

    it('says a mailbox is not watched when no process holds its lease, whatever the last report said', async () => {
      // The last report says connected; no process holds the lease (it died, and its lease ran out).
      await web.redis.hset(web.store.keys.health, { connected: 1, connectedAt: Date.UTC(2024, 4, 1, 8) });
      for (const url of ['/', '/health']) {
        const status = one(parseHtml((await get(url)).body), 'span.health');
        expect([attribute(status, 'class'), text(status)], url).toEqual(['health bad', 'Not watched']);
      }
    });

    it('refuses a period it does not know', async () => {
      expect((await get('/?period=year')).statusCode).toBe(400);
    });
  });

  describe('the people list', () => {
    it('filters by platform, flag and date, and sorts', async () => {
      const linkedin = (await get('/people?platform=linkedin')).body;
      expect(linkedin).toContain('Ada Answer');
      expect(linkedin).toContain('Cat Waiting');
      expect(linkedin).not.toContain('Bob Builder');
      expect(linkedin).toContain('2 people match');
      const flagged = (await get('/people?flag=open_networker')).body;
      expect(flagged).toContain('Bob Builder');
      expect(all(parseHtml(flagged), 'li.flag.flag-open_networker').map(text)).toEqual(['open networker']);
      expect(flagged).not.toContain('Ada Answer');
      const today = new Date().toISOString().slice(0, 10);
      const recent = (await get(`/people?from=${today}&to=${today}&date=answered`)).body;
      expect(recent).toContain('No one matches this filter.');
      const byScore = (await get('/people?sort=score')).body;
      expect(byScore.indexOf('Ada Answer')).toBeLessThan(byScore.indexOf('Bob Builder'));
      expect(all(parseHtml(byScore), 'span.score').map(text)).toContain('2/3');
      expect(text(one(parseHtml(byScore), 'span.score strong'))).toBe('2');
      // The form's order is "usual" unless another was asked for, so picking "Name" lists A to Z.
      const order = (body: string) => all(parseHtml(body), 'select#filter-order[name="order"] option');
      const selected = (body: string) => order(body).filter((option) => attribute(option, 'selected') !== undefined).map((option) => attribute(option, 'value'));
      expect(order((await get('/people?sort=name')).body).map((option) => [attribute(option, 'value'), text(option)])).toContainEqual(['', 'usual: newest or highest first, names A to Z']);
      expect(selected((await get('/people?sort=name&order=asc')).body)).toEqual([]);
      const asSent = (await get('/people?q=&sort=name&order=&status=')).body;
      expect(asSent.indexOf('Ada Answer')).toBeLessThan(asSent.indexOf('Eve Asked'));
      const byName = (await get('/people?sort=name&order=desc')).body;
      expect(selected(byName)).toEqual(['desc']);
      expect(text(one(parseHtml(byName), 'select#filter-order option[value="desc"]'))).toBe('newest, highest or Z first');
      expect(byName.indexOf('Eve Asked')).toBeLessThan(byName.indexOf('Ada Answer'));
    });

    it('folds every filter but the search into a details element whose summary says what is in force', async () => {
      const plain = parseHtml((await get('/people')).body);
      expect(text(one(plain, 'details.more-filters > summary'))).toBe('Filter and sort');
      const filtered = parseHtml((await get('/people?platform=linkedin&flag=open_networker&sort=name')).body);
      const summary = one(filtered, 'details.more-filters > summary');
      expect(text(summary)).toBe('Filter and sort: LinkedIn, open networker, by name, A to Z');
      expect(text(one(summary, 'span.in-use'))).toBe(': LinkedIn, open networker, by name, A to Z');
      // Folded even then (a phone shows the list first); the fields keep the values in force.
      expect(has(filtered, 'details.more-filters[open]')).toBe(false);
      expect(text(one(filtered, 'option[value="linkedin"][selected]'))).toBe('LinkedIn');
      // The search stands before the folded filters, not inside them.
      const fields = all(filtered, 'input#q, details.more-filters');
      expect(fields.map((element) => element.name)).toEqual(['input', 'details']);
    });

    it('refuses a date that is not one, and a cursor that is not one', async () => {
      expect((await get('/people?from=2024-02-30')).statusCode).toBe(400);
      const cursor = await get('/people?cursor=bm90LWEtY3Vyc29y');
      expect(cursor.statusCode).toBe(400);
      expect(cursor.body).toContain('is not a cursor from an earlier page');
    });

    it('has a bulk form of real checkboxes, with "select all" hidden until its script runs', async () => {
      const doc = parseHtml((await get('/people')).body);
      const bulk = one(doc, 'form.bulk#bulk');
      expect([attribute(bulk, 'method'), attribute(bulk, 'action')]).toEqual(['post', '/people/decide']);
      const pick = one(doc, `input[type="checkbox"][name="ids"][value="${id.ada}"]`);
      expect(attribute(pick, 'id')).toBe(`pick-${id.ada}`);
      expect(text(one(doc, `label.visually-hidden[for="pick-${id.ada}"]`))).toBe('Select Ada Answer');
      expect(has(doc, 'input[type="checkbox"]#select-all[data-select-all="ids"][hidden]')).toBe(true);
      expect(text(one(doc, 'button[type="submit"][name="decision"][value="accepted"]'))).toBe('Accept selected');
      const script = attribute(one(doc, 'script[defer]'), 'src')!;
      expect(script).toMatch(/^\/assets\/people\.js\?v=[\w-]+$/);
      const js = await app.inject({ method: 'GET', url: script });
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    });

    it('accepts in bulk, returns to the same list and says what happened once', async () => {
      const back = '/people?platform=email';
      const response = await postMany('/people/decide', [['ids', id.ada!], ['ids', id.bob!], ['ids', id.cat!], ['decision', 'accepted'], ['back', back]]);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(back);
      const message = await notice(back);
      expect(message?.refused).toBe(true);
      expect(message?.text).toContain('Accepted 2 people.');
      expect(message?.text).toContain('1 could not be: Cat Waiting cannot be accepted yet: they are waiting for an address.');
      // Shown once.
      expect(await notice(back)).toBeNull();
      expect((await web.store.get(id.ada!))?.status).toBe('accepted');
      expect((await web.store.get(id.bob!))?.status).toBe('accepted');
      expect((await get('/people?status=accepted')).body).toContain('Bob Builder');
    });

    it('asks to tick someone when nothing is ticked, and refuses a bulk post without the token', async () => {
      const empty = await post('/people/decide', { decision: 'rejected' });
      expect(empty.statusCode).toBe(303);
      expect((await notice(empty.headers.location as string))?.text).toContain('Tick at least one person');
      const forged = await app.inject({ method: 'POST', url: '/people/decide', ...form({ ids: id.ada!, decision: 'rejected' }), cookies: { winnow_session: session } });
      expect(forged.statusCode).toBe(403);
      expect((await web.store.get(id.ada!))?.status).toBe('answered');
    });

    it('exports the current filter as CSV, safe against formulas', async () => {
      const response = await get('/people.csv?status=awaiting_approval');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="winnow-people-\d{4}-\d{2}-\d{2}\.csv"$/);
      const lines = response.body.replace(/^\ufeff/, '').split('\r\n');
      expect(lines[0]).toBe('"id","name","email","status","platform","headline","profile_url","requested_at","asked_at","answered_at","decided_at","score","says_why","says_business","says_benefit","flags","answer"');
      expect(lines).toHaveLength(3); // header, Dan, and the empty string after the last CRLF
      expect(lines[1]).toContain(`"${id.dan}","'=HYPERLINK(""http://evil.example"",""Dan"")","dan@example.org","awaiting_approval","email","'+cmd|calc"`);
      const all = await get('/people.csv');
      expect(all.body.split('\r\n')).toHaveLength(7);
    });
  });

  describe('People, formerly Responders', () => {
    it('lists everyone, whether they answered or not, under the name People', async () => {
      const doc = parseHtml((await get('/people')).body);
      expect(text(one(doc, 'h1'))).toBe('People');
      expect(text(one(doc, 'title'))).toBe('People · Winnow');
      expect(text(one(one(doc, 'nav[aria-label="Main"]'), 'a[aria-current="page"]'))).toBe('People');
      const rows = all(one(doc, 'table.people'), 'tr').slice(1);
      const byName = new Map(rows.map((row) => [text(one(row, 'th[scope="row"]')), text(one(row, 'td[data-label="Status"]'))]));
      // Cat never answered (no address yet) and Eve has not yet: both are on the list, with their status.
      const status = (name: string) => [...byName].find(([row]) => row.startsWith(name))?.[1];
      expect(status('Cat Waiting')).toBe('awaiting address');
      expect(status('Eve Asked')).toBe('asked');
    });

    it('sends the old addresses to the new ones, with their filters', async () => {
      const list = await get('/responders?status=answered&sort=name');
      expect(list.statusCode).toBe(301);
      expect(list.headers.location).toBe('/people?status=answered&sort=name');
      const csv = await get('/responders.csv?status=answered');
      expect(csv.statusCode).toBe(301);
      expect(csv.headers.location).toBe('/people.csv?status=answered');
      // A page left open posts its bulk form to the old path: it is re-posted to the new one.
      const decide = await post('/responders/decide', { ids: id.eve!, decision: 'rejected' });
      expect(decide.statusCode).toBe(307);
      expect(decide.headers.location).toBe('/people/decide');
    });

    it('reads a date range given backwards the right way round, and says so beside the fields', async () => {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const [early, late] = [day(Date.now() - 4 * DAY), day(Date.now())];
      const forward = parseHtml((await get(`/people?from=${early}&to=${late}`)).body);
      const backward = parseHtml((await get(`/people?from=${late}&to=${early}`)).body);
      const summary = (doc: ReturnType<typeof parseHtml>) => text(one(doc, 'p#list-summary'));
      expect(summary(forward)).toMatch(/^4 people match/);
      expect(summary(backward)).toBe(summary(forward));
      expect(attribute(one(backward, 'input#filter-from'), 'value')).toBe(early);
      expect(attribute(one(backward, 'input#filter-to'), 'value')).toBe(late);
      const note = one(one(backward, 'fieldset.date-range'), 'p#date-swapped');
      expect(text(note)).toBe(`The first date was after the second, so they were swapped: from ${early} to ${late}.`);
      // The filters unfold, so the note is seen.
      expect(attribute(one(backward, 'details.more-filters'), 'open')).toBe('');
      expect(has(forward, 'p#date-swapped')).toBe(false);
      // The API reads it the same way.
      const api = await app.inject({ method: 'GET', url: `/api/contacts?from=${late}&to=${early}`, headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect((api.json() as { total: number }).total).toBe(4);
    });

    it('counts the status links within the search, so "all" never claims people the search did not find', async () => {
      const chips = (doc: ReturnType<typeof parseHtml>) => all(one(doc, 'nav.counts'), 'a').map((a) => [text(a), attribute(a, 'aria-current') ?? null]);
      expect(chips(parseHtml((await get('/people?q=zzz-nobody')).body))).toEqual([['all that match 0', 'true']]);
      const ada = chips(parseHtml((await get('/people?q=analytical')).body));
      expect(ada[0]).toEqual(['all that match 1', 'true']);
      expect(ada).toHaveLength(2);
      expect(ada[1]![0]).toMatch(/ 1$/);
      // Without a search, every status of everyone.
      expect(chips(parseHtml((await get('/people')).body))[0]![0]).toMatch(/^all 5$/);
    });
  });

  describe('a person', () => {
    it('names the mail behind each event in words, with the Message-ID one click away', async () => {
      const at = Date.now() - 5 * DAY;
      const who = await addPerson(web.store, { name: 'Tim Timeline', email: 'tim@example.org', requestMessageId: '<request-tim@example.org>' }, at);
      const ours = `winnow.${who}.1@example.test`;
      await web.store.transition(who, 'queued', {}, { at: at + 1000, type: 'queued', detail: 'script queued' });
      await web.store.transition(who, 'asked', { askedAt: at + 2000, deadlineAt: at + 7 * DAY, scriptMessageId: ours, attempts: 1 }, { at: at + 2000, type: 'asked', detail: 'script sent: 250 OK', messageId: ours });
      await web.store.note(who, { at: at + 3000, type: 'reminded', detail: 'reminder sent to tim@example.org', messageId: `winnow.${who}.1.reminder@example.test` });
      await web.store.transition(who, 'answered', { answeredAt: at + 4000, answerText: 'Hello.' }, { at: at + 4000, type: 'answered', detail: 'answered before the deadline', messageId: '<CAF+tim-reply@mail.example.org>' });
      const doc = parseHtml((await get(`/contacts/${who}`)).body);
      const timeline = one(doc, 'ol.timeline');
      const mails = all(timeline, 'details.message-id');
      expect(mails.map((mail) => text(one(mail, 'summary')))).toEqual(['Mail: the request', 'Mail: script #1', 'Mail: reminder after script #1', 'Mail: answer to script #1']);
      expect(text(one(mails[3]!, 'code'))).toBe('<CAF+tim-reply@mail.example.org>');
      // The raw Message-IDs are folded away, not the first thing a reader sees.
      for (const event of all(timeline, 'li')) {
        expect(text(one(event, 'div.what'))).not.toMatch(/winnow\.|request-tim|CAF\+/);
      }
    });


    it('shows the answer stripped, the full text on demand, the script and the actions that apply', async () => {
      expect((await post(`/contacts/${id.ada}/accept`, {})).statusCode).toBe(303);
      const doc = parseHtml((await get(`/contacts/${id.ada}`)).body);
      expect(text(one(doc, 'blockquote.answer'))).toBe('I build calculating engines and would like to compare notes.');
      const full = one(doc, 'details.full-answer');
      expect(text(one(full, 'summary'))).toMatch(/^Show the full text as received/);
      expect(text(one(full, 'pre.mail-text'))).toContain('> On Monday you wrote:');
      expect(text(one(doc, 'h2#script-heading'))).toBe('The script');
      expect(attribute(one(doc, 'a[href="https://www.linkedin.com/in/ada"]'), 'rel')).toBe('noopener noreferrer nofollow');
      // Accepted already: reject is offered, accept is not.
      const actions = all(doc, 'form.inline-form[method="post"]').map((action) => attribute(action, 'action'));
      expect(actions).toContain(`/contacts/${id.ada}/reject`);
      expect(actions).not.toContain(`/contacts/${id.ada}/accept`);
      // Exporting is noted on the timeline, so it is a form with the token, not a link.
      const exporting = one(doc, `form.inline-form[method="post"][action="/contacts/${id.ada}/export"]`);
      expect(attribute(one(exporting, 'input[type="hidden"][name="_csrf"]'), 'value')).toBe(csrf);
      expect(has(doc, `a[href="/contacts/${id.ada}/export"]`)).toBe(false);
    });

    it('refuses every action without the CSRF token', async () => {
      for (const action of ['accept', 'reject', 'approve', 'handled', 'address', 'send-again', 'erase', 'export']) {
        const response = await post(`/contacts/${id.eve}/${action}`, { email: 'x@example.org', confirm: 'yes' }, false);
        expect(response.statusCode, action).toBe(403);
      }
      expect((await web.store.get(id.eve!))?.status).toBe('asked');
    });

    it('rejects, then the page says so', async () => {
      const response = await post(`/contacts/${id.ada}/reject`, {});
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/contacts/${id.ada}`);
      expect((await notice(`/contacts/${id.ada}`))?.text).toBe('Ada Answer is rejected.');
    });

    it('ignores a return address that leads off the dashboard', async () => {
      // Nor one that cannot be a Location header (a control character, a raw non-ASCII letter):
      // that was a 500 after the action had been done.
      for (const back of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/\u0001x', '/people?q=Zoë', '/\u0000']) {
        const response = await post(`/contacts/${id.ada}/accept`, { back });
        expect(response.headers.location, back).toBe(`/contacts/${id.ada}`);
      }
    });

    it('approves a waiting script: its send job is added', async () => {
      const response = await post(`/contacts/${id.dan}/approve`, {});
      expect(response.statusCode).toBe(303);
      expect((await web.store.get(id.dan!))?.status).toBe('queued');
      expect(await web.queues.send.getJob(jobId.send('primary', id.dan!, 1))).toBeTruthy();
    });

    it('asks before sending again, then queues script number two', async () => {
      const confirm = await get(`/contacts/${id.eve}/send-again`);
      expect(confirm.statusCode).toBe(200);
      const page = parseHtml(confirm.body);
      expect(text(one(page, 'h1'))).toBe('Send the script again to Eve Asked?');
      // Where she stands, in words (not "Eve Asked is asked", nor "Bob is no response").
      const standingLine = all(page, 'main p').find((p) => text(p).startsWith('Eve Asked has not answered yet.'))!;
      expect(text(standingLine)).toMatch(/^Eve Asked has not answered yet\. The script goes once more to eve@example\.org/);
      expect(text(one(standingLine, 'strong'))).toBe('eve@example.org');
      expect(standing('Bob', 'no_response')).toBe('Bob let the deadline pass without answering');
      expect(standing('Bob', 'bounced')).toBe("Bob's script bounced");
      expect(has(page, 'input[type="hidden"][name="confirm"][value="yes"]')).toBe(true);
      // A post without the confirmation goes to the confirmation page and sends nothing.
      const unconfirmed = await post(`/contacts/${id.eve}/send-again`, {});
      expect(unconfirmed.headers.location).toBe(`/contacts/${id.eve}/send-again`);
      expect((await web.store.get(id.eve!))?.status).toBe('asked');
      const confirmed = await post(`/contacts/${id.eve}/send-again`, { confirm: 'yes' });
      expect(confirmed.headers.location).toBe(`/contacts/${id.eve}`);
      expect((await notice(`/contacts/${id.eve}`))?.text).toBe('The script to Eve Asked is queued again.');
      expect((await web.store.get(id.eve!))?.status).toBe('queued');
      expect(await web.queues.send.getJob(jobId.send('primary', id.eve!, 2))).toBeTruthy();
    });

    it('downloads everything about the person as JSON by a form post, and notes the export on the timeline', async () => {
      const exports = async () => (await web.store.timeline(id.bob!)).filter((entry) => entry.type === 'exported').length;
      // A GET (a link, a prefetch, another site's top-level navigation) or a HEAD records nothing.
      expect((await get(`/contacts/${id.bob}/export`)).statusCode).toBe(404);
      expect((await app.inject({ method: 'HEAD', url: `/contacts/${id.bob}/export`, cookies: { winnow_session: session } })).statusCode).toBe(404);
      expect((await post(`/contacts/${id.bob}/export`, {}, false)).statusCode).toBe(403);
      expect(await exports()).toBe(0);
      const response = await post(`/contacts/${id.bob}/export`, {});
      expect(response.statusCode).toBe(200);
      expect(await exports()).toBe(1);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="winnow-person-${id.bob}.json"`);
      const body = response.json() as { format: string; contact: { name: string }; timeline: Array<{ type: string }> };
      expect(body.format).toBe('winnow-person-export');
      expect(body.contact.name).toBe('Bob Builder');
      expect(body.timeline.map((e) => e.type)).toContain('answered');
    });
  });

  describe('awaiting address', () => {
    it('shows the script to copy, the profile link and an address field', async () => {
      const doc = parseHtml((await get('/awaiting')).body);
      expect(attribute(one(doc, `h2#name-${id.cat} > a`), 'href')).toBe(`/contacts/${id.cat}`);
      expect(text(one(doc, `h2#name-${id.cat}`))).toBe('Cat Waiting');
      const script = one(doc, `textarea#script-${id.cat}.code[rows="9"][readonly]`);
      expect(rawText(script)).toMatch(/^Hi Person,/);
      expect(text(one(doc, `button[type="button"].secondary[data-copy="script-${id.cat}"][hidden]`))).toBe('Copy the script');
      expect(attribute(one(doc, 'a[href="https://www.linkedin.com/in/cat"]'), 'rel')).toBe('noopener noreferrer nofollow');
      expect(text(one(doc, `label[for="address-${id.cat}"]`))).toBe("Cat Waiting's address");
      expect(text(doc)).not.toContain('Eve Asked');
    });

    it('refuses an address that is not one, and keeps the person waiting', async () => {
      const response = await post(`/contacts/${id.cat}/address`, { email: 'cat at example', back: '/awaiting' });
      expect(response.headers.location).toBe('/awaiting');
      const message = await notice('/awaiting');
      expect(message?.refused).toBe(true);
      expect(message?.text).toContain('is not an address such as jane@example.org');
      expect((await web.store.get(id.cat!))?.status).toBe('awaiting_address');
    });

    it('queues the script when the address is typed, and the person leaves the page', async () => {
      const response = await post(`/contacts/${id.cat}/address`, { email: 'cat@example.org', back: '/awaiting' });
      expect(response.headers.location).toBe('/awaiting');
      expect((await notice('/awaiting'))?.text).toBe('Cat Waiting: the script is queued for cat@example.org.');
      expect(await web.store.get(id.cat!)).toMatchObject({ status: 'queued', email: 'cat@example.org' });
      expect(await web.queues.send.getJob(jobId.send('primary', id.cat!, 1))).toBeTruthy();
      expect((await web.store.findByAddress('cat@example.org'))?.id).toBe(id.cat);
      expect((await get('/awaiting')).body).toContain('No one is waiting for an address.');
    });
  });

  describe('erase', () => {
    it('asks first, then removes the person and every key that leads to them', async () => {
      const confirm = parseHtml((await get(`/contacts/${id.bob}/erase`)).body);
      expect(text(one(confirm, 'h1'))).toBe('Erase Bob Builder?');
      expect(has(confirm, 'input[type="checkbox"][name="forget"][value="yes"][checked]')).toBe(true);
      // It says what stays: the user's own mail.
      expect(text(one(confirm, 'h2#erase-stays-heading'))).toBe('What stays');
      expect(text(confirm)).toContain('the copy of every script sent to Bob Builder in your Sent folder');
      const unconfirmed = await post(`/contacts/${id.bob}/erase`, { forget: 'yes' });
      expect(unconfirmed.headers.location).toBe(`/contacts/${id.bob}/erase`);
      expect(await web.store.get(id.bob!)).not.toBeNull();

      const response = await post(`/contacts/${id.bob}/erase`, { confirm: 'yes', forget: 'yes' });
      expect(response.headers.location).toBe('/people');
      expect((await notice('/people'))?.text).toContain('Bob Builder is erased. Only a keyed hash');
      expect(await web.store.get(id.bob!)).toBeNull();
      expect(await web.store.findByAddress('bob@lists.example')).toBeNull();
      const keys = await web.redis.keys(`${web.config.redis.prefix}:*`);
      expect(keys.filter((key) => key.includes(id.bob!) || key.includes('bob@lists.example'))).toEqual([]);
      expect((await get(`/contacts/${id.bob}`)).statusCode).toBe(404);
      expect((await get('/people')).body).not.toContain('Bob Builder');
    });
  });

  it('answers after the directory has caught up with a change made elsewhere', async () => {
    const newcomer = await addPerson(web.store, { name: 'Fay Fresh' }, BASE_TIME + MINUTE);
    expect((await get('/people?q=fay')).body).toContain(`/contacts/${newcomer}`);
  });
});
