import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/env.ts';
import { HttpError, SESSION_COOKIE, type WebContext } from './context.ts';
import { localPath, sameSecret } from './security.ts';

const CHALLENGE = 'Bearer realm="winnow"';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * onRequest hook for the JSON API: callers authenticate with API_TOKEN as a bearer token.
 * Cookies play no part, so API routes need no CSRF protection.
 */
export function apiTokenGuard(config: Pick<Readonly<Config>, 'web'>) {
  return async function requireApiToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const expected = config.web.apiToken;
    if (expected === null) {
      return reply.code(401).header('www-authenticate', CHALLENGE).send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'The API is switched off because API_TOKEN is not set. Set API_TOKEN (at least 16 characters) and restart Winnow.',
      });
    }
    const given = bearerToken(request.headers.authorization);
    if (given === null || !sameSecret(given, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', given === null ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`)
        .send({ statusCode: 401, error: 'Unauthorized', message: given === null ? 'Send the header "Authorization: Bearer <API_TOKEN>".' : 'The bearer token is not API_TOKEN.' });
    }
    return undefined;
  };
}

/** Hooks shared by the routes that use the dashboard session. */
export function sessionGuards({ sessions }: Pick<WebContext, 'sessions'>) {
  return {
    /** onRequest: sets request.session from the cookie (renewing its idle timeout), or null. */
    async loadSession(request: FastifyRequest): Promise<void> {
      const id = request.cookies[SESSION_COOKIE];
      request.session = id ? await sessions.load(id) : null;
    },

    /**
     * onRequest, after loadSession: visitors without a session are sent to the login form, and
     * from a page (a GET) with the way back, so that a link or a bookmark leads where it said
     * once they have logged in. A form's POST is not repeated: it goes to the login form alone.
     */
    async requireSession(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
      if (request.session) return undefined;
      const back = request.method === 'GET' && request.url !== '/' ? localPath(request.url) : null;
      // Returning the reply tells Fastify the hook has answered and the route must not run.
      return reply.redirect(back ? `/login?next=${encodeURIComponent(back)}` : '/login', 303);
    },

    /**
     * preHandler: every POST must carry the session's CSRF token in its `_csrf` field. The token
     * is random per session and only ever written into our own pages, which another site cannot
     * read (same-origin policy, and the CSP forbids framing), so a forged form cannot include it.
     */
    async requireCsrf(request: FastifyRequest): Promise<void> {
      if (request.method !== 'POST') return;
      const given = (request.body as { _csrf?: unknown } | null | undefined)?._csrf;
      if (!request.session || typeof given !== 'string' || given === '' || !sameSecret(given, request.session.csrf)) {
        throw new HttpError(403, 'This form has expired or did not come from this dashboard. Go back, reload the page and try again.');
      }
    },
  };
}
