import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ActionOutcome, BulkOutcome } from '../../contacts/actions.ts';
import { personVariables } from '../../script/render.ts';
import { HttpError, type WebContext } from '../context.ts';
import type { Html } from '../html.ts';
import { contactParams } from '../schemas/common.ts';
import { actionForm, addressForm, awaitingPageQuery, bulkForm, confirmForm, directoryQuery, eraseForm, periodQuery, peopleQuery, withDatesInOrder } from '../schemas/people.ts';
import { awaitingData, overviewData, sendPeopleCsv } from '../people.ts';
import { localPath, pagePolicy, routeCsp } from '../security.ts';
import type { Session } from '../session.ts';
import { awaitingPage } from '../views/awaiting.ts';
import { overviewPage } from '../views/overview.ts';
import { contactUrl, peopleListPage } from '../views/people.ts';
import { erasePage, personPage, sendAgainPage } from '../views/person.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';

/** Bulk results name at most this many refusals; the rest are counted. */
const REFUSALS_SHOWN = 5;

export function bulkMessage(outcome: BulkOutcome): string {
  const verb = outcome.decision === 'accepted' ? 'Accepted' : 'Rejected';
  const parts: string[] = [];
  if (outcome.moved > 0) parts.push(`${verb} ${outcome.moved} ${outcome.moved === 1 ? 'person' : 'people'}.`);
  if (outcome.unchanged > 0) parts.push(`${outcome.unchanged} ${outcome.unchanged === 1 ? 'was' : 'were'} ${outcome.decision} already.`);
  if (outcome.refused > 0) {
    const refusals = outcome.results.filter((result) => !result.ok);
    parts.push(`${outcome.refused} could not be: ${refusals.slice(0, REFUSALS_SHOWN).map((r) => r.message).join(' ')}${refusals.length > REFUSALS_SHOWN ? ` And ${refusals.length - REFUSALS_SHOWN} more.` : ''}`);
  }
  return parts.join(' ') || 'Nothing changed.';
}

/**
 * The people pages: overview, the people list, a person with their actions, awaiting address.
 * Registered in the pages scope (scopes.ts), whose hooks require a session and check every POST's
 * CSRF token. Every action answers with a redirect and a one-time message (post, redirect, get), so
 * a reload never repeats it and nothing needs script.
 */
export const peopleRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { deps, people, assets } = context;
  const { directory, actions, flash } = people;
  const withScript = { helmet: routeCsp(pagePolicy({ scripts: true })) };

  const send = (reply: FastifyReply, body: Html) => reply.type('text/html; charset=utf-8').send(body.value);
  const session = (request: FastifyRequest): Session => {
    // The hooks of the pages scope sent everyone without a session to the login form.
    if (!request.session) throw new HttpError(401, 'Log in first.');
    return request.session;
  };

  async function finish(request: FastifyRequest, reply: FastifyReply, outcome: { ok: boolean; message: string }, to: string) {
    await flash.set(session(request), { kind: outcome.ok ? 'done' : 'refused', text: outcome.message });
    return reply.redirect(to, 303);
  }

  /** The mailboxes as the filters offer them. */
  const mailboxChoices = async () => (await context.mailboxes.list()).map(({ id, name }) => ({ id, name }));

  async function findPerson(id: string) {
    const contact = await deps.store.get(id);
    if (!contact) throw new HttpError(404, 'There is no one with this id. They may have been erased, or the link is wrong.');
    return contact;
  }

  // ---- Overview -------------------------------------------------------------------------------

  app.get('/', { schema: { querystring: periodQuery } }, async (request, reply) => {
    const { period, mailbox } = request.query;
    const [data, message, loginBursts, webhookNotices, mailboxes, signInNeeded] = await Promise.all([
      overviewData(deps, people, period, mailbox),
      flash.take(request.session),
      context.loginGuard.recentBursts(),
      context.webhooks.endpoints.notices(),
      context.mailboxes.withState(),
      deps.signInFlow?.needingSignIn() ?? [],
    ]);
    // The main mailbox's trouble is told from its health below; an added one's from its state.
    const failingMailboxes = mailboxes.filter((one) => one.source === 'added' && one.state === 'failing').map(({ id, name, lastError }) => ({ id, name, lastError }));
    return send(reply, overviewPage(context.view(request), { ...data, flash: message, loginBursts, webhookNotices, shownMailbox: mailbox, mailboxes: mailboxes.map(({ id, name }) => ({ id, name })), signInNeeded, failingMailboxes }));
  });

  // ---- People list ------------------------------------------------------------------------------

  app.get('/people', { schema: { querystring: peopleQuery }, ...withScript }, async (request, reply) => {
    const { query, swapped } = withDatesInOrder(request.query);
    const [page, message, mailboxes] = await Promise.all([directory.query(directoryQuery(query)), flash.take(request.session), mailboxChoices()]);
    const counts = await directory.counts(directoryQuery(query));
    return send(reply, peopleListPage(context.view(request), { query, datesSwapped: swapped, page, counts, csrf: session(request).csrf, flash: message, script: assets.people.url, mailboxes }));
  });

  app.get('/people.csv', { schema: { querystring: peopleQuery } }, async (request, reply) => sendPeopleCsv(reply, deps, people, request.query));

  // The list was called "Responders" at /responders; bookmarks and links kept from then still
  // work. Permanent for GETs; 307 for the bulk form, so a page left open re-posts to the new path.
  const renamed = (request: FastifyRequest, to: string) => {
    const at = request.url.indexOf('?');
    // The query goes along as it came, when it can go into a Location header as it is.
    return at < 0 ? to : (localPath(`${to}${request.url.slice(at)}`) ?? to);
  };
  app.get('/responders', async (request, reply) => reply.redirect(renamed(request, '/people'), 301));
  app.get('/responders.csv', async (request, reply) => reply.redirect(renamed(request, '/people.csv'), 301));
  app.post('/responders/decide', async (request, reply) => reply.redirect('/people/decide', 307));

  app.post('/people/decide', { schema: { body: bulkForm } }, async (request, reply) => {
    const { ids, decision, back } = request.body;
    const to = back ?? '/people';
    if (!decision || ids.length === 0) {
      return finish(request, reply, { ok: false, message: 'Tick at least one person, then press "Accept selected" or "Reject selected".' }, to);
    }
    const outcome = await actions.decide(ids, decision);
    return finish(request, reply, { ok: outcome.refused === 0, message: bulkMessage(outcome) }, to);
  });

  // ---- A person -------------------------------------------------------------------------------

  app.get('/contacts/:id', { schema: { params: contactParams } }, async (request, reply) => {
    const { id } = request.params;
    const [contact, timeline, template, message] = await Promise.all([deps.store.get(id), deps.store.timeline(id), deps.templates.current('script'), flash.take(request.session)]);
    if (!contact) throw new HttpError(404, 'There is no one with this id. They may have been erased, or the link is wrong.');
    const script = { rendered: template.compiled.render(personVariables(contact, deps.config.mailFrom.name)), version: template.version };
    const cameTo = await context.mailboxes.get(contact.mailbox || 'primary');
    return send(reply, personPage(context.view(request), { contact, timeline, csrf: session(request).csrf, flash: message, script, mailbox: cameTo ? cameTo.name : 'a mailbox since removed' }));
  });

  /** One-button actions: the outcome is the message on the page they return to. */
  const simple: Array<[string, (id: string) => Promise<ActionOutcome>]> = [
    ['accept', actions.accept],
    ['reject', actions.reject],
    ['approve', actions.approve],
    ['handled', actions.markHandled],
    ['sent-on-platform', actions.sentOnPlatform],
  ];
  for (const [path, run] of simple) {
    app.post(`/contacts/:id/${path}`, { schema: { params: contactParams, body: actionForm } }, async (request, reply) => {
      const { id } = request.params;
      return finish(request, reply, await run(id), request.body.back ?? contactUrl(id));
    });
  }

  app.post('/contacts/:id/address', { schema: { params: contactParams, body: addressForm } }, async (request, reply) => {
    const { id } = request.params;
    return finish(request, reply, await actions.setAddress(id, request.body.email), request.body.back ?? contactUrl(id));
  });

  app.get('/contacts/:id/send-again', { schema: { params: contactParams } }, async (request, reply) => {
    const contact = await findPerson(request.params.id);
    return send(reply, sendAgainPage(context.view(request), contact, session(request).csrf));
  });

  app.post('/contacts/:id/send-again', { schema: { params: contactParams, body: confirmForm } }, async (request, reply) => {
    const { id } = request.params;
    // Without the confirmation page's field, the confirmation page is where this goes.
    if (request.body.confirm !== 'yes') return reply.redirect(`${contactUrl(id)}/send-again`, 303);
    return finish(request, reply, await actions.sendAgain(id), contactUrl(id));
  });

  app.get('/contacts/:id/erase', { schema: { params: contactParams } }, async (request, reply) => {
    const contact = await findPerson(request.params.id);
    return send(reply, erasePage(context.view(request), contact, session(request).csrf));
  });

  app.post('/contacts/:id/erase', { schema: { params: contactParams, body: eraseForm } }, async (request, reply) => {
    const { id } = request.params;
    if (request.body.confirm !== 'yes') return reply.redirect(`${contactUrl(id)}/erase`, 303);
    const outcome = await actions.erase(id, { forget: request.body.forget === 'yes' });
    request.log.info({ contact: id, forget: request.body.forget === 'yes', erased: outcome.ok }, 'person erased on the dashboard');
    return finish(request, reply, outcome, outcome.ok ? '/people' : contactUrl(id));
  });

  // A POST with the token, not a link: the export is noted on the person's timeline (who saw their
  // data, and when), and a GET must change nothing (links are prefetched, HEAD runs GET routes,
  // and another site may navigate to a GET with the session cookie). The answer is the download;
  // the browser stays on the page the form was on.
  app.post('/contacts/:id/export', { schema: { params: contactParams, body: actionForm } }, async (request, reply) => {
    const { id } = request.params;
    const result = await actions.exportPerson(id);
    if (!result.ok) throw new HttpError(404, result.message);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="winnow-person-${id}.json"`)
      .send(JSON.stringify(result.export, null, 2));
  });

  // ---- Awaiting address ------------------------------------------------------------------------

  app.get('/awaiting', { schema: { querystring: awaitingPageQuery }, ...withScript }, async (request, reply) => {
    const { cursor } = request.query;
    const [data, message] = await Promise.all([awaitingData(deps, people, cursor), flash.take(request.session)]);
    return send(reply, awaitingPage(context.view(request), { ...data, cursor, csrf: session(request).csrf, flash: message, script: assets.people.url }));
  });
};
