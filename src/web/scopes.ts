import type { FastifyPluginAsync } from 'fastify';
import { HttpError, type WebContext } from './context.ts';
import { apiTokenGuard, sessionGuards } from './guards.ts';
import { addressBookRoutes } from './routes/address-book.ts';
import { peopleApiRoutes } from './routes/api.ts';
import { logoutRoutes } from './routes/auth.ts';
import { mailboxesApiRoutes, mailboxesRoutes } from './routes/mailboxes.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { docsRoutes, openApiRoutes } from './routes/openapi.ts';
import { sendingApiRoutes } from './routes/sending.ts';
import { settingsApiRoutes, settingsRoutes } from './routes/settings.ts';
import { templatesApiRoutes, templatesRoutes } from './routes/templates.ts';
import { webhooksApiRoutes, webhooksRoutes } from './routes/webhooks.ts';

/**
 * The dashboard's pages after login. Every route registered here, or in a plugin registered here,
 * needs a session (visitors without one go to the login form) and every POST the session's CSRF
 * token, so a new page or form cannot forget either. The login form itself is outside (auth.ts).
 */
export const pagesScope: FastifyPluginAsync<WebContext> = async (app, context) => {
  const guards = sessionGuards(context);
  app.addHook('onRequest', guards.loadSession);
  app.addHook('onRequest', guards.requireSession);
  app.addHook('preHandler', guards.requireCsrf);

  await app.register(dashboardRoutes, context);
  await app.register(settingsRoutes, context);
  await app.register(templatesRoutes, context);
  await app.register(webhooksRoutes, context);
  await app.register(oauthRoutes, context);
  await app.register(mailboxesRoutes, context);
  await app.register(logoutRoutes, context);
  await app.register(docsRoutes, context);
};

/**
 * The JSON API, registered under /api: callers authenticate with API_TOKEN as a bearer token,
 * checked here for every route of it. Cookies play no part, so the API needs no CSRF protection.
 */
export const apiScope: FastifyPluginAsync<WebContext> = async (app, options) => {
  // The routes below are under /api through this plugin; handed on, its prefix would apply twice.
  const { prefix: _prefix, ...context } = options as WebContext & { prefix?: string };
  app.addHook('onRequest', apiTokenGuard(context.deps.config));

  // Unknown API paths answer after the token check too, so the API does not show its shape to strangers.
  app.setNotFoundHandler(async (request) => {
    throw new HttpError(404, `Nothing is at ${request.method} ${request.url.split('?')[0]}.`);
  });

  await app.register(peopleApiRoutes, context);
  await app.register(addressBookRoutes, context);
  await app.register(settingsApiRoutes, context);
  await app.register(sendingApiRoutes, context);
  await app.register(templatesApiRoutes, context);
  await app.register(webhooksApiRoutes, context);
  await app.register(mailboxesApiRoutes, context);
  await app.register(openApiRoutes, context);
};
