import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ActionOutcome } from '../../contacts/actions.ts';
import { HttpError, type WebContext } from '../context.ts';
import { awaitingData, overviewData, sendPeopleCsv } from '../people.ts';
import { apiErrors, contactParams, notFound } from '../schemas/common.ts';
import {
  actionAnswers,
  apiAddressBody,
  apiDecideBody,
  apiEraseQuery,
  awaitingAnswer,
  awaitingQuery,
  bulkOutcome,
  contactsPage,
  directoryQuery,
  overviewAnswer,
  peopleQuery,
  periodQuery,
  personAnswer,
  personExport,
  skippedMailQuery,
  skippedMailAnswer,
} from '../schemas/people.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';

/** How an action's outcome is answered: done 200, unknown person 404, wrong input 400, not now 409. */
const OUTCOME_STATUS = { missing: 404, invalid: 400, not_allowed: 409 } as const;

function answer(reply: FastifyReply, outcome: ActionOutcome) {
  return reply.code(outcome.ok ? 200 : OUTCOME_STATUS[outcome.problem]).send(outcome);
}

/**
 * The people side of the JSON API, in the API scope (scopes.ts, bearer token): the dashboard's
 * people pages and actions, for scripts and other tools. Actions answer with the same outcome the
 * dashboard shows.
 */
export const peopleApiRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps, people }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { directory, actions } = people;

  app.get('/contacts', { schema: { description: 'A page of people, filtered and sorted as the people list.', querystring: peopleQuery, response: { 200: contactsPage, ...apiErrors } } }, async (request) =>
    directory.query(directoryQuery(request.query)),
  );

  /** The same filter as CSV: every matching person, not one page. */
  app.get('/contacts.csv', { schema: { description: 'Everyone the query matches (every page of it) as CSV.', querystring: peopleQuery, response: apiErrors } }, async (request, reply) =>
    sendPeopleCsv(reply, deps, people, request.query),
  );

  app.post('/contacts/decide', { schema: { description: 'Accepts or rejects several people.', body: apiDecideBody, response: { 200: bulkOutcome, ...apiErrors } } }, async (request) =>
    actions.decide(request.body.ids, request.body.decision),
  );

  app.get('/contacts/:id', { schema: { description: 'A person and their timeline.', params: contactParams, response: { 200: personAnswer, ...apiErrors, 404: notFound } } }, async (request) => {
    const { id } = request.params;
    const [contact, timeline] = await Promise.all([deps.store.get(id), deps.store.timeline(id)]);
    if (!contact) throw new HttpError(404, `No contact with id ${id}.`);
    return { contact, timeline };
  });

  const simple: Array<[string, (id: string) => Promise<ActionOutcome>, string]> = [
    ['accept', actions.accept, 'Accepts the person.'],
    ['reject', actions.reject, 'Rejects the person.'],
    ['approve', actions.approve, 'Approves the script waiting for approval: it is sent.'],
    ['send-again', actions.sendAgain, 'Sends the script again (a new deadline runs).'],
    ['handled', actions.markHandled, 'Marks the person handled.'],
    ['sent-on-platform', actions.sentOnPlatform, 'Notes that the user sent the script on the platform: the deadline runs.'],
  ];
  for (const [path, run, description] of simple) {
    app.post(`/contacts/:id/${path}`, { schema: { description, params: contactParams, response: { ...apiErrors, ...actionAnswers } } }, async (request, reply) =>
      answer(reply, await run(request.params.id)),
    );
  }

  app.post(
    '/contacts/:id/address',
    { schema: { description: 'Sets or corrects the address, then the script is sent.', params: contactParams, body: apiAddressBody, response: { ...apiErrors, ...actionAnswers } } },
    async (request, reply) => answer(reply, await actions.setAddress(request.params.id, request.body.email)),
  );

  app.delete(
    '/contacts/:id',
    { schema: { description: 'Erases the person and everything about them.', params: contactParams, querystring: apiEraseQuery, response: { ...apiErrors, ...actionAnswers } } },
    async (request, reply) => {
      const outcome = await actions.erase(request.params.id, { forget: request.query.forget === 'true' });
      request.log.info({ contact: request.params.id, erased: outcome.ok }, 'person erased through the API');
      return answer(reply, outcome);
    },
  );

  // A POST: the export is noted on the person's timeline, and a GET changes nothing.
  app.post(
    '/contacts/:id/export',
    { schema: { description: 'Everything about the person as a JSON download; noted on their timeline.', params: contactParams, response: { 200: personExport, ...apiErrors, 404: notFound } } },
    async (request, reply) => {
      const result = await actions.exportPerson(request.params.id);
      if (!result.ok) throw new HttpError(404, result.message);
      return reply.header('content-disposition', `attachment; filename="winnow-person-${request.params.id}.json"`).send(result.export);
    },
  );

  app.get('/overview', { schema: { description: 'The overview\'s figures for a period.', querystring: periodQuery, response: { 200: overviewAnswer, ...apiErrors } } }, async (request) => {
    const data = await overviewData(deps, people, request.query.period, request.query.mailbox);
    return {
      ...data,
      from: new Date(data.from).toISOString(),
      to: new Date(data.to).toISOString(),
      series: data.series.map((point) => ({ ...point, start: new Date(point.start).toISOString() })),
    };
  });

  app.get(
    '/skipped-mail',
    { schema: { description: 'Mail that was read but could not be used, newest first, with the reason.', querystring: skippedMailQuery, response: { 200: skippedMailAnswer, ...apiErrors } } },
    async (request) => ({ mails: await deps.store.skippedMail(request.query.limit) }),
  );

  app.get(
    '/awaiting',
    { schema: { description: 'People waiting for an address, oldest request first, each with the script rendered for them.', querystring: awaitingQuery, response: { 200: awaitingAnswer, ...apiErrors } } },
    async (request) => awaitingData(deps, people, request.query.cursor, request.query.limit),
  );
};
