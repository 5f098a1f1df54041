import type { FastifyPluginAsync } from 'fastify';
import type { WebContext } from '../context.ts';
import { sessionGuards } from '../guards.ts';
import { healthData } from '../people.ts';
import { healthPage } from '../views/health.ts';
import { skippedMailPage } from '../views/skipped-mail.ts';
import { peopleRoutes } from './people.ts';
import { sendingRoutes } from './sending.ts';

/**
 * The dashboard pages of the people side: overview, the people list, a person, awaiting address;
 * and the health page with the skipped mail. Every route here needs a session; every POST added
 * here (or in a plugin registered here) is checked for the session's CSRF token by the preHandler
 * below, so a new form cannot forget it.
 */
export const dashboardRoutes: FastifyPluginAsync<WebContext> = async (app, context) => {
  const { deps } = context;
  const guards = sessionGuards(context);

  app.addHook('onRequest', guards.loadSession);
  app.addHook('onRequest', guards.requireSession);
  app.addHook('preHandler', guards.requireCsrf);

  // The directory loads everyone once per process; starting now spares the first visitor the wait.
  app.addHook('onReady', async () => {
    context.people.directory.sync().catch((error: unknown) => deps.logger.warn({ err: error }, 'could not load the people directory yet; the first page will try again'));
  });

  await app.register(peopleRoutes, context);
  await app.register(sendingRoutes, context);

  app.get('/health', async (request, reply) => {
    const health = await healthData(deps);
    return reply.type('text/html; charset=utf-8').send(healthPage(context.view(request), health).value);
  });

  app.get('/skipped-mail', async (request, reply) => {
    const mails = await deps.store.skippedMail(100);
    return reply.type('text/html; charset=utf-8').send(skippedMailPage(context.view(request), mails).value);
  });
};
