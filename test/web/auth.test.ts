import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { all, attribute, has, one, parseHtml, text } from '../support/dom.ts';
import { cookie, form, hiddenCsrf, login, PASSWORD, useWebTest } from './helpers.ts';

const HOUR = 3_600_000;

describe('login, sessions and logout', () => {
  const web = useWebTest();
  let app: FastifyInstance;

  beforeEach(async () => {
    app = await web.app();
  });

  const sessionKey = (id: string) => `${web.config.redis.prefix}:session:${createHash('sha256').update(id).digest('base64url')}`;
  const get = (url: string, session: string, target = app) => target.inject({ method: 'GET', url, cookies: { winnow_session: session } });

  async function loginForm(remoteAddress: string) {
    const page = await app.inject({ method: 'GET', url: '/login', remoteAddress });
    return { token: cookie(page, 'winnow_login')!.value, csrf: hiddenCsrf(page.body), body: page.body };
  }

  it('the login page is labelled, phone-sized and sends no script', async () => {
    const { body } = await loginForm('203.0.113.1');
    const doc = parseHtml(body);
    expect(attribute(one(doc, 'meta[name="viewport"]'), 'content')).toBe('width=device-width, initial-scale=1');
    expect(text(one(doc, 'label[for="password"]'))).toBe('Dashboard password');
    expect(text(one(doc, 'a.skip-link[href="#main"]'))).toBe('Skip to content');
    expect(has(doc, 'script')).toBe(false);
    // No navigation before login.
    expect(body).not.toContain('aria-label="Main"');
  });

  it('limits wrong passwords per address: the 11th attempt within a minute is refused, even with the right password', async () => {
    const remoteAddress = '203.0.113.9';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { token, csrf } = await loginForm(remoteAddress);
      const response = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: `guess ${i}` }), cookies: { winnow_login: token }, remoteAddress });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    const { token, csrf } = await loginForm(remoteAddress);
    const blocked = await app.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: PASSWORD }), cookies: { winnow_login: token }, remoteAddress });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect(blocked.body).toContain('Too many attempts. Try again in 1 minute.');
    expect(cookie(blocked, 'winnow_session')).toBeUndefined();
    // The count lives in Redis, so a second web process refuses this address too.
    const other = await web.app();
    const again = await other.inject({ method: 'POST', url: '/login', ...form({ _csrf: csrf, password: PASSWORD }), cookies: { winnow_login: token }, remoteAddress });
    expect(again.statusCode).toBe(429);
    // Someone else still gets in.
    await expect(login(app, '203.0.113.10')).resolves.toBeTruthy();
  });

  it('gives a fresh session id at every login and ends the one the browser had', async () => {
    const first = await login(app);
    const page = await app.inject({ method: 'GET', url: '/login', cookies: { winnow_session: 'planted' }, remoteAddress: '203.0.113.20' });
    const csrf = hiddenCsrf(page.body);
    const response = await app.inject({
      method: 'POST',
      url: '/login',
      ...form({ _csrf: csrf, password: PASSWORD }),
      cookies: { winnow_login: cookie(page, 'winnow_login')!.value, winnow_session: first },
      remoteAddress: '203.0.113.20',
    });
    const second = cookie(response, 'winnow_session')!.value;
    expect(second).not.toBe(first);
    expect(await web.redis.exists(sessionKey(first))).toBe(0);
    expect((await get('/settings', first)).statusCode).toBe(303);
    expect((await get('/settings', second)).statusCode).toBe(200);
  });

  it('marks cookies Secure when the dashboard is reached over https through a trusted proxy', async () => {
    const proxied = await web.app({ env: { TRUST_PROXY: 'loopback' } });
    const page = await proxied.inject({ method: 'GET', url: '/login', headers: { 'x-forwarded-proto': 'https' } });
    expect(cookie(page, 'winnow_login')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    const response = await proxied.inject({
      method: 'POST',
      url: '/login',
      ...form({ _csrf: hiddenCsrf(page.body), password: PASSWORD }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
      cookies: { winnow_login: cookie(page, 'winnow_login')!.value },
    });
    expect(cookie(response, 'winnow_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 7 * 24 * 3600 });
  });

  it('ends a session that sat idle, and renews one in use', async () => {
    const short = await web.app({ options: { sessions: { idleMs: 2_000, maxAgeMs: HOUR } } });
    const session = await login(short);
    expect(await web.redis.pttl(sessionKey(session))).toBeLessThanOrEqual(2_000);
    await web.redis.pexpire(sessionKey(session), 100);
    expect((await get('/settings', session, short)).statusCode).toBe(200);
    expect(await web.redis.pttl(sessionKey(session))).toBeGreaterThan(1_000);
    // Idle past the timeout, Redis has dropped it: the next page is the login form.
    await web.redis.del(sessionKey(session));
    const after = await get('/settings', session, short);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/login?next=%2Fsettings');
  });

  it('ends a session at its absolute lifetime even while it is in use, and never renews past it', async () => {
    const bounded = await web.app({ options: { sessions: { idleMs: HOUR, maxAgeMs: 2 * HOUR } } });
    const session = await login(bounded);
    // Make it 1h59m old: renewal may only give it the minute it has left.
    await web.redis.hset(sessionKey(session), 'createdAt', String(Date.now() - 2 * HOUR + 60_000));
    expect((await get('/settings', session, bounded)).statusCode).toBe(200);
    const ttl = await web.redis.pttl(sessionKey(session));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // Past its lifetime: logged out, and the session is gone from Redis.
    await web.redis.hset(sessionKey(session), 'createdAt', String(Date.now() - 2 * HOUR - 1));
    expect((await get('/settings', session, bounded)).statusCode).toBe(303);
    expect(await web.redis.exists(sessionKey(session))).toBe(0);
  });

  it('logs out only by a POST with the session token, which ends the session and what it held on the server', async () => {
    const session = await login(app);
    const page = await get('/templates/script', session);
    expect(page.statusCode).toBe(200);
    // The templates page left a preview with the session.
    expect(await web.redis.hexists(sessionKey(session), 'data:preview:script')).toBe(1);
    const csrf = hiddenCsrf(page.body);
    expect(has(parseHtml(page.body), 'form.logout[method="post"][action="/logout"]')).toBe(true);

    expect((await app.inject({ method: 'GET', url: '/logout', cookies: { winnow_session: session } })).statusCode).toBe(404);
    const forged = await app.inject({ method: 'POST', url: '/logout', ...form({ _csrf: 'forged' }), cookies: { winnow_session: session } });
    expect(forged.statusCode).toBe(403);
    expect(await web.redis.exists(sessionKey(session))).toBe(1);

    const response = await app.inject({ method: 'POST', url: '/logout', ...form({ _csrf: csrf }), cookies: { winnow_session: session } });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?out=1');
    expect(cookie(response, 'winnow_session')?.value).toBe('');
    const after = await app.inject({ method: 'GET', url: '/login?out=1' });
    expect(text(one(parseHtml(after.body), 'p.notice[role="status"]'))).toBe('You are logged out.');
    expect(await web.redis.exists(sessionKey(session))).toBe(0);
    // A copy of the old cookie is worth nothing.
    expect((await get('/templates/script', session)).statusCode).toBe(303);
  });

  it('returns to the page that was asked for after logging in, and only to a page of this dashboard', async () => {
    const asked = '/people?status=answered&q=ada';
    const away = await app.inject({ method: 'GET', url: asked, remoteAddress: '203.0.113.30' });
    expect(away.headers.location).toBe(`/login?next=${encodeURIComponent(asked)}`);
    const page = await app.inject({ method: 'GET', url: away.headers.location as string, remoteAddress: '203.0.113.30' });
    const nextField = (body: string) => all(parseHtml(body), 'input[type="hidden"][name="next"]').map((field) => attribute(field, 'value'));
    expect(nextField(page.body)).toEqual([asked]);
    const loginWith = (next: string, password = PASSWORD) =>
      app.inject({ method: 'POST', url: '/login', ...form({ _csrf: hiddenCsrf(page.body), password, next }), cookies: { winnow_login: cookie(page, 'winnow_login')!.value }, remoteAddress: '203.0.113.30' });
    // A wrong password keeps the way back; the right one takes it.
    expect(nextField((await loginWith(asked, 'wrong')).body)).toEqual([asked]);
    const response = await loginWith(asked);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(asked);
    // Logged in already, the login form sends on at once.
    const session = cookie(response, 'winnow_session')!.value;
    expect((await app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent('/settings')}`, cookies: { winnow_session: session } })).headers.location).toBe('/settings');

    // Anything that would lead off the dashboard (or cannot be a Location) leads to the overview.
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'evil.example', '/\u0001x', '/%0d%0aSet-Cookie:x', ' /settings']) {
      const shown = await app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent(next)}`, remoteAddress: '203.0.113.31' });
      expect(shown.statusCode, next).toBe(200);
      const field = all(parseHtml(shown.body), 'input[name="next"]').map((input) => attribute(input, 'value'))[0];
      expect(field === undefined || field.startsWith('/%0d%0a'), next).toBe(true);
      const done = await app.inject({
        method: 'POST',
        url: '/login',
        ...form({ _csrf: hiddenCsrf(shown.body), password: PASSWORD, next }),
        cookies: { winnow_login: cookie(shown, 'winnow_login')!.value },
        remoteAddress: '203.0.113.31',
      });
      expect(done.statusCode, next).toBe(303);
      expect(done.headers.location === '/' || done.headers.location === '/%0d%0aSet-Cookie:x', next).toBe(true);
      expect(done.headers['set-cookie']?.toString(), next).not.toMatch(/(^|, )x(=|;|$)/);
    }
    // A form posted without a session goes to the login form, with no way back to a POST.
    expect((await app.inject({ method: 'POST', url: '/settings', ...form({}) })).headers.location).toBe('/login');
  });

  it('keeps the navigation on a 404 page for a logged-in visitor', async () => {
    const session = await login(app);
    const response = await get('/no-such-page', session);
    expect(response.statusCode).toBe(404);
    expect(has(parseHtml(response.body), 'nav[aria-label="Main"]')).toBe(true);
    const anonymous = parseHtml((await app.inject({ method: 'GET', url: '/no-such-page' })).body);
    expect(has(anonymous, '[aria-label="Main"]')).toBe(false);
    expect(text(one(anonymous, 'a[href="/login"]'))).toBe('Log in');
  });
});
