import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
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
      expect(response.body).toContain('<label for="password">');
      expect(response.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
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
      expect(response.body).toContain('<form method="post" action="/login">');
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
      const body = response.body;
      expect(body).toContain('Ada Lovelace');
      expect(body).toContain(`href="/contacts/${adaId}"`);
      expect(body).toContain('href="https://www.linkedin.com/in/ada-lovelace"');
      expect(body).toContain('ada@example.org');
      expect(body).toContain('LinkedIn');
      expect(body).toContain('<span class="status status-answered tone-good">answered</span>');
      expect(body).toContain('<dt>answered</dt> <dd><time datetime="2024-05-01T09:01:03.000Z" title="2024-05-01 09:01 UTC">1 May 09:01</time></dd>');
      expect(body).toContain('Filler 2');
      // Counts: 6 in all, 4 detected, 1 answered, 1 awaiting an address.
      expect(body).toMatch(/>all <span class="count">6<\/span>/);
      expect(body).toMatch(/>awaiting address <span class="count">1<\/span>/);
      expect(body).toMatch(/>detected <span class="count">4<\/span>/);
      expect(body).toMatch(/>answered <span class="count">1<\/span>/);
      // A logout form with the session's CSRF token is on every page.
      expect(body).toContain('<form class="logout" method="post" action="/logout">');
    });

    it('filters by status and searches', async () => {
      const answered = await get('/people?status=answered');
      expect(answered.body).toContain('Ada Lovelace');
      expect(answered.body).not.toContain('Filler 0');
      expect(answered.body).toContain('<option value="answered" selected>');

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
      const next = /<a rel="next" href="([^"]+)">Next page<\/a>/.exec(first.body);
      expect(next).not.toBeNull();
      const href = next![1]!.replace(/&amp;/g, '&');
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
      const third = /<a rel="next" href="([^"]+)">Next page<\/a>/.exec(second.body);
      if (third) {
        const end = await get(third[1]!.replace(/&amp;/g, '&'));
        expect(end.statusCode).toBe(200);
        expect(end.body).toContain('That was everyone');
        expect(end.body).not.toContain('rel="next"');
      }
    });

    it('shows a person with their timeline', async () => {
      const response = await get(`/contacts/${adaId}`);
      expect(response.statusCode).toBe(200);
      const body = response.body;
      expect(body).toContain('<h1>Ada Lovelace</h1>');
      expect(body).toContain('<ol class="timeline">');
      for (const label of ['request', 'queued', 'script sent', 'answered']) expect(body).toContain(`<strong>${label}</strong>`);
      expect(body).toContain('script sent: 250 OK');
      expect(body).toContain(`&lt;script-${adaId}@winnow.test&gt;`); // the Message-ID, escaped
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
      expect(response.body).toContain('could not parse &lt;the&gt; body');
      expect(response.body).toContain('<td data-label="UID">42</td>');
    });

    it('escapes hostile names, headlines, subjects and answers, and never links a javascript: URL', async () => {
      for (const url of ['/', '/people', '/awaiting', `/contacts/${hostileId}`, `/contacts/${adaId}`, `/contacts/${hostileId}/erase`, `/contacts/${adaId}/send-again`]) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(200);
        const body = response.body;
        expect(body, url).not.toContain('<script>');
        expect(body, url).not.toContain('<img');
        // The overview's chart and its funnel's bars are the only SVG, drawn by us; mail never becomes one.
        const ours = body.replace(/<svg viewBox="0 0 720 264" role="img"[^>]*>/, '').replace(/<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">/g, '');
        expect(ours, url).not.toContain('<svg');
        expect(body, url).not.toContain('<b>bold</b>');
        expect(body, url).not.toMatch(/href="\s*javascript:/i);
        // Escaped text holds no "<", so every "<...>" is a real tag: none may carry an event handler.
        const tags = body.match(/<[a-z][^>]*>/gi) ?? [];
        expect(tags.filter((tag) => /\son\w+\s*=/i.test(tag)), url).toEqual([]);
      }
      const list = (await get('/people')).body;
      expect(list).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(list).toContain('&lt;b&gt;bold&lt;/b&gt; seller');
      expect(list).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt; &quot;quoted&quot; &amp; more');
      const detail = (await get(`/contacts/${hostileId}`)).body;
      expect(detail).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
      expect(detail).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;');
      expect(detail).toContain('javascript:alert(1) (not a web address; not linked)');
      const awaiting = (await get('/awaiting')).body;
      expect(awaiting).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      // The script, rendered for the hostile name, is text in a textarea, and greets them neutrally:
      // what is not a name is not echoed.
      expect(awaiting).toMatch(/<textarea id="script-[^"]+" class="code" rows="9" readonly>[^<]*Hi there,/);
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
        expect(response.body, url).not.toMatch(/<style|\sstyle=/i);
        // Scripts only as files of this origin, never inline.
        const scripts = response.body.match(/<script[^>]*>[^<]*<\/script>/gi) ?? [];
        for (const tag of scripts) expect(tag, url).toMatch(/^<script src="\/assets\/[a-z]+\.js\?v=[\w-]+" defer><\/script>$/);
        expect(scripts.length, url).toBe(withScript.includes(url) ? 1 : 0);
        expect((response.body.match(/<script/gi) ?? []).length, url).toBe(scripts.length);
      }
    });

    it('serves the stylesheet the pages link to', async () => {
      const page = (await get('/people')).body;
      const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page)![1]!;
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
