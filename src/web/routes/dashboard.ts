import type { FastifyPluginAsync } from 'fastify';
import type { WebContext } from '../context.ts';
import { healthData } from '../people.ts';
import { healthPage } from '../views/health.ts';
import { skippedMailPage } from '../views/skipped-mail.ts';
import { peopleRoutes } from './people.ts';
import { sendingRoutes } from './sending.ts';

/**
 * The dashboard pages of the people side: overview, the people list, a person, awaiting address;
 * and the health page with the skipped mail. Registered in the pages scope (scopes.ts), which
 * requires the session and every POST's CSRF token.
 */
export const dashboardRoutes: FastifyPluginAsync<WebContext> = async (app, context) => {
  const { deps } = context;
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
