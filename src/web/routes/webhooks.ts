import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { listedEndpoint, WebhookEndpointError, type WebhookEndpoint } from '../../webhooks/endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/events.ts';
import { capitalised, HttpError, type WebContext } from '../context.ts';
import type { Html } from '../html.ts';
import { apiErrors } from '../schemas/common.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';
import {
  actionForm,
  deliveriesAnswer,
  deliveriesQuery,
  deliveryForm,
  deliveryParams,
  endpointAnswer,
  endpointConflict,
  endpointForm,
  endpointNotFound,
  endpointParams,
  endpointPatch,
  endpointRefused,
  endpointsAnswer,
  endpointWithSecret,
  newEndpointBody,
  noBody,
  queuedAnswer,
  removedAnswer,
} from '../schemas/webhooks.ts';
import { addEndpointPage, endpointPage, secretPage, webhooksSection, type EndpointFormValues } from '../views/webhooks.ts';

/**
 * Webhook endpoints, managed from the settings page and through the API; both go through the
 * endpoint store (src/webhooks/endpoints.ts), which checks every URL. A secret leaves Winnow once,
 * in the answer that made it; lists show only its first characters.
 */

const STATUS_OF_PROBLEM = { invalid: 400, missing: 404, state: 409 } as const;

/** A refusal of the store as the HTTP error it is; anything else goes on as it was. */
function asHttpError(error: unknown): never {
  if (error instanceof WebhookEndpointError) throw new HttpError(STATUS_OF_PROBLEM[error.problem], capitalised(error.message));
  throw error;
}

async function existing(context: WebContext, id: string): Promise<WebhookEndpoint> {
  const endpoint = await context.webhooks.endpoints.get(id);
  if (!endpoint) throw new HttpError(404, 'There is no such webhook endpoint; it may have been removed.');
  return endpoint;
}

/** /api/webhooks…, in the API scope (bearer token). */
export const webhooksApiRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { endpoints } = context.webhooks;
  const withSecret = (endpoint: WebhookEndpoint) => ({ endpoint: listedEndpoint(endpoint), secret: endpoint.secret });

  app.get('/webhooks', { schema: { description: 'The webhook endpoints (never their secrets) and the notices of those turned off after failing.', response: { 200: endpointsAnswer, ...apiErrors } } }, async () => ({
    endpoints: (await endpoints.list()).map(listedEndpoint),
    notices: await endpoints.notices(),
    eventTypes: [...WEBHOOK_EVENT_TYPES],
  }));

  app.post(
    '/webhooks',
    { schema: { description: 'Adds an endpoint. Its secret (whsec_…) is made here and shown in this answer only.', body: newEndpointBody, response: { 201: endpointWithSecret, ...apiErrors, 400: endpointRefused } } },
    async (request, reply) => {
      const endpoint = await endpoints.add(request.body).catch(asHttpError);
      request.log.info({ endpoint: endpoint.id, url: endpoint.url }, 'webhook endpoint added');
      return reply.code(201).send(withSecret(endpoint));
    },
  );

  app.patch(
    '/webhooks/:id',
    { schema: { description: 'Changes an endpoint: its URL (checked again), events, name, or whether it is on.', params: endpointParams, body: endpointPatch, response: { 200: endpointAnswer, ...apiErrors, 400: endpointRefused, 404: endpointNotFound } } },
    async (request) => {
      const changed = await endpoints.update(request.params.id, request.body).catch(asHttpError);
      if (!changed) throw new HttpError(404, 'There is no such webhook endpoint.');
      return listedEndpoint(changed);
    },
  );

  app.delete('/webhooks/:id', { schema: { description: 'Removes an endpoint and its delivery log.', params: endpointParams, response: { 200: removedAnswer, ...apiErrors, 404: endpointNotFound } } }, async (request) => {
    if (!(await endpoints.remove(request.params.id))) throw new HttpError(404, 'There is no such webhook endpoint.');
    return { id: request.params.id };
  });

  app.post(
    '/webhooks/:id/rotate-secret',
    { schema: { description: 'Gives the endpoint a new secret, shown in this answer only; the old one signs nothing from now on.', params: endpointParams, body: noBody, response: { 200: endpointWithSecret, ...apiErrors, 400: endpointRefused, 404: endpointNotFound } } },
    async (request) => {
      const rotated = await endpoints.rotateSecret(request.params.id).catch(asHttpError);
      if (!rotated) throw new HttpError(404, 'There is no such webhook endpoint.');
      return withSecret(rotated);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    { schema: { description: 'The endpoint\'s delivery log, newest first: outcome, response code, duration, next try.', params: endpointParams, querystring: deliveriesQuery, response: { 200: deliveriesAnswer, ...apiErrors, 404: endpointNotFound } } },
    async (request) => {
      await existing(context, request.params.id);
      return { deliveries: await endpoints.deliveries(request.params.id, request.query.limit) };
    },
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/replay',
    { schema: { description: 'Sends a logged delivery\'s event again, once; the attempt joins the log.', params: deliveryParams, body: noBody, response: { 202: queuedAnswer, ...apiErrors, 404: endpointNotFound, 409: endpointConflict } } },
    async (request, reply) => {
      const { id, deliveryId } = request.params;
      const jobId = await context.webhooks.replay(id, deliveryId).catch(asHttpError);
      const eventId = (await endpoints.deliveries(id)).find((entry) => entry.id === deliveryId)?.eventId ?? '';
      return reply.code(202).send({ eventId, jobId });
    },
  );

  app.post(
    '/webhooks/:id/test',
    { schema: { description: 'Sends a webhook.test event to this endpoint only, once; it shows in the log.', params: endpointParams, body: noBody, response: { 202: queuedAnswer, ...apiErrors, 404: endpointNotFound, 409: endpointConflict } } },
    async (request, reply) => reply.code(202).send(await context.webhooks.sendTest(request.params.id).catch(asHttpError)),
  );
};

/** The settings page's webhooks, in the pages scope (session for every route, CSRF token for every POST). */
export const webhooksRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { endpoints } = context.webhooks;
  const { flash } = context.people;
  const page = (reply: FastifyReply, body: Html, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body.value);
  const formValues = (body: { url: string; description: string; events: string[] }): EndpointFormValues => ({ url: body.url.trim(), description: body.description, events: body.events });
  const done = async (request: FastifyRequest, text: string, kind: 'done' | 'refused' = 'done') => {
    if (request.session) await flash.set(request.session, { kind, text });
  };

  app.post('/settings/webhooks', { schema: { body: endpointForm } }, async (request, reply) => {
    const values = formValues(request.body);
    try {
      const endpoint = await endpoints.add(values);
      request.log.info({ endpoint: endpoint.id, url: endpoint.url }, 'webhook endpoint added');
      // The one time the secret is shown: on this answer, not through a redirect that could be reloaded later.
      return page(reply, secretPage(context.view(request), listedEndpoint(endpoint), endpoint.secret, 'added'), 201);
    } catch (error) {
      if (!(error instanceof WebhookEndpointError)) throw error;
      return page(reply, addEndpointPage(context.view(request), values, capitalised(error.message)), 400);
    }
  });

  app.get('/settings/webhooks/:id', { schema: { params: endpointParams } }, async (request, reply) => {
    const endpoint = await existing(context, request.params.id);
    const [deliveries, message] = await Promise.all([endpoints.deliveries(endpoint.id, 50), flash.take(request.session)]);
    return page(reply, endpointPage(context.view(request), { endpoint: listedEndpoint(endpoint), deliveries, flash: message }));
  });

  app.post('/settings/webhooks/:id', { schema: { params: endpointParams, body: endpointForm } }, async (request, reply) => {
    const endpoint = await existing(context, request.params.id);
    const values = formValues(request.body);
    try {
      await endpoints.update(endpoint.id, { ...values, enabled: request.body.enabled === 'on' });
    } catch (error) {
      if (!(error instanceof WebhookEndpointError)) throw error;
      const deliveries = await endpoints.deliveries(endpoint.id, 50);
      return page(reply, endpointPage(context.view(request), { endpoint: listedEndpoint(endpoint), deliveries, values, error: capitalised(error.message) }), 400);
    }
    await done(request, 'Endpoint saved.');
    return reply.redirect(`/settings/webhooks/${endpoint.id}`, 303);
  });

  /** A send from the endpoint's page: queued, or refused with the reason; either way back to the page, which says so. */
  async function sendFromPage(request: FastifyRequest, reply: FastifyReply, id: string, send: () => Promise<unknown>, queued: string) {
    try {
      await send();
      await done(request, queued);
    } catch (error) {
      if (!(error instanceof WebhookEndpointError)) throw error;
      await done(request, capitalised(error.message), 'refused');
    }
    return reply.redirect(`/settings/webhooks/${id}`, 303);
  }

  app.post('/settings/webhooks/:id/test', { schema: { params: endpointParams, body: actionForm } }, async (request, reply) =>
    sendFromPage(request, reply, request.params.id, () => context.webhooks.sendTest(request.params.id), 'Test event queued: it shows in the log below in a moment.'),
  );

  app.post('/settings/webhooks/:id/replay', { schema: { params: endpointParams, body: deliveryForm } }, async (request, reply) =>
    sendFromPage(request, reply, request.params.id, () => context.webhooks.replay(request.params.id, request.body.deliveryId), 'Sent again: the attempt shows in the log in a moment.'),
  );

  app.post('/settings/webhooks/:id/rotate', { schema: { params: endpointParams, body: actionForm } }, async (request, reply) => {
    const rotated = await endpoints.rotateSecret(request.params.id).catch(asHttpError);
    if (!rotated) throw new HttpError(404, 'There is no such webhook endpoint; it may have been removed.');
    return page(reply, secretPage(context.view(request), listedEndpoint(rotated), rotated.secret, 'rotated'));
  });

  app.post('/settings/webhooks/:id/remove', { schema: { params: endpointParams, body: actionForm } }, async (request, reply) => {
    const endpoint = await existing(context, request.params.id);
    await endpoints.remove(endpoint.id);
    await done(request, `Endpoint ${endpoint.description || endpoint.url} removed.`);
    return reply.redirect('/settings#webhooks', 303);
  });

  app.post('/settings/webhooks/:id/dismiss', { schema: { params: endpointParams, body: actionForm } }, async (request, reply) => {
    await endpoints.dismissNotice(request.params.id);
    return reply.redirect('/', 303);
  });
};

/** The settings page's section: the endpoints and the add form, with the message of the last action. */
export async function settingsWebhooksSection(context: WebContext, request: FastifyRequest): Promise<Html> {
  const [all, message] = await Promise.all([context.webhooks.endpoints.list(), context.people.flash.take(request.session)]);
  return webhooksSection(request.session?.csrf ?? '', all.map(listedEndpoint), message);
}
