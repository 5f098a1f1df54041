import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { LOGIN_COOKIE, SESSION_COOKIE, type WebContext } from '../context.ts';
import { sessionGuards } from '../guards.ts';
import { csrfForm, loginForm, loginQuery } from '../schemas/auth.ts';
import { randomToken, sameSecret } from '../security.ts';
import { loginPage } from '../views/login.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';

/**
 * Per client address: enough for a person who mistypes, too few for guessing. The address is the
 * one the connection came from, or, behind the proxies TRUST_PROXY names, the one they vouch for;
 * the budget of login-guard.ts counts all addresses together.
 */
export const LOGIN_RATE_LIMIT = { max: 10, timeWindow: 60_000 };

/** "in 5 seconds", "in 3 minutes": when a login attempt is heard again. */
function inWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 120) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Cookies are Secure when the request came over https (a TLS listener, or a proxy's
 * X-Forwarded-Proto when trustProxy is on); on plain http a Secure cookie would never come back.
 */
function cookieOptions(request: FastifyRequest, extra: CookieSerializeOptions): CookieSerializeOptions {
  return { httpOnly: true, secure: request.protocol === 'https', ...extra };
}

/**
 * Login and logout.
 *
 * CSRF on the login form: there is no session yet, so the form uses a double-submit token: a
 * random value set in an HttpOnly, SameSite=Strict cookie scoped to /login and repeated in a
 * hidden field; POST /login needs both, equal. Another site can make a browser post the form but
 * cannot read or set that cookie, so it cannot know the value. (Login CSRF matters little here,
 * since there is one account and logging in needs its password, but the check is cheap and keeps
 * the rule "every POST carries a token" without exceptions.)
 *
 * After login, forms carry the session's own token (guards.ts); logout is such a form, in the
 * pages scope (logoutRoutes below).
 */
export const loginRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { deps, sessions, loginGuard } = context;
  const guards = sessionGuards(context);

  function showLogin(request: FastifyRequest, reply: FastifyReply, status: number, next: string | undefined, error?: string, notice?: string) {
    // Reuse the pending token if it looks like one of ours, so two open tabs both work.
    const pending = request.cookies[LOGIN_COOKIE];
    const csrf = pending && /^[A-Za-z0-9_-]{43}$/.test(pending) ? pending : randomToken();
    reply.setCookie(LOGIN_COOKIE, csrf, cookieOptions(request, { path: '/login', sameSite: 'strict' }));
    return reply.code(status).type('text/html; charset=utf-8').send(loginPage(context.view(request), { csrf, error, next, notice }).value);
  }

  // `next` is where to go once logged in (see requireSession); schemas.ts lets only our own paths through.
  app.get('/login', { onRequest: guards.loadSession, schema: { querystring: loginQuery } }, async (request, reply) => {
    if (request.session) return reply.redirect(request.query.next ?? '/', 303);
    return showLogin(request, reply, 200, request.query.next, undefined, request.query.out ? 'You are logged out.' : undefined);
  });

  app.post(
    '/login',
    {
      schema: { body: loginForm },
      config: { rateLimit: LOGIN_RATE_LIMIT },
    },
    async (request, reply) => {
      const { _csrf, password, next } = request.body;
      // While logins are slowed down, an attempt is not even compared: that is what makes guessing slow.
      const waitMs = await loginGuard.waitMs();
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return showLogin(request, reply, 429, next, `Too many failed logins recently, from all addresses together. Try again ${inWords(waitMs)}.`);
      }
      const pending = request.cookies[LOGIN_COOKIE];
      if (!pending || !_csrf || !sameSecret(_csrf, pending)) {
        return showLogin(request, reply, 403, next, 'The login form expired or did not come from this site. Please enter the password again.');
      }
      if (!sameSecret(password, deps.config.web.dashboardPassword)) {
        const failure = await loginGuard.failed(request.ip);
        // Once per burst, not per attempt: a guessing run would otherwise flood the log.
        if (failure.notice === 'burst') {
          request.log.warn({ ip: request.ip, failures: failure.failures, addresses: failure.addresses }, 'dashboard login: a burst of failed logins');
        } else if (failure.notice === 'slowed') {
          request.log.warn({ ip: request.ip, failures: failure.failures, addresses: failure.addresses }, 'dashboard login: failed logins spent the budget; logins are slowed down');
        } else {
          request.log.debug({ ip: request.ip }, 'dashboard login failed: wrong password');
        }
        const slowed = failure.delayMs > 0 ? ` There have been many failed logins, so the next attempt is heard ${inWords(failure.delayMs)}.` : '';
        return showLogin(request, reply, 401, next, `That password is not right.${slowed}`);
      }
      // A fresh id at every login, and the old session ended, so a planted cookie is worth nothing.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await sessions.destroy(previous);
      const session = await sessions.create();
      request.log.info({ ip: request.ip }, 'dashboard login');
      reply.clearCookie(LOGIN_COOKIE, cookieOptions(request, { path: '/login', sameSite: 'strict' }));
      // Redis holds the sliding idle timeout; the cookie only needs to outlive the absolute lifetime.
      reply.setCookie(SESSION_COOKIE, session.id, cookieOptions(request, { path: '/', sameSite: 'lax', maxAge: Math.floor(sessions.options.maxAgeMs / 1000) }));
      return reply.redirect(next ?? '/', 303);
    },
  );
};

/** Logout: a form of the pages scope (scopes.ts), so it needs the session and its CSRF token. */
export const logoutRoutes: FastifyPluginAsync<WebContext> = async (plain, { sessions }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.post('/logout', { schema: { body: csrfForm } }, async (request, reply) => {
    if (request.session) await sessions.destroy(request.session.id);
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request, { path: '/', sameSite: 'lax' }));
    return reply.redirect('/login?out=1', 303);
  });
};
