import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.ts';
import { createLoginGuard, LOGIN_GUARD_DEFAULTS } from '../../src/web/login-guard.ts';
import { all, has, one, parseHtml, text } from '../support/dom.ts';
import { cookie, form, hiddenCsrf, PASSWORD, useWebTest } from './helpers.ts';

/**
 * The dashboard login against guessing, on a real Redis: the per-address limit counts the address
 * the trusted proxy vouches for (not what a client writes into X-Forwarded-For), and a budget of
 * failed logins from all addresses together slows guessing down however many addresses it uses.
 * Each test has a Redis key prefix of its own (useWebTest).
 */

const web = useWebTest();

interface Attempt {
  password: string;
  remoteAddress: string;
  forwardedFor?: string;
}

/** Opens the login form and posts it, as a browser behind `remoteAddress` would. */
async function attempt(app: FastifyInstance, { password, remoteAddress, forwardedFor }: Attempt) {
  const headers = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {};
  const page = await app.inject({ method: 'GET', url: '/login', remoteAddress, headers });
  const posted = form({ _csrf: hiddenCsrf(page.body), password });
  return app.inject({
    method: 'POST',
    url: '/login',
    payload: posted.payload,
    headers: { ...posted.headers, ...headers },
    cookies: { winnow_login: cookie(page, 'winnow_login')!.value },
    remoteAddress,
  });
}

/** A logger whose lines the test reads. */
function capturedLogger(): { logger: Logger; lines: Array<{ msg: string; level: number; failures?: number; addresses?: number }> } {
  const lines: Array<{ msg: string; level: number }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('the per-address limit behind a proxy', () => {
  it('a client rotating X-Forwarded-For through one trusted hop is still limited: the 11th attempt is refused', async () => {
    const app = await web.app({ env: { TRUST_PROXY: '1' } });
    const statuses: number[] = [];
    // The proxy on 127.0.0.1 appends the address it saw; what the client wrote stands left of it.
    for (let i = 0; i < 10; i++) {
      const response = await attempt(app, { password: `guess ${i}`, remoteAddress: '127.0.0.1', forwardedFor: `198.51.100.${i}, 203.0.113.50` });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    const refused = await attempt(app, { password: PASSWORD, remoteAddress: '127.0.0.1', forwardedFor: '198.51.100.99, 203.0.113.50' });
    expect(refused.statusCode).toBe(429);
    expect(cookie(refused, 'winnow_session')).toBeUndefined();
    // Another client behind the same proxy still gets in.
    const other = await attempt(app, { password: PASSWORD, remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.51' });
    expect(other.statusCode).toBe(303);
  });

  it('a client that is not one of the named proxies cannot choose its address with X-Forwarded-For', async () => {
    const app = await web.app({ env: { TRUST_PROXY: '10.0.0.2, 10.1.0.0/16' } });
    for (let i = 0; i < 10; i++) {
      const response = await attempt(app, { password: `guess ${i}`, remoteAddress: '203.0.113.77', forwardedFor: `198.51.100.${i}` });
      expect(response.statusCode).toBe(401);
    }
    const refused = await attempt(app, { password: PASSWORD, remoteAddress: '203.0.113.77', forwardedFor: '198.51.100.200' });
    expect(refused.statusCode).toBe(429);
    // Through a named proxy, the address it vouches for counts.
    const proxied = await attempt(app, { password: PASSWORD, remoteAddress: '10.1.2.3', forwardedFor: '203.0.113.78' });
    expect(proxied.statusCode).toBe(303);
  });
});

describe('the budget of failed logins from all addresses together', () => {
  it('slows logins down once the budget is spent, whatever address the next attempt comes from, with a doubling wait', async () => {
    let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
    const app = await web.app({ deps: { now: () => clock } });
    const { budget, firstDelayMs } = LOGIN_GUARD_DEFAULTS;
    // One attempt per address: the per-address limit never comes into play.
    for (let i = 0; i < budget; i++) {
      const response = await attempt(app, { password: `guess ${i}`, remoteAddress: `198.51.100.${i + 1}` });
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain('next attempt is heard');
    }
    const spent = await attempt(app, { password: 'one more guess', remoteAddress: '198.51.100.100' });
    expect(spent.statusCode).toBe(401);
    expect(text(one(parseHtml(spent.body), 'p.error#login-error[role="alert"]'))).toBe('That password is not right. There have been many failed logins, so the next attempt is heard in 1 second.');

    // Even the right password, from an address never seen, waits: the attempt is not compared.
    const waiting = await attempt(app, { password: PASSWORD, remoteAddress: '203.0.113.1' });
    expect(waiting.statusCode).toBe(429);
    expect(waiting.headers['retry-after']).toBe('1');
    expect(text(one(parseHtml(waiting.body), 'p.error#login-error[role="alert"]'))).toBe('Too many failed logins recently, from all addresses together. Try again in 1 second.');
    expect(cookie(waiting, 'winnow_session')).toBeUndefined();

    // Each further failure doubles the wait.
    clock += firstDelayMs;
    expect((await attempt(app, { password: 'guess again', remoteAddress: '198.51.100.101' })).statusCode).toBe(401);
    const longer = await attempt(app, { password: PASSWORD, remoteAddress: '203.0.113.1' });
    expect(longer.statusCode).toBe(429);
    expect(longer.headers['retry-after']).toBe('2');

    // Once the wait is over, the right password gets in.
    clock += 2 * firstDelayMs;
    const allowed = await attempt(app, { password: PASSWORD, remoteAddress: '203.0.113.1' });
    expect(allowed.statusCode).toBe(303);
    expect(cookie(allowed, 'winnow_session')).toBeDefined();
  });

  it('logs a burst once, not per attempt, and shows it on the overview', async () => {
    let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
    const { logger, lines } = capturedLogger();
    const app = await web.app({ deps: { now: () => clock, logger } });
    const { budget, burstThreshold, quietMs } = LOGIN_GUARD_DEFAULTS;
    // A mistyped password or two is no burst.
    for (let i = 0; i < burstThreshold - 1; i++) await attempt(app, { password: `typo ${i}`, remoteAddress: '192.0.2.10' });
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    clock += quietMs + 1;

    // A guessing run from 30 addresses, each attempt once the wait before it is over.
    const guard = createLoginGuard(web.redis, web.config.redis.prefix, LOGIN_GUARD_DEFAULTS, () => clock);
    for (let i = 0; i < budget + 10; i++) {
      clock += await guard.waitMs();
      expect((await attempt(app, { password: `guess ${i}`, remoteAddress: `198.51.100.${i + 1}` })).statusCode).toBe(401);
    }
    const warnings = lines.filter((line) => line.level >= 40);
    expect(warnings.map((line) => line.msg)).toEqual(['dashboard login: a burst of failed logins', 'dashboard login: failed logins spent the budget; logins are slowed down']);
    expect(warnings[0]).toMatchObject({ failures: burstThreshold, addresses: burstThreshold });
    expect(warnings[1]).toMatchObject({ failures: budget + 1, addresses: budget + 1 });

    clock += 24 * 60 * 60_000;
    const login = await attempt(app, { password: PASSWORD, remoteAddress: '203.0.113.1' });
    expect(login.statusCode).toBe(303);
    const overview = await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: cookie(login, 'winnow_session')!.value } });
    const section = one(parseHtml(overview.body), 'section[aria-labelledby="login-bursts-heading"]');
    expect(text(one(section, 'h2#login-bursts-heading'))).toBe('Failed logins');
    // The typing slip was no burst; the guessing run is one row.
    const rows = all(section, 'tr:has(td)').map((row) => all(row, 'td').map(text));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(2)).toEqual([String(budget + 10), String(budget + 10), 'yes: every further attempt waited longer']);
  });

  it('shows no failed-login section while there were no bursts', async () => {
    const app = await web.app();
    const login = await attempt(app, { password: PASSWORD, remoteAddress: '203.0.113.1' });
    const overview = await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: cookie(login, 'winnow_session')!.value } });
    expect(overview.statusCode).toBe(200);
    expect(has(parseHtml(overview.body), '#login-bursts-heading, [aria-labelledby="login-bursts-heading"]')).toBe(false);
  });
});
