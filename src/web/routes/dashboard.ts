import type { FastifyPluginAsync } from 'fastify';
import { HttpError, type WebContext } from '../context.ts';
import { sessionGuards } from '../guards.ts';
import type { Html } from '../html.ts';
import { contactListQuery, contactParams } from '../schemas.ts';
import { peoplePage } from '../views/people.ts';
import { personPage } from '../views/person.ts';
import { skippedMailPage } from '../views/skipped-mail.ts';
import type { ZodTypeProvider } from '../zod.ts';

/**
 * The dashboard pages. Every route here needs a session; every POST added here is checked for the
 * session's CSRF token by the preHandler below, so a new form cannot forget it.
 */
export const dashboardRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { deps } = context;
  const guards = sessionGuards(context);

  app.addHook('onRequest', guards.loadSession);
  app.addHook('onRequest', guards.requireSession);
  app.addHook('preHandler', guards.requireCsrf);

  const page = (body: Html) => body.value;

  app.get('/', { schema: { querystring: contactListQuery } }, async (request, reply) => {
    const query = request.query;
    const [list, counts] = await Promise.all([deps.store.list(query), deps.store.counts()]);
    return reply.type('text/html; charset=utf-8').send(page(peoplePage(context.view(request), { query, page: list, counts })));
  });

  app.get('/contacts/:id', { schema: { params: contactParams } }, async (request, reply) => {
    const { id } = request.params;
    const [contact, timeline] = await Promise.all([deps.store.get(id), deps.store.timeline(id)]);
    if (!contact) throw new HttpError(404, 'There is no one with this id. They may belong to another mailbox, or the link is wrong.');
    return reply.type('text/html; charset=utf-8').send(page(personPage(context.view(request), contact, timeline)));
  });

  app.get('/skipped-mail', async (request, reply) => {
    const mails = await deps.store.skippedMail(100);
    return reply.type('text/html; charset=utf-8').send(page(skippedMailPage(context.view(request), mails)));
  });
};
