import { CALLBACK_PATH } from '../mailboxes/oauth.ts';
import { STATUS_CODES } from 'node:http';
import type { TrustProxy } from '../config/env.ts';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { loadAssets } from './assets.ts';
import { HttpError, isApiRequest, type WebContext, type WebDeps } from './context.ts';
import { assetRoutes } from './routes/assets.ts';
import { loginRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { registerOpenApi } from './routes/openapi.ts';
import { QUEUE_BOARD_PATH, queueBoardRoutes } from './routes/queues.ts';
import { sessionGuards } from './guards.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';
import { createPeopleServices } from './people.ts';
import { createLoginGuard, LOGIN_GUARD_DEFAULTS, type LoginGuardOptions } from './login-guard.ts';
import { apiScope, pagesScope } from './scopes.ts';
import { createSessionStore, SESSION_DEFAULTS, type SessionOptions } from './session.ts';
import { errorPage } from './views/error.ts';
import { serializerCompiler, validatorCompiler } from './schemas/provider.ts';
import { createWebhooks } from '../webhooks/webhooks.ts';
import { sealerOf } from '../config/sealed.ts';
import { createMailboxStore } from '../mailboxes/records.ts';

export type { WebDeps } from './deps.ts';

/** The dashboard's Content-Security-Policy (see security.ts); pages that need more ask per route. */
export { CONTENT_SECURITY_POLICY } from './security.ts';

export interface WebOptions {
  sessions?: SessionOptions;
  loginGuard?: LoginGuardOptions;
}

/**
 * The web role as a Fastify plugin: dashboard, JSON API and probes. It never listens; the process
 * (or a test, through `inject`) owns the server.
 */
export const webApp: FastifyPluginAsync<{ deps: WebDeps; options?: WebOptions }> = async (app, { deps: given, options }) => {
  const assets = loadAssets();
  // Given by the composition root; an app built alone (a test, a benchmark) makes its own and closes it.
  const ownWebhooks = given.webhooks ? null : createWebhooks({ redis: given.redis, prefix: given.config.redis.prefix, mailbox: given.store.mailbox, logger: given.logger, allowPrivate: given.config.webhook.allowPrivate, sealer: sealerOf(given.config.secret), readPerson: (id) => given.store.get(id) });
  if (ownWebhooks) app.addHook('onClose', () => ownWebhooks.close());
  const deps: WebDeps = {
    ...given,
    webhooks: given.webhooks ?? ownWebhooks!,
    mailboxes: given.mailboxes ?? createMailboxStore(given.redis, given.config.redis.prefix, { secrets: sealerOf(given.config.secret), config: given.config, now: given.now }),
  };
  const sessions = createSessionStore(deps.redis, deps.config.redis.prefix, options?.sessions ?? SESSION_DEFAULTS);
  const context: WebContext = {
    deps,
    sessions,
    loginGuard: createLoginGuard(deps.redis, deps.config.redis.prefix, options?.loginGuard ?? LOGIN_GUARD_DEFAULTS, deps.now),
    assets,
    people: createPeopleServices(deps),
    webhooks: deps.webhooks!,
    mailboxes: deps.mailboxes!,
    view: (request) => ({ session: request.session, assets: { css: assets.css.url, icon: assets.icon.url }, sendingPause: request.sendingPause }),
  };

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('session', null);
  app.decorateRequest('sendingPause', null);

  await app.register(cookie);
  await app.register(formbody);
  await app.register(helmet, {
    // Only the directives above: helmet's defaults add sources (data: images, inline styles) we do not want.
    contentSecurityPolicy: { useDefaults: false, directives: { ...CONTENT_SECURITY_POLICY } },
  });
  await app.register(rateLimit, {
    // Only routes that ask for a limit get one (the login form); counts live in Redis so that
    // every web process shares them.
    global: false,
    redis: deps.redis,
    nameSpace: `${deps.config.redis.prefix}:rate-limit:`,
    errorResponseBuilder: (_request, context) => new HttpError(context.statusCode, `Too many attempts. Try again in ${context.after}.`),
  });

  // Defence in depth next to the CSRF tokens: browsers mark a form posted from another site.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && !isApiRequest(request) && request.headers['sec-fetch-site'] === 'cross-site') {
      throw new HttpError(403, 'Forms of this dashboard can only be sent from the dashboard itself.');
    }
  });

  // Pages and API answers hold personal data: no cache keeps them unless a route says otherwise.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    // Server errors may hold internals (Redis messages, paths); the log has them, the page does not.
    const message = statusCode >= 500 ? 'Something went wrong on our side. The details are in the server log.' : error.message;
    return sendError(context, request, reply, statusCode, message);
  });

  // While the circuit breaker holds sending, every page says so (src/web/views/alerts.ts). Read
  // after the routes' own hooks loaded the session: one small read per logged-in page.
  app.addHook('preHandler', async (request) => {
    if (request.session && request.method === 'GET' && !isApiRequest(request)) request.sendingPause = await deps.store.sendingPause();
  });

  const guards = sessionGuards(context);
  app.setNotFoundHandler(async (request, reply) => {
    // A logged-in visitor keeps the navigation on a 404 page.
    if (!isApiRequest(request)) await guards.loadSession(request);
    return sendError(context, request, reply, 404, `Nothing is at ${request.method} ${request.url.split('?')[0]}.`);
  });

  // Public: the probes, the static files and the login form. Everything else is in one of two
  // scopes that check who asks once for all their routes: the pages (session and CSRF token) and
  // the JSON API (bearer token).
  // Before every route: the OpenAPI document is made of the schemas of the routes that follow.
  await registerOpenApi(app);
  await app.register(healthRoutes, context);
  await app.register(metricsRoutes, context);
  await app.register(assetRoutes, { assets });
  await app.register(loginRoutes, context);
  await app.register(pagesScope, context);
  await app.register(apiScope, { ...context, prefix: '/api' });
  // The queue board checks the session and its own CSRF header itself (routes/queues.ts).
  await app.register(queueBoardRoutes, { ...context, prefix: QUEUE_BOARD_PATH });
};

function sendError(context: WebContext, request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string) {
  reply.code(statusCode);
  if (isApiRequest(request) || request.url === '/healthz' || request.url === '/readyz') {
    return reply.send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message });
  }
  return reply.type('text/html; charset=utf-8').send(errorPage(context.view(request), statusCode, message).value);
}

/**
 * Fastify's access log ("incoming request", "request completed") at debug instead of info: at info
 * every page load and poll would bury the mail events a user follows. Errors keep their level.
 */
class QuietAccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    // The sign-in's callback carries a one-use authorization code and its state: logged without them.
    const withCode = request.url.startsWith(`${CALLBACK_PATH}?`);
    request.log.debug({ req: withCode ? { method: request.method, url: `${CALLBACK_PATH}?…` } : request }, 'incoming request');
  }
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply);
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
  override routeNotFound(request: FastifyRequest): void {
    request.log.debug(`Route ${request.method}:${request.url} not found`);
  }
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes "believe the nearest N hops", as Express
 * reads a number (Fastify itself reads a bare number as trusting nothing): the client address is
 * then the one the outermost of those proxies saw, whatever the client wrote further left in
 * X-Forwarded-For. It relies on the dashboard being reachable only through those proxies; naming
 * their addresses does not.
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/** The Fastify server options of the web role: its logger, the proxies it believes and the access log's level. */
export function fastifyOptions(deps: WebDeps) {
  // Typed as Fastify's logger interface so the instance has the plain FastifyInstance type callers hold.
  const logger: FastifyBaseLogger = deps.logger;
  // Behind a reverse proxy, client addresses (for the login limits) and https come from its headers,
  // believed only from the proxies TRUST_PROXY names (a hop count or their addresses).
  return { loggerInstance: logger, trustProxy: fastifyTrustProxy(deps.config.web.trustProxy), logController: new QuietAccessLog() };
}

/** A Fastify instance with the web role registered, not yet listening. */
export async function buildApp(deps: WebDeps, options?: WebOptions): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions(deps));
  await app.register(webApp, { deps, options });
  return app;
}
