import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealerOf } from '../../src/config/sealed.ts';
import { createMailboxStore, type MailboxStore } from '../../src/mailboxes/records.ts';
import { all, attribute, has, one, parseHtml, text } from '../support/dom.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { addPerson, API_TOKEN, form, hiddenCsrf, login, useWebTest } from './helpers.ts';

/**
 * The Mailboxes page and /api/mailboxes on a real Redis: mailboxes added, listed, changed, paused
 * and removed through the API and the page, never a password in an answer, every problem of a bad
 * setting named at once, and the main mailbox (the environment's) refused where it cannot change.
 * Then the people list and the overview filtered by the mailbox a request came to.
 */

const auth = { authorization: `Bearer ${API_TOKEN}` };
const IMAP_PASS = 'imap-secret-Zq81x';
const SMTP_PASS = 'smtp-secret-Kw27y';

/** WINNOW_SECRET of the tests that add mailboxes: their passwords are sealed under it. */
const SECRET = 'winnow-secret-of-the-mailbox-tests-0123';

const work = {
  name: 'Work',
  from: 'Morgan at Work <morgan@work.example>',
  imap: { host: 'imap.work.example', port: 993, secure: true, user: 'morgan@work.example', pass: IMAP_PASS },
  smtp: { host: 'smtp.work.example', port: 465, secure: true, user: 'morgan@work.example', pass: SMTP_PASS },
};

interface ListedMailbox {
  id: string;
  name: string;
  from: string;
  state: string;
  paused: boolean;
  source: string;
  lastError: string | null;
  imap: Record<string, unknown>;
  smtp: Record<string, unknown>;
}

describe('mailboxes', () => {
  const web = useWebTest();

  /** The app as the runtime builds it with WINNOW_SECRET set, and a store of the same mailboxes for the test to look into. */
  async function appWithKey(env: Record<string, string> = {}): Promise<{ app: FastifyInstance; mailboxes: MailboxStore }> {
    const app = await web.app({ env: { WINNOW_SECRET: SECRET, ...env } });
    return { app, mailboxes: createMailboxStore(web.redis, web.config.redis.prefix, { secrets: sealerOf(SECRET), config: web.config }) };
  }

  async function list(app: FastifyInstance): Promise<ListedMailbox[]> {
    const response = await app.inject({ method: 'GET', url: '/api/mailboxes', headers: auth });
    expect(response.statusCode).toBe(200);
    return (response.json() as { mailboxes: ListedMailbox[] }).mailboxes;
  }

  describe('the API', () => {
    it('adds a mailbox (201 with its id) and lists it after the main one, with where it stands and never a password', async () => {
      const { app } = await appWithKey();
      const added = await app.inject({ method: 'POST', url: '/api/mailboxes', headers: auth, payload: work });
      expect(added.statusCode, added.body).toBe(201);
      const { id } = added.json() as { id: string };
      expect(id).toMatch(/^mbx_/);

      const response = await app.inject({ method: 'GET', url: '/api/mailboxes', headers: auth });
      expect(response.body).not.toContain(IMAP_PASS);
      expect(response.body).not.toContain(SMTP_PASS);
      expect(response.body).not.toMatch(/"pass"/);
      const [main, other] = (response.json() as { mailboxes: ListedMailbox[] }).mailboxes;
      expect(main).toMatchObject({ id: 'primary', source: 'env', from: 'Morgan Example <me@example.test>' });
      // No watcher runs in this test: not yet connected, and no error either.
      expect(other).toMatchObject({ id, name: 'Work', from: 'Morgan at Work <morgan@work.example>', state: 'connecting', paused: false, source: 'added', auth: 'password', lastError: null });
      expect(other!.imap).toEqual({ host: 'imap.work.example', port: 993, secure: true, user: 'morgan@work.example', folder: 'INBOX' });
      expect(other!.smtp).toEqual({ host: 'smtp.work.example', port: 465, secure: true, user: 'morgan@work.example' });

      // Nor is a password in clear in Redis: only sealed.
      const [, keys] = await web.redis.scan('0', 'MATCH', `${web.config.redis.prefix}:*`, 'COUNT', 1000);
      for (const key of keys) {
        if ((await web.redis.type(key)) !== 'hash') continue;
        expect(JSON.stringify(await web.redis.hgetall(key)), key).not.toContain(IMAP_PASS);
      }
    });

    it('refuses a bad mailbox with 400 naming every problem at once, and adds nothing', async () => {
      const { app } = await appWithKey();
      const response = await app.inject({
        method: 'POST',
        url: '/api/mailboxes',
        headers: auth,
        payload: { name: '', from: 'not an address', imap: { host: 'imap.work.example', port: 99999, user: 'me', pass: 'x' }, smtp: { host: ' ', port: 465, user: 'me', pass: '' } },
      });
      expect(response.statusCode).toBe(400);
      const { message } = response.json() as { message: string };
      // An empty host is "required", and not also "not a host name".
      expect(message).not.toContain('is not a host name');
      for (const problem of ['Name: is required', 'from: is not an address', 'imap.port: must be from 1 to 65535', 'smtp.host: is required', 'smtp.pass: is required']) expect(message).toContain(problem);
      expect(await list(app)).toHaveLength(1);
    });

    it('refuses a body that is not an object with 400', async () => {
      const { app } = await appWithKey();
      const response = await app.inject({ method: 'POST', url: '/api/mailboxes', headers: { ...auth, 'content-type': 'application/json' }, payload: '[1, 2]' });
      expect(response.statusCode).toBe(400);
      expect((response.json() as { message: string }).message).toMatch(/JSON object/);
    });

    it('without WINNOW_SECRET refuses to keep a password: 409 with the advice, and adds nothing', async () => {
      // The app's own store: no key to seal with.
      const app = await web.app();
      const response = await app.inject({ method: 'POST', url: '/api/mailboxes', headers: auth, payload: work });
      expect(response.statusCode).toBe(409);
      expect((response.json() as { message: string }).message).toMatch(/set WINNOW_SECRET/i);
      expect(await list(app)).toHaveLength(1);
    });

    it('answers 404 for a mailbox that does not exist, and 400 for what is no mailbox id', async () => {
      const { app } = await appWithKey();
      for (const [method, url] of [
        ['GET', '/api/mailboxes/mbx_doesnotexist'],
        ['DELETE', '/api/mailboxes/mbx_doesnotexist'],
        ['POST', '/api/mailboxes/mbx_doesnotexist/pause'],
      ] as const) {
        const response = await app.inject({ method, url, headers: auth });
        expect(response.statusCode, `${method} ${url}`).toBe(404);
      }
      const patched = await app.inject({ method: 'PATCH', url: '/api/mailboxes/mbx_doesnotexist', headers: auth, payload: { name: 'x' } });
      expect(patched.statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/api/mailboxes/..%2Fsecret', headers: auth })).statusCode).toBe(400);
    });

    it('refuses to change or remove the main mailbox (409, change it in the environment), but pauses and resumes it', async () => {
      const { app } = await appWithKey();
      const removed = await app.inject({ method: 'DELETE', url: '/api/mailboxes/primary', headers: auth });
      expect(removed.statusCode).toBe(409);
      expect((removed.json() as { message: string }).message).toMatch(/pause it instead/);
      const patched = await app.inject({ method: 'PATCH', url: '/api/mailboxes/primary', headers: auth, payload: { name: 'Mine' } });
      expect(patched.statusCode).toBe(409);
      expect((patched.json() as { message: string }).message).toMatch(/IMAP_\*, SMTP_\*, MAIL_FROM/);

      const paused = await app.inject({ method: 'POST', url: '/api/mailboxes/primary/pause', headers: auth });
      expect(paused.json()).toMatchObject({ id: 'primary', paused: true, state: 'paused' });
      const resumed = await app.inject({ method: 'POST', url: '/api/mailboxes/primary/resume', headers: auth });
      expect(resumed.json()).toMatchObject({ id: 'primary', paused: false, state: 'connecting' });
    });

    it('pauses, changes and removes an added mailbox; a password left out of a change stays', async () => {
      const { app, mailboxes } = await appWithKey();
      const { id } = (await app.inject({ method: 'POST', url: '/api/mailboxes', headers: auth, payload: work })).json() as { id: string };

      expect((await app.inject({ method: 'POST', url: `/api/mailboxes/${id}/pause`, headers: auth })).json()).toMatchObject({ id, paused: true, state: 'paused' });
      expect((await list(app)).find((mailbox) => mailbox.id === id)?.paused).toBe(true);

      const patched = await app.inject({ method: 'PATCH', url: `/api/mailboxes/${id}`, headers: auth, payload: { name: 'Office', imap: { port: 143, secure: false } } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ id, name: 'Office', imap: { port: 143, secure: false, host: 'imap.work.example' } });
      expect((await mailboxes.access(id))?.imapPass).toBe(IMAP_PASS);

      // The stored password goes to no other server: a new host needs it again.
      const elsewhere = await app.inject({ method: 'PATCH', url: `/api/mailboxes/${id}`, headers: auth, payload: { imap: { host: 'imap.elsewhere.example' } } });
      expect(elsewhere.statusCode).toBe(400);
      expect((elsewhere.json() as { message: string }).message).toMatch(/imap\.pass: is required when the IMAP host or login changes/i);
      expect((await mailboxes.get(id))?.imap.host).toBe('imap.work.example');

      const badPatch = await app.inject({ method: 'PATCH', url: `/api/mailboxes/${id}`, headers: auth, payload: { smtp: { port: 0 }, from: 'nobody' } });
      expect(badPatch.statusCode).toBe(400);
      expect((badPatch.json() as { message: string }).message).toMatch(/smtp\.port.*from|from.*smtp\.port/);

      const removed = await app.inject({ method: 'DELETE', url: `/api/mailboxes/${id}`, headers: auth });
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toEqual({ id });
      expect((await app.inject({ method: 'GET', url: `/api/mailboxes/${id}`, headers: auth })).statusCode).toBe(404);
      expect((await list(app)).map((mailbox) => mailbox.id)).toEqual(['primary']);
    });

    it('is behind the API token', async () => {
      const { app } = await appWithKey();
      expect((await app.inject({ method: 'GET', url: '/api/mailboxes' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/api/mailboxes', payload: work })).statusCode).toBe(401);
    });
  });

  describe('the page', () => {
    const fields = (overrides: Record<string, string> = {}) => ({
      name: 'Work',
      from: 'Morgan at Work <morgan@work.example>',
      imapHost: 'imap.work.example',
      imapPort: '',
      imapSecurity: '',
      imapUser: 'morgan@work.example',
      imapPass: IMAP_PASS,
      imapFolder: '',
      smtpHost: 'smtp.work.example',
      smtpPort: '587',
      smtpSecurity: 'starttls',
      smtpUser: 'morgan@work.example',
      smtpPass: SMTP_PASS,
      ...overrides,
    });

    async function openPage(app: FastifyInstance, session: string, url = '/mailboxes') {
      const response = await app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      return { body: response.body, document: parseHtml(response.body) };
    }

    async function post(app: FastifyInstance, session: string, url: string, body: Record<string, string>) {
      const { payload, headers } = form(body);
      return app.inject({ method: 'POST', url, payload, headers, cookies: { winnow_session: session } });
    }

    it('is in the navigation and lists the main mailbox, with no Edit or Remove for it, and the add form with its CSRF token', async () => {
      const { app } = await appWithKey();
      const session = await login(app);
      const { document } = await openPage(app, session);
      expect(attribute(one(document, 'nav[aria-label="Main"] a[aria-current="page"]'), 'href')).toBe('/mailboxes');
      const rows = all(document, 'table.mailboxes tbody tr');
      expect(rows).toHaveLength(1);
      expect(text(one(rows[0]!, 'th'))).toContain('set in the environment');
      expect(text(one(rows[0]!, 'td[data-label="From"]'))).toBe('Morgan Example <me@example.test>');
      expect(has(rows[0]!, 'a[href$="/remove"]')).toBe(false);
      expect(all(rows[0]!, 'button').map((button) => text(button))).toEqual(['Test Main mailbox', 'Pause Main mailbox']);
      expect(has(document, 'section#connect-providers')).toBe(true);
      const add = one(document, 'form[action="/mailboxes"]');
      expect(attribute(one(add, 'input[name="_csrf"]'), 'value')).toBeTruthy();
      expect(attribute(one(add, '#imapPass'), 'type')).toBe('password');
    });

    it('refuses a form without its CSRF token', async () => {
      const { app } = await appWithKey();
      const session = await login(app);
      const response = await post(app, session, '/mailboxes', fields());
      expect(response.statusCode).toBe(403);
      expect(await list(app)).toHaveLength(1);
    });

    it('shows a refused mailbox again with what was typed (never the passwords) and every problem beside its field', async () => {
      const { app } = await appWithKey();
      const session = await login(app);
      const { body } = await openPage(app, session);
      const response = await post(app, session, '/mailboxes', { _csrf: hiddenCsrf(body), ...fields({ imapPort: 'nine', from: 'nobody', smtpHost: '' }) });
      expect(response.statusCode).toBe(400);
      const document = parseHtml(response.body);
      const problems = all(document, '#mailbox-problems li').map((item) => text(item));
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^From is not an address/), expect.stringMatching(/^IMAP port must be a port number/), expect.stringMatching(/^SMTP server is required/)]));
      expect(problems).toHaveLength(3);
      expect(attribute(one(document, '#imapPort'), 'aria-invalid')).toBe('true');
      expect(text(one(document, '#imapPort-error'))).toMatch(/must be a port number/);
      expect(attribute(one(document, '#smtpHost'), 'aria-invalid')).toBe('true');
      expect(attribute(one(document, '#name'), 'value')).toBe('Work');
      expect(attribute(one(document, '#imapPort'), 'value')).toBe('nine');
      expect(attribute(one(document, '#smtpSecurity option[selected]'), 'value')).toBe('starttls');
      expect(attribute(one(document, '#imapPass'), 'value')).toBe('');
      expect(response.body).not.toContain(IMAP_PASS);
      expect(response.body).not.toContain(SMTP_PASS);
      expect(await list(app)).toHaveLength(1);
    });

    it('without WINNOW_SECRET says what to do, above the form', async () => {
      const app = await web.app();
      const session = await login(app);
      const { body } = await openPage(app, session);
      const response = await post(app, session, '/mailboxes', { _csrf: hiddenCsrf(body), ...fields() });
      expect(response.statusCode).toBe(409);
      expect(text(one(parseHtml(response.body), '#mailbox-problems'))).toMatch(/set WINNOW_SECRET/i);
    });

    it('adds a mailbox, lists it with its state, edits it keeping the passwords, pauses it and removes it after a confirmation page', async () => {
      const { app, mailboxes } = await appWithKey();
      const session = await login(app);
      const { body } = await openPage(app, session);
      const csrf = hiddenCsrf(body);
      const added = await post(app, session, '/mailboxes', { _csrf: csrf, ...fields() });
      expect(added.statusCode, added.body.slice(0, 500)).toBe(303);

      let { document } = await openPage(app, session);
      expect(text(one(document, '.notice[role="status"]'))).toContain('Mailbox Work added');
      const row = all(document, 'table.mailboxes tbody tr')[1]!;
      const id = attribute(row, 'id')!.replace('mailbox-', '');
      expect(text(one(row, 'td[data-label="State"]'))).toBe('connecting');
      expect(text(one(row, 'td[data-label="From"]'))).toBe('Morgan at Work <morgan@work.example>');
      expect((await mailboxes.get(id))?.smtp).toEqual({ host: 'smtp.work.example', port: 587, secure: false, user: 'morgan@work.example' });

      // The edit page: the settings filled in, the passwords not; left empty, they stay.
      ({ document } = await openPage(app, session, `/mailboxes/${id}`));
      expect(attribute(one(document, '#imapHost'), 'value')).toBe('imap.work.example');
      expect(attribute(one(document, '#smtpPass'), 'value')).toBe('');
      const saved = await post(app, session, `/mailboxes/${id}`, { _csrf: csrf, ...fields({ name: 'Office', imapPass: '', smtpPass: '' }) });
      expect(saved.statusCode).toBe(303);
      expect((await mailboxes.get(id))?.name).toBe('Office');
      expect((await mailboxes.access(id))?.smtpPass).toBe(SMTP_PASS);

      expect((await post(app, session, `/mailboxes/${id}/pause`, { _csrf: csrf })).statusCode).toBe(303);
      ({ document } = await openPage(app, session));
      const pausedRow = one(document, `#mailbox-${id}`);
      expect(text(one(pausedRow, 'td[data-label="State"]'))).toBe('paused');
      expect(all(pausedRow, 'button').map((button) => text(button))).toEqual(['Test Office', 'Resume Office']);

      // Remove: without the confirmation, to the confirmation page; with it, gone.
      const unconfirmed = await post(app, session, `/mailboxes/${id}/remove`, { _csrf: csrf });
      expect(unconfirmed.headers.location).toBe(`/mailboxes/${id}/remove`);
      expect(await mailboxes.get(id)).not.toBeNull();
      ({ document } = await openPage(app, session, `/mailboxes/${id}/remove`));
      const confirm = one(document, `form[action="/mailboxes/${id}/remove"]`);
      expect(attribute(one(confirm, 'input[name="confirm"]'), 'value')).toBe('yes');
      expect((await post(app, session, `/mailboxes/${id}/remove`, { _csrf: csrf, confirm: 'yes' })).statusCode).toBe(303);
      expect(await mailboxes.get(id)).toBeNull();
      ({ document } = await openPage(app, session));
      expect(all(document, 'table.mailboxes tbody tr')).toHaveLength(1);
    });

    it('offers no edit or removal of the main mailbox', async () => {
      const { app } = await appWithKey();
      const session = await login(app);
      expect((await app.inject({ method: 'GET', url: '/mailboxes/primary', cookies: { winnow_session: session } })).statusCode).toBe(409);
      const { body } = await openPage(app, session);
      const response = await post(app, session, '/mailboxes/primary/remove', { _csrf: hiddenCsrf(body), confirm: 'yes' });
      expect(response.statusCode).toBe(409);
      expect(text(one(parseHtml(response.body), 'main'))).toMatch(/pause it instead/);
    });
  });

  describe('testing a mailbox', () => {
    // Dovecot and the SMTP peer of a sandbox of their own, as the mailbox's servers.
    let servers: Sandbox;
    beforeAll(async () => {
      servers = await startSandbox({ users: ['sam'], redis: false });
    });
    afterAll(async () => {
      await servers?.stop();
    });

    const at = (imapPass: string, smtpPass: string) => {
      const sam = servers.user('sam');
      return {
        name: 'Sandbox',
        from: `Sam <${sam.address}>`,
        imap: { host: servers.imap.host, port: servers.imap.port, secure: false, user: sam.user, pass: imapPass },
        smtp: { host: servers.smtp.host, port: servers.smtp.port, secure: false, user: servers.smtp.user, pass: smtpPass },
      };
    };

    it('logs in to IMAP (opening the folder) and SMTP now and says so', async () => {
      const { app } = await appWithKey({ ALLOW_PLAINTEXT: 'true' });
      const { id } = (await app.inject({ method: 'POST', url: '/api/mailboxes', headers: auth, payload: at(servers.user('sam').pass, servers.smtp.pass) })).json() as { id: string };
      const response = await app.inject({ method: 'POST', url: `/api/mailboxes/${id}/test`, headers: auth });
      expect(response.statusCode, response.body).toBe(200);
      const outcome = response.json() as { imap: { ok: boolean; detail: string }; smtp: { ok: boolean; detail: string } };
      expect(outcome.imap.ok, outcome.imap.detail).toBe(true);
      expect(outcome.imap.detail).toMatch(/logged in .*INBOX holds \d+ messages/);
      expect(outcome.smtp).toMatchObject({ ok: true });
      expect(outcome.smtp.detail).toContain(`logged in as ${servers.smtp.user}`);
    });

    it('says which side fails and what to change, on the API and on the page', async () => {
      const { app } = await appWithKey({ ALLOW_PLAINTEXT: 'true' });
      const { id } = (await app.inject({ method: 'POST', url: '/api/mailboxes', headers: auth, payload: at('wrong-password', servers.smtp.pass) })).json() as { id: string };
      const outcome = (await app.inject({ method: 'POST', url: `/api/mailboxes/${id}/test`, headers: auth })).json() as { imap: { ok: boolean; detail: string }; smtp: { ok: boolean } };
      expect(outcome.imap.ok).toBe(false);
      expect(outcome.imap.detail).toMatch(/password/i);
      expect(outcome.smtp.ok).toBe(true);

      const session = await login(app);
      const page = await app.inject({ method: 'GET', url: '/mailboxes', cookies: { winnow_session: session } });
      const { payload, headers } = form({ _csrf: hiddenCsrf(page.body) });
      const tested = await app.inject({ method: 'POST', url: `/mailboxes/${id}/test`, payload, headers, cookies: { winnow_session: session } });
      expect(tested.statusCode).toBe(303);
      const after = parseHtml((await app.inject({ method: 'GET', url: '/mailboxes', cookies: { winnow_session: session } })).body);
      const message = text(one(after, '.notice.refused[role="alert"]'));
      expect(message).toMatch(/^Test of Sandbox\. IMAP: fails, .*password/i);
      expect(message).toContain('SMTP: works');
    });
  });

  describe('filtering people by mailbox', () => {
    async function twoMailboxes() {
      const { app, mailboxes } = await appWithKey();
      const other = await mailboxes.add(work);
      const atMain = [await addPerson(web.store, { name: 'Ada Main' }), await addPerson(web.store, { name: 'Bea Main' })];
      const atWork = [await addPerson(web.store, { name: 'Cy Work', mailbox: other.id }), await addPerson(web.store, { name: 'Di Work', mailbox: other.id }), await addPerson(web.store, { name: 'Ed Work', mailbox: other.id })];
      return { app, other, atMain, atWork };
    }

    it('lists only the people whose request came to the mailbox chosen, page after page, with the right total', async () => {
      const { app, other, atWork } = await twoMailboxes();
      const seen: string[] = [];
      let url: string | null = `/api/contacts?mailbox=${other.id}&limit=2`;
      while (url) {
        const page = (await app.inject({ method: 'GET', url, headers: auth })).json() as { contacts: Array<{ id: string; mailbox: string }>; total: number; nextCursor: string | null };
        expect(page.total).toBe(3);
        for (const contact of page.contacts) expect(contact.mailbox).toBe(other.id);
        seen.push(...page.contacts.map((contact) => contact.id));
        url = page.nextCursor ? `/api/contacts?mailbox=${other.id}&limit=2&cursor=${encodeURIComponent(page.nextCursor)}` : null;
      }
      expect(seen.sort()).toEqual([...atWork].sort());
      const main = (await app.inject({ method: 'GET', url: '/api/contacts?mailbox=primary', headers: auth })).json() as { total: number };
      expect(main.total).toBe(2);
    });

    it('offers the mailbox filter on the people list and the overview only with more than one mailbox', async () => {
      const alone = await web.app();
      const lonely = await login(alone);
      await addPerson(web.store, { name: 'Ada Main' });
      const plain = parseHtml((await alone.inject({ method: 'GET', url: '/people', cookies: { winnow_session: lonely } })).body);
      expect(has(plain, 'select#filter-mailbox')).toBe(false);
      expect(has(parseHtml((await alone.inject({ method: 'GET', url: '/', cookies: { winnow_session: lonely } })).body), 'select#filter-mailbox')).toBe(false);

      const { app, other } = await twoMailboxes();
      const session = await login(app);
      const people = parseHtml((await app.inject({ method: 'GET', url: `/people?mailbox=${other.id}`, cookies: { winnow_session: session } })).body);
      expect(all(people, 'select#filter-mailbox option').map((option) => text(option))).toEqual(['any', 'Main mailbox', 'Work']);
      expect(attribute(one(people, 'select#filter-mailbox option[selected]'), 'value')).toBe(other.id);
      expect(all(people, 'table.people tbody th a').map((link) => text(link)).sort()).toEqual(['Cy Work', 'Di Work', 'Ed Work']);
      expect(text(one(people, '#list-summary'))).toMatch(/^3 people match/);
    });

    it('counts on the overview only the requests that came to the mailbox chosen, and its links keep the choice', async () => {
      const { app, other } = await twoMailboxes();
      const session = await login(app);
      const overview = parseHtml((await app.inject({ method: 'GET', url: `/?mailbox=${other.id}&period=all`, cookies: { winnow_session: session } })).body);
      expect(attribute(one(overview, 'select#filter-mailbox option[selected]'), 'value')).toBe(other.id);
      const requests = all(overview, '.funnel .step').find((step) => text(one(step, 'dt')) === 'Requests')!;
      expect(text(one(requests, '.step-count'))).toBe('3');
      for (const tab of all(overview, 'nav.period a')) expect(attribute(tab, 'href')).toContain(`mailbox=${other.id}`);
      const everyone = parseHtml((await app.inject({ method: 'GET', url: '/?period=all', cookies: { winnow_session: session } })).body);
      const allRequests = all(everyone, '.funnel .step').find((step) => text(one(step, 'dt')) === 'Requests')!;
      expect(text(one(allRequests, '.step-count'))).toBe('5');
    });

    it('shows on a person\'s page which mailbox the request came to', async () => {
      const { app, atWork, atMain } = await twoMailboxes();
      const session = await login(app);
      const cameTo = async (id: string) => {
        const page = parseHtml((await app.inject({ method: 'GET', url: `/contacts/${id}`, cookies: { winnow_session: session } })).body);
        const entry = all(page, 'dl.details > div').find((item) => text(one(item, 'dt')) === 'Came to');
        return entry ? text(one(entry, 'dd')) : null;
      };
      expect(await cameTo(atWork[0]!)).toBe('Work');
      expect(await cameTo(atMain[0]!)).toBe('Main mailbox');
    });
  });
});
