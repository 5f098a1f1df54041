// Asked on the platform, on the dashboard: "I sent it on LinkedIn" beside the script to copy, and
// the way back to the platform after a decision. People are constructed through the store, as the
// workers would record them; the pages are read through app.inject on a real Redis.
import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobId } from '../../src/queues/queues.ts';
import { defaultSettings } from '../../src/settings/settings.ts';
import { readSettingsForm, settingsToForm } from '../../src/web/views/settings.ts';
import { all, has, one, parseHtml, text } from '../support/dom.ts';
import { addPerson, askAndAnswer, form, hiddenCsrf, login, useWebTest } from './helpers.ts';

const DAY = 86_400_000;
const ACCEPT = 'https://www.linkedin.com/comm/people/invite-accept?mboxid=I6200_500&sharedKey=48j6iM8P&invitationId=6200';

describe('the digest on the settings form', () => {
  const defaults = defaultSettings({ responseDeadlineMs: DAY, dedupeWindowMs: DAY });

  it('reads the digest with the rest, and names its wrong fields beside every other problem at once', () => {
    const daily = { ...settingsToForm(defaults), digestEvery: 'hours', digestHour: '7', digestHours: '4' };
    expect(readSettingsForm(daily, defaults)).toEqual({ candidate: { ...defaults, digest: { every: 'hours', hour: 7, hours: 4 } }, errors: {} });

    const wrong = { ...settingsToForm(defaults), digestEvery: 'weekly', digestHour: '24', digestHours: '0', timeZone: ' ' };
    const result = readSettingsForm(wrong, defaults);
    expect(result.errors).toEqual({
      timeZone: 'Enter a time zone such as Europe/Berlin, or UTC.',
      digestEvery: 'Choose no digest, a daily one, or one every few hours.',
      digestHour: 'Enter an hour from 0 to 23.',
      digestHours: 'Enter a number of hours from 1 to 24.',
    });
    // What the form could not read keeps the digest in force, for the store's check of the rest.
    expect(result.candidate.digest).toEqual(defaults.digest);
  });
});

describe('asked on the platform, on the dashboard', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';
  let csrf = '';
  const id: Record<string, string> = {};
  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  const post = (url: string, fields: Record<string, string>) => app.inject({ method: 'POST', url, ...form({ _csrf: csrf, ...fields }), cookies: { winnow_session: session } });

  beforeEach(async () => {
    app = await web.app();
    const now = Date.now();
    id.lin = await addPerson(web.store, { name: 'Lin Waiting', email: null, platform: 'linkedin', status: 'awaiting_address', profileUrl: 'https://www.linkedin.com/in/lin', invitationId: 'inv-lin' }, now - DAY);
    id.mail = await addPerson(web.store, { name: 'Mia Mail', email: null, platform: 'email', status: 'awaiting_address' }, now - DAY);
    id.acc = await addPerson(web.store, { name: 'Ann Accepted', email: 'ann@example.org', platform: 'linkedin', acceptUrl: ACCEPT }, now - 2 * DAY);
    await askAndAnswer(web.store, id.acc, now - 2 * DAY, 'We met in Porto.');
    await web.store.transition(id.acc, 'accepted', { decidedAt: now }, { at: now, type: 'accepted', detail: 'accepted by the user' });
    id.rej = await addPerson(web.store, { name: 'Rex Rejected', email: 'rex@example.org', platform: 'xing' }, now - 2 * DAY);
    await askAndAnswer(web.store, id.rej, now - 2 * DAY, 'Buy now.');
    await web.store.transition(id.rej, 'rejected', { decidedAt: now }, { at: now, type: 'rejected', detail: 'rejected by the user' });
    session = await login(app);
    csrf = hiddenCsrf((await get('/awaiting')).body);
  });

  it('the settings page previews the digest as it would go now, without sending or changing anything', async () => {
    expect(text(one(parseHtml((await get('/settings')).body), 'a[href="/settings/digest"]'))).toBe('Preview the digest as it would go now');
    const body = (await get('/settings/digest')).body;
    expect(body).toContain('The digest is off');
    expect(text(parseHtml(body))).toMatch(/Subject: Winnow: 1 to send on a platform, 1 waiting for an address \(\d{4}-\d{2}-\d{2}\)/);
    // Asked by mail, with no address: they need the user too.
    expect(body).toContain(`Give their address: http://localhost:3000/contacts/${id.mail}`);
    expect(body).toContain('Lin Waiting [new], LinkedIn');
    expect(body).toContain(`Say you sent it: http://localhost:3000/contacts/${id.lin}`);
    expect(body).toContain('Thank you for wanting to connect via LinkedIn.');
    // The HTML part, in a sandboxed frame under the preview's own policy.
    expect(has(parseHtml(body), 'iframe.mail-html[src="/settings/digest/html"][sandbox=""]')).toBe(true);
    const frame = await get('/settings/digest/html');
    expect(frame.headers['content-security-policy']).toContain('sandbox');
    expect(text(one(parseHtml(frame.body), `a[href="http://localhost:3000/contacts/${id.lin}"]`))).toBe('Say you sent it');
    expect((await web.store.get(id.lin!))!.status).toBe('awaiting_address');
  });

  it('the Awaiting page offers "I sent it on LinkedIn" with LinkedIn messaging beside the script, and not for a request that came by mail', async () => {
    const doc = parseHtml((await get('/awaiting')).body);
    const sent = one(doc, `form.inline-form[method="post"][action="/contacts/${id.lin}/sent-on-platform"]`);
    expect(text(one(sent, 'button[type="submit"]'))).toBe('I sent it on LinkedIn');
    expect(has(doc, 'a[href="https://www.linkedin.com/messaging/"]')).toBe(true);
    expect(has(doc, `form[action="/contacts/${id.mail}/sent-on-platform"]`)).toBe(false);
  });

  it('pressing it asks the person on LinkedIn: the deadline runs and its job waits; the page says so', async () => {
    const response = await post(`/contacts/${id.lin}/sent-on-platform`, { back: '/awaiting' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/awaiting');
    expect((await get('/awaiting')).body).toContain('Lin Waiting is asked on LinkedIn');
    const person = (await web.store.get(id.lin!))!;
    expect(person).toMatchObject({ status: 'asked', channel: 'platform' });
    expect(person.deadlineAt! - person.askedAt!).toBe(7 * DAY);
    expect(await web.queues.deadline.getJob(jobId.deadline('primary', id.lin!))).toBeTruthy();
    const page = (await get(`/contacts/${id.lin}`)).body;
    expect(page).toContain('on LinkedIn (by you)');
    expect(page).toContain('script sent on the platform');
  });

  it('the people list shows where each person was asked, and filters by it; the overview counts both', async () => {
    expect((await post(`/contacts/${id.lin}/sent-on-platform`, {})).statusCode).toBe(303);
    const list = parseHtml((await get('/people')).body);
    expect(all(list, 'th[scope="col"]').map(text)).toContain('Asked');
    expect(all(list, 'td[data-label="Asked"]').map(text)).toEqual(expect.arrayContaining(['on LinkedIn', 'by mail']));
    const onPlatform = (await get('/people?channel=platform')).body;
    expect(onPlatform).toContain('Lin Waiting');
    expect(onPlatform).not.toContain('Ann Accepted');
    const api = await app.inject({ method: 'GET', url: '/api/contacts?channel=email', headers: { authorization: `Bearer ${web.config.web.apiToken}` } });
    expect(api.json().contacts.map((c: { name: string }) => c.name).sort()).toEqual(['Ann Accepted', 'Mia Mail', 'Rex Rejected']);
    expect((await app.inject({ method: 'GET', url: '/api/overview', headers: { authorization: `Bearer ${web.config.web.apiToken}` } })).json().funnel).toMatchObject({ asked: 3, askedOnPlatform: 1 });
    expect((await get('/')).body).toContain('2 by mail, <a href="/people?channel=platform');
  });

  it('for a request that came by mail it is refused, in words', async () => {
    const response = await app.inject({ method: 'POST', url: `/api/contacts/${id.mail}/sent-on-platform`, headers: { authorization: `Bearer ${web.config.web.apiToken}` } });
    expect(response.statusCode).toBe(409);
    expect(response.json().message).toContain('came by mail, not through a platform');
  });

  it('after accepting, the person page offers LinkedIn\'s own Accept link from the invitation', async () => {
    const page = (await get(`/contacts/${id.acc}`)).body;
    expect(page).toContain(`href="${ACCEPT.replace(/&/g, '&amp;')}"`);
    expect(page).toContain('Accept on LinkedIn');
    expect(page).toContain('Winnow never opens it itself');
  });

  it('after rejecting, it offers the platform\'s page of requests to ignore it there', async () => {
    const page = (await get(`/contacts/${id.rej}`)).body;
    expect(page).toContain('href="https://www.xing.com/network/requests"');
    expect(page).toContain('Ignore on XING');
  });

  it('an answer from a notice links the conversation, and a relay is named as not the person\'s own address', async () => {
    const now = Date.now();
    id.rel = await addPerson(web.store, { name: 'Rita Relay', email: null, platform: 'linkedin', status: 'awaiting_address', invitationId: 'inv-rita' }, now);
    await web.store.transition(id.rel, 'asked', { channel: 'platform', askedAt: now, deadlineAt: now + DAY }, { at: now, type: 'sent_on_platform', detail: 'sent on LinkedIn' });
    await web.store.transition(
      id.rel,
      'answered',
      { answerText: 'Fair question!', conversationUrl: 'https://www.linkedin.com/messaging/thread/2-NzA1/', relayAddress: 'c15c178d@reply.linkedin.com', answeredAt: now },
      { at: now, type: 'answered', detail: 'on LinkedIn' },
    );
    const page = (await get(`/contacts/${id.rel}`)).body;
    expect(page).toContain('href="https://www.linkedin.com/messaging/thread/2-NzA1/"');
    expect(page).toContain('Open the conversation on LinkedIn');
    expect(all(parseHtml(page), 'code').map(text)).toContain('c15c178d@reply.linkedin.com');
    expect(page).toContain('it is not their own address, so Winnow does not write there');
  });
});
