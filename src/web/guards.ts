import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, SESSION_COOKIE, type WebContext } from './context.ts';
import { sameSecret } from './security.ts';

/** Hooks shared by the routes that use the dashboard session. */
export function sessionGuards({ sessions }: Pick<WebContext, 'sessions'>) {
  return {
    /** onRequest: sets request.session from the cookie (renewing its idle timeout), or null. */
    async loadSession(request: FastifyRequest): Promise<void> {
      const id = request.cookies[SESSION_COOKIE];
      request.session = id ? await sessions.load(id) : null;
    },

    /** onRequest, after loadSession: visitors without a session are sent to the login form. */
    async requireSession(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
      // Returning the reply tells Fastify the hook has answered and the route must not run.
      if (!request.session) return reply.redirect('/login', 303);
      return undefined;
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
