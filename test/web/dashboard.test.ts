import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { all, attribute, has, inlineCode, next, one, parseHtml, rawText, text } from '../support/dom.ts';
import { addPerson, askAndAnswer, BASE_TIME, cookie, form, hiddenCsrf, login, PASSWORD, useWebTest } from './helpers.ts';

const HOSTILE_NAME = '<script>alert(1)</script>';
const HOSTILE_URL = 'javascript:alert(1)';
const HOSTILE_ANSWER = 'Thanks! <img src=x onerror="alert(2)"> "quoted" & more';
const MINUTE = 60_000;

function sessionKey(prefix: string, id: string): string {
  return `${prefix}:session:${createHash('sha256').update(id).digest('base64url')}`;
}

describe('dashboard', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let hostileId = '';
  let adaId = '';

  beforeEach(async () => {
    app = await web.app();
    hostileId = await addPerson(web.store, { name: HOSTILE_NAME, profileUrl: HOSTILE_URL, headline: '<b>bold</b> seller', subject: '"><svg onload=alert(3)>' }, BASE_TIME);
    adaId = await addPerson(web.store, { name: 'Ada Lovelace', email: 'ada@example.org', platform: 'linkedin', profileUrl: 'https://www.linkedin.com/in/ada-lovelace' }, BASE_TIME + MINUTE);
    await askAndAnswer(web.store, adaId, BASE_TIME + MINUTE, HOSTILE_ANSWER);
    for (let i = 0; i < 3; i++) await addPerson(web.store, { name: `Filler ${i}` }, BASE_TIME + (2 + i) * MINUTE);
    // A hostile requester without an address: the awaiting page renders the script for them.
    await addPerson(web.store, { name: `${HOSTILE_NAME} Waiting`, firstName: HOSTILE_NAME, status: 'awaiting_address', email: null, profileUrl: HOSTILE_URL, headline: '<b>bold</b> seller' }, BASE_TIME - MINUTE);
  });

  it('every route that changes something needs a session and its CSRF token, or the API token', async () => {
    // Every route, as it is registered: a form added later cannot be forgotten here.
    const routes: Array<{ method: string; url: string }> = [];
    const probe = await web.app({ onRoute: (route) => routes.push(...[route.method].flat().map((method) => ({ method, url: route.url }))) });
    const changing = routes.filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method));
    expect(changing.length).toBeGreaterThan(20);
    const session = await login(probe);
    const url = (pattern: string) => pattern.replace(':id', adaId).replace(':kind', 'script').replace(':version', '1');
    // Whatever each form needs besides the token, so that only the missing token can refuse it.
    const fields = { email: 'ada@example.org', confirm: 'yes', ids: adaId, decision: 'accepted', version: '1', intent: 'save', subject: 'x', text: 'x', html: 'x', deadlineAmount: '7', deadlineUnit: 'days' };
    for (const route of changing) {
      const method = route.method as 'POST' | 'PUT' | 'DELETE' | 'PATCH';
      const target = url(route.url);
      if (target.startsWith('/api/')) {
        const response = await probe.inject({ method, url: target, payload: {}, cookies: { winnow_session: session } });
        expect(response.statusCode, `${method} ${target} with a session but no token`).toBe(401);
        continue;
      }
      const anonymous = await probe.inject({ method, url: target, ...form(fields) });
      if (target === '/login') {
        expect(anonymous.statusCode, `${method} ${target} without its form token`).toBe(403);
        continue;
      }
      expect(anonymous.statusCode, `${method} ${target} without a session`).toBe(303);
      expect(anonymous.headers.location, `${method} ${target} without a session`).toBe('/login');
      const forged = await probe.inject({ method, url: target, ...form(fields), cookies: { winnow_session: session } });
      expect(forged.statusCode, `${method} ${target} without the CSRF token`).toBe(403);
    }
    expect((await web.store.get(adaId))?.status).toBe('answered');
  });

  describe('without a session', () => {
    it('sends pages to the login form', async () => {
      for (const url of ['/', '/people', '/awaiting', `/contacts/${adaId}`, `/contacts/${adaId}/erase`, '/skipped-mail', '/people?status=asked', '/people.csv']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(303);
        // The page asked for comes back after the login (the overview needs no mention).
        expect(response.headers.location).toBe(url === '/' ? '/login' : `/login?next=${encodeURIComponent(url)}`);
      }
    });

    it('ignores a session cookie that Redis does not know', async () => {
      const response = await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: 'made-up-session-id' } });
      expect(response.statusCode).toBe(303);
    });

    it('shows a labelled login form with a CSRF token in a cookie and a hidden field', async () => {
      const response = await app.inject({ method: 'GET', url: '/login' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      const doc = parseHtml(response.body);
      expect(has(doc, 'label[for="password"]')).toBe(true);
      expect(attribute(one(doc, 'meta[name="viewport"]'), 'content')).toBe('width=device-width, initial-scale=1');
      const pending = cookie(response, 'winnow_login');
      expect(pending).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/login' });
      expect(hiddenCsrf(response.body)).toBe(pending!.value);
    });
  });

  describe('login', () => {
    async function loginForm(remoteAddress = '127.0.0.1') {
      const page = await app.inject({ method: 'GET', url: '/login', remoteAddress });
      return { token: cookie(page, 'winnow_login')!.value, csrf: hiddenCsrf(page.body) };
    }

    it('refuses a wrong password with 401 and shows the form again', async () => {
      const { token, csrf } = await loginForm();
      const response = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: 'wrong password' }), cookies: { winnow_login: token } });
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('That password is not right.');
      expect(has(parseHtml(response.body), 'form[method="post"][action="/login"]')).toBe(true);
      expect(cookie(response, 'winnow_session')).toBeUndefined();
    });

    it('refuses a login post without the form token (403)', async () => {
      const { token, csrf } = await loginForm();
      const noField = await app.inject({ method: 'POST', url: '/login', ...form({ password: PASSWORD }), cookies: { winnow_login: token } });
      expect(noField.statusCode).toBe(403);
      const noCookie = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: PASSWORD }) });
      expect(noCookie.statusCode).toBe(403);
      const mismatch = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: `${csrf}x`, password: PASSWORD }), cookies: { winnow_login: token } });
      expect(mismatch.statusCode).toBe(403);
      for (const response of [noField, noCookie, mismatch]) expect(cookie(response, 'winnow_session')).toBeUndefined();
    });

    it('refuses a form posted from another site', async () => {
      const { token, csrf } = await loginForm();
      const { payload, headers } = form({ _csrf: csrf, password: PASSWORD });
      const response = await app.inject({ method: 'POST', url: '/login', payload, headers: { ...headers, 'sec-fetch-site': 'cross-site' }, cookies: { winnow_login: token } });
      expect(response.statusCode).toBe(403);
    });

    it('logs in with the right password: HttpOnly SameSite=Lax cookie, session in Redis, redirect to /', async () => {
      const { token, csrf } = await loginForm();
      const response = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: PASSWORD }), cookies: { winnow_login: token } });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/');
      const session = cookie(response, 'winnow_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(session!.secure).toBeFalsy(); // plain http
      const key = sessionKey(web.config.redis.prefix, session!.value);
      const ttl = await web.redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(12 * 60 * 60 * 1000);
      // The raw cookie value is not a key: Redis holds only its hash.
      expect(await web.redis.exists(`${web.config.redis.prefix}:session:${session!.value}`)).toBe(0);
    });

    it('sends a logged-in visitor from /login to the list', async () => {
      const session = await login(app);
      const response = await app.inject({ method: 'GET', url: '/login', cookies: { winnow_session: session } });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/');
    });

    it('limits login attempts per address', async () => {
      const remoteAddress = '192.0.2.77';
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const { token, csrf } = await loginForm(remoteAddress);
        const response = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: 'guess' }), cookies: { winnow_login: token }, remoteAddress });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) {
          expect(response.headers['retry-after']).toBeDefined();
          expect(response.body).toContain('Too many attempts');
        }
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses[10]).toBe(429);
      // Someone else is not affected.
      await expect(login(app, '192.0.2.78')).resolves.toBeTruthy();
    });
  });

  describe('pages', () => {
    let session = '';
    beforeEach(async () => {
      session = await login(app);
    });
    const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });

    it('lists people with status, platform, email, dates, answer and counts', async () => {
      const response = await get('/people');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const doc = parseHtml(response.body);
      const ada = one(doc, `a[href="/contacts/${adaId}"]`);
      expect(text(ada)).toBe('Ada Lovelace');
      const row = ada.parent!.parent!;
      expect(has(row, 'a[href="https://www.linkedin.com/in/ada-lovelace"]')).toBe(true);
      expect(text(row)).toContain('ada@example.org');
      expect(text(row)).toContain('LinkedIn');
      expect(text(one(doc, 'span.status.status-answered.tone-good'))).toBe('answered');
      const answeredAt = one(next(all(doc, 'dt').find((dt) => text(dt) === 'answered')!), 'time');
      expect([attribute(answeredAt, 'datetime'), attribute(answeredAt, 'title'), text(answeredAt)]).toEqual(['2024-05-01T09:01:03.000Z', '2024-05-01 09:01 UTC', '1 May 09:01']);
      expect(text(doc)).toContain('Filler 2');
      // Counts: 6 in all, 4 detected, 1 answered, 1 awaiting an address.
      const counts = Object.fromEntries(all(doc, 'span.count').map((count) => [text(count.parent!).replace(/ \d+$/, ''), text(count)]));
      expect(counts).toMatchObject({ all: '6', 'awaiting address': '1', detected: '4', answered: '1' });
      // A logout form with the session's CSRF token is on every page.
      const logout = one(doc, 'form.logout[method="post"][action="/logout"]');
      expect(attribute(one(logout, 'input[name="_csrf"]'), 'value')).toBeTruthy();
    });

    it('filters by status and searches', async () => {
      const answered = await get('/people?status=answered');
      expect(answered.body).toContain('Ada Lovelace');
      expect(answered.body).not.toContain('Filler 0');
      expect(has(parseHtml(answered.body), 'option[value="answered"][selected]')).toBe(true);

      const search = await get('/people?q=filler%201&status=');
      expect(search.body).toContain('Filler 1');
      expect(search.body).not.toContain('Filler 2');
      expect(search.body).not.toContain('Ada Lovelace');

      const nobody = await get('/people?q=zebra');
      expect(nobody.body).toContain('No one matches this filter.');
    });

    it('answers a bad status filter with a 400 page', async () => {
      const response = await get('/people?status=%3Cscript%3E');
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('status: must be one of');
    });

    it('pages with a next-page link that carries the cursor and the filter', async () => {
      const first = await get('/people?limit=2&status=detected');
      const nextPage = (body: string) => all(parseHtml(body), 'a[rel="next"]').find((link) => text(link) === 'Next page');
      const href = attribute(nextPage(first.body)!, 'href')!;
      expect(href).toMatch(/^\/people\?status=detected&limit=2&cursor=/);
      const second = await get(href);
      expect(second.statusCode).toBe(200);
      expect(second.body).toContain('First page');
      // Newest first: Filler 2 and 1 on page one, Filler 0 and the hostile one on page two.
      expect(first.body).toContain('Filler 2');
      expect(first.body).not.toContain('Filler 0');
      expect(second.body).toContain('Filler 0');
      expect(second.body).not.toContain('Filler 2');
      // A full page comes with a cursor even when it holds the last people; the page after says so.
      const third = nextPage(second.body);
      if (third) {
        const end = await get(attribute(third, 'href')!);
        expect(end.statusCode).toBe(200);
        expect(end.body).toContain('That was everyone');
        expect(has(parseHtml(end.body), '[rel="next"]')).toBe(false);
      }
    });

    it('shows a person with their timeline', async () => {
      const response = await get(`/contacts/${adaId}`);
      expect(response.statusCode).toBe(200);
      const doc = parseHtml(response.body);
      expect(text(one(doc, 'h1'))).toBe('Ada Lovelace');
      const timeline = one(doc, 'ol.timeline');
      const labels = all(timeline, 'strong').map(text);
      for (const label of ['request', 'queued', 'script sent', 'answered']) expect(labels).toContain(label);
      expect(text(timeline)).toContain('script sent: 250 OK');
      // The Message-ID, as text.
      expect(text(timeline)).toContain(`<script-${adaId}@winnow.test>`);
    });

    it('answers an unknown person with a 404 page', async () => {
      const response = await get('/contacts/nobody-here');
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('Not found');
    });

    it('shows skipped mail', async () => {
      await web.store.recordSkippedMail({ at: BASE_TIME, uid: 42, messageId: '<broken@example.org>', reason: 'could not parse <the> body' });
      const response = await get('/skipped-mail');
      expect(response.statusCode).toBe(200);
      const doc = parseHtml(response.body);
      expect(text(doc)).toContain('could not parse <the> body');
      expect(all(doc, 'td[data-label="UID"]').map(text)).toEqual(['42']);
    });

    it('escapes hostile names, headlines, subjects and answers, and never links a javascript: URL', async () => {
      for (const url of ['/', '/people', '/awaiting', `/contacts/${hostileId}`, `/contacts/${adaId}`, `/contacts/${hostileId}/erase`, `/contacts/${adaId}/send-again`]) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(200);
        const doc = parseHtml(response.body);
        // No element of the mail's: scripts only as our files, no image, no bold; nothing inline.
        expect(all(doc, 'script:not([src]), img, b').map((element) => element.name), url).toEqual([]);
        expect(inlineCode(doc), url).toEqual([]);
        // The overview's chart and its funnel's bars are the only SVG, drawn by us; mail never becomes one.
        const svgs = all(doc, 'svg').filter((svg) => !(attribute(svg, 'role') === 'img' && attribute(svg, 'viewbox') === '0 0 720 264') && !(attribute(svg, 'class') === 'bar' && attribute(svg, 'aria-hidden') === 'true'));
        expect(svgs, url).toEqual([]);
        expect(all(doc, 'a[href]').filter((link) => /^\s*javascript:/i.test(attribute(link, 'href')!)), url).toEqual([]);
      }
      const list = text(parseHtml((await get('/people')).body));
      expect(list).toContain('<script>alert(1)</script>');
      expect(list).toContain('<b>bold</b> seller');
      expect(list).toContain('<img src=x onerror="alert(2)"> "quoted" & more');
      const detail = parseHtml((await get(`/contacts/${hostileId}`)).body);
      expect(text(one(detail, 'h1'))).toBe('<script>alert(1)</script>');
      expect(text(detail)).toContain('"><svg onload=alert(3)>');
      expect(text(detail)).toContain('javascript:alert(1) (not a web address; not linked)');
      const awaiting = parseHtml((await get('/awaiting')).body);
      expect(text(awaiting)).toContain('<script>alert(1)</script>');
      // The script, rendered for the hostile name, is text in a textarea, and greets them neutrally:
      // what is not a name is not echoed.
      const scripts = all(awaiting, 'textarea.code[rows="9"][readonly][id^="script-"]').map(rawText);
      expect(scripts).toEqual([expect.stringMatching(/^Hi there,/)]);
    });

    it('sends a strict CSP without inline script or style, and pages use none', async () => {
      const withScript = ['/people', '/awaiting'];
      for (const url of ['/', '/health', `/contacts/${adaId}`, '/skipped-mail', '/login', '/nowhere', ...withScript]) {
        const response = await get(url);
        const csp = response.headers['content-security-policy'];
        expect(typeof csp, url).toBe('string');
        const directives = Object.fromEntries(
          String(csp)
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .map(([name, ...values]) => [name, values.join(' ')]),
        );
        expect(directives, url).toEqual({
          'default-src': "'none'",
          'style-src': "'self'",
          'img-src': "'self'",
          'form-action': "'self'",
          'frame-ancestors': "'none'",
          'base-uri': "'none'",
          // Pages with a copy button or "select all" load one script file of this origin.
          ...(withScript.includes(url) ? { 'script-src': "'self'" } : {}),
        });
        expect(String(csp)).not.toContain('unsafe-inline');
        const doc = parseHtml(response.body);
        expect(has(doc, 'style'), url).toBe(false);
        expect(inlineCode(doc), url).toEqual([]);
        // Scripts only as files of this origin, never inline.
        const scripts = all(doc, 'script');
        for (const script of scripts) {
          expect([attribute(script, 'src'), attribute(script, 'defer'), rawText(script)], url).toEqual([expect.stringMatching(/^\/assets\/[a-z]+\.js\?v=[\w-]+$/), '', '']);
        }
        expect(scripts.length, url).toBe(withScript.includes(url) ? 1 : 0);
      }
    });

    it('serves the stylesheet the pages link to', async () => {
      const page = (await get('/people')).body;
      const href = attribute(one(parseHtml(page), 'link[rel="stylesheet"]'), 'href')!;
      expect(href).toMatch(/^\/assets\/app\.css\?v=/);
      const css = await app.inject({ method: 'GET', url: href });
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.headers['cache-control']).toContain('immutable');
      expect(css.body).toContain('@media (max-width: 48rem)');
    });
  });

  describe('logout', () => {
    it('needs the session CSRF token (403 without it), then ends the session', async () => {
      const session = await login(app);
      const key = sessionKey(web.config.redis.prefix, session);
      const page = await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } });
      const csrf = hiddenCsrf(page.body);

      const forged = await app.inject({ method: 'POST', url: '/logout', ...form({}), cookies: { winnow_session: session } });
      expect(forged.statusCode).toBe(403);
      const wrong = await app.inject({ method: 'POST', url: '/logout', ...form({ _csrf: 'not-the-token' }), cookies: { winnow_session: session } });
      expect(wrong.statusCode).toBe(403);
      expect(await web.redis.exists(key)).toBe(1);

      const response = await app.inject({ method: 'POST', url: '/logout', ...form({ _csrf: csrf }), cookies: { winnow_session: session } });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login?out=1');
      expect(cookie(response, 'winnow_session')?.value).toBe('');
      expect(await web.redis.exists(key)).toBe(0);
      const after = await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } });
      expect(after.statusCode).toBe(303);
    });

    it('does not accept one session token for another session', async () => {
      const first = await login(app);
      const second = await login(app);
      const csrfOfFirst = hiddenCsrf((await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: first } })).body);
      const response = await app.inject({ method: 'POST', url: '/logout', ...form({ _csrf: csrfOfFirst }), cookies: { winnow_session: second } });
      expect(response.statusCode).toBe(403);
    });
  });

  describe('session lifetime', () => {
    it('ends an idle session and renews one in use', async () => {
      const shortApp = await web.app({ options: { sessions: { idleMs: 1_000, maxAgeMs: 60_000 } } });
      const session = await login(shortApp);
      const key = sessionKey(web.config.redis.prefix, session);
      expect(await web.redis.pttl(key)).toBeLessThanOrEqual(1_000);
      // Use renews the idle timeout: make it nearly expired, then use it.
      await web.redis.pexpire(key, 50);
      expect((await shortApp.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } })).statusCode).toBe(200);
      expect(await web.redis.pttl(key)).toBeGreaterThan(500);
      // Gone from Redis (expired) means logged out.
      await web.redis.del(key);
      expect((await shortApp.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } })).statusCode).toBe(303);
    });
  });
});
