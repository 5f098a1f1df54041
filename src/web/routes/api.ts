import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ActionOutcome } from '../../contacts/actions.ts';
import { HttpError, type WebContext } from '../context.ts';
import { apiTokenGuard } from '../guards.ts';
import { apiAddressBody, apiDecideBody, apiEraseQuery, directoryQuery, periodQuery, peopleQuery } from '../people-schemas.ts';
import { awaitingData, overviewData, sendPeopleCsv } from '../people.ts';
import { contactParams } from '../schemas.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** How an action's outcome is answered: done 200, unknown person 404, wrong input 400, not now 409. */
const OUTCOME_STATUS = { missing: 404, invalid: 400, not_allowed: 409 } as const;

function answer(reply: FastifyReply, outcome: ActionOutcome) {
  return reply.code(outcome.ok ? 200 : OUTCOME_STATUS[outcome.problem]).send(outcome);
}

const awaitingQuery = z.object({
  cursor: z.string({ error: 'must be given once, as text' }).max(400, 'is not a cursor from an earlier page').optional(),
  limit: z.coerce.number().int().min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100').default(20),
});

const skippedMailQuery = z.object({
  limit: z.coerce.number().int('must be from 1 to 1000').min(1, 'must be from 1 to 1000').max(1000, 'must be from 1 to 1000').default(100),
});

/**
 * The JSON API, registered under /api: the dashboard's people pages and actions, for scripts and
 * other tools. Callers authenticate with API_TOKEN as a bearer token; cookies play no part here,
 * so the API needs no CSRF protection. Actions answer with the same outcome the dashboard shows.
 */
export const apiRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps, people }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { directory, actions } = people;

  app.addHook('onRequest', apiTokenGuard(deps.config));

  // Unknown API paths answer after the token check too, so the API does not show its shape to strangers.
  app.setNotFoundHandler(async (request) => {
    throw new HttpError(404, `Nothing is at ${request.method} ${request.url.split('?')[0]}.`);
  });

  /** `?status=&platform=&flag=&q=&from=&to=&date=&sort=&order=&cursor=&limit=` → { contacts, nextCursor, total } */
  app.get('/contacts', { schema: { querystring: peopleQuery } }, async (request) => directory.query(directoryQuery(request.query)));

  /** The same filter as CSV: every matching person, not one page. */
  app.get('/contacts.csv', { schema: { querystring: peopleQuery } }, async (request, reply) => sendPeopleCsv(reply, deps, people, request.query));

  /** Accepts or rejects several people: { ids: [...], decision: 'accepted' | 'rejected' }. */
  app.post('/contacts/decide', { schema: { body: apiDecideBody } }, async (request) => actions.decide(request.body.ids, request.body.decision));

  app.get('/contacts/:id', { schema: { params: contactParams } }, async (request) => {
    const { id } = request.params;
    const [contact, timeline] = await Promise.all([deps.store.get(id), deps.store.timeline(id)]);
    if (!contact) throw new HttpError(404, `No contact with id ${id}.`);
    return { contact, timeline };
  });

  const simple: Array<[string, (id: string) => Promise<ActionOutcome>]> = [
    ['accept', actions.accept],
    ['reject', actions.reject],
    ['approve', actions.approve],
    ['send-again', actions.sendAgain],
    ['handled', actions.markHandled],
    ['sent-on-platform', actions.sentOnPlatform],
  ];
  for (const [path, run] of simple) {
    app.post(`/contacts/:id/${path}`, { schema: { params: contactParams } }, async (request, reply) => answer(reply, await run(request.params.id)));
  }

  /** Sets or corrects the address, then the script is sent: { email }. */
  app.post('/contacts/:id/address', { schema: { params: contactParams, body: apiAddressBody } }, async (request, reply) =>
    answer(reply, await actions.setAddress(request.params.id, request.body.email)),
  );

  /** Erases the person; `?forget=false` keeps no marker, so a new request from them is answered. */
  app.delete('/contacts/:id', { schema: { params: contactParams, querystring: apiEraseQuery } }, async (request, reply) => {
    const outcome = await actions.erase(request.params.id, { forget: request.query.forget === 'true' });
    request.log.info({ contact: request.params.id, erased: outcome.ok }, 'person erased through the API');
    return answer(reply, outcome);
  });

  /** Everything about the person as JSON. A POST: the export is noted on their timeline, and a GET changes nothing. */
  app.post('/contacts/:id/export', { schema: { params: contactParams } }, async (request, reply) => {
    const result = await actions.exportPerson(request.params.id);
    if (!result.ok) throw new HttpError(404, result.message);
    return reply.header('content-disposition', `attachment; filename="winnow-person-${request.params.id}.json"`).send(result.export);
  });

  /** The overview's figures: `?period=7d|30d|90d|all`. */
  app.get('/overview', { schema: { querystring: periodQuery } }, async (request) => {
    const data = await overviewData(deps, people, request.query.period);
    return {
      ...data,
      from: new Date(data.from).toISOString(),
      to: new Date(data.to).toISOString(),
      series: data.series.map((point) => ({ ...point, start: new Date(point.start).toISOString() })),
    };
  });

  /** Mail that was read but could not be used, newest first, with the reason: `?limit=` up to 1000. */
  app.get('/skipped-mail', { schema: { querystring: skippedMailQuery } }, async (request) => ({ mails: await deps.store.skippedMail(request.query.limit) }));

  /** People waiting for an address, each with the script rendered for them. */
  app.get('/awaiting', { schema: { querystring: awaitingQuery } }, async (request) => awaitingData(deps, people, request.query.cursor, request.query.limit));
};
