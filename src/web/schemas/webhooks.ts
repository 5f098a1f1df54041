import { z } from 'zod';
import { DELIVERY_LOG_LENGTH } from '../../webhooks/endpoints.ts';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT } from '../../webhooks/events.ts';
import { errorAnswer, formBody, formField, notFound, optional, text, time, timeOrNull } from './common.ts';

// ---- Requests ---------------------------------------------------------------------------------

const url = text(2000).describe('Where the webhooks are POSTed: http(s), resolving to public addresses only unless WEBHOOK_ALLOW_PRIVATE=true.');
const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }))
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .describe('The events the endpoint receives; empty or left out for all of them.');
const description = text(200).describe('What you call the endpoint, for the settings page.');

export const endpointParams = z.object({ id: text(100).describe('The endpoint\'s id, as the list gives it ("env" for the one set by WEBHOOK_URL).') });
export const deliveryParams = endpointParams.extend({ deliveryId: text(200).describe('The delivery\'s id, as the endpoint\'s log gives it.') });

export const newEndpointBody = z.object({ url, events: events.optional(), description: description.optional() }).describe('A new endpoint; its secret is made by Winnow and shown once, in the answer.');

export const endpointPatch = z
  .object({ url: url.optional(), events: events.optional(), description: description.optional(), enabled: z.boolean().optional().describe('false turns the endpoint off; true turns it on again and clears the overview\'s notice of it.') })
  .describe('Any of the endpoint\'s fields; those left out keep their values.');

/** A POST that takes nothing: an empty JSON object, or no body at all. */
export const noBody = z.preprocess((body) => body ?? {}, z.object({})).describe('Nothing: an empty object or no body.');

export const deliveriesQuery = z.object({
  limit: optional(z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(DELIVERY_LOG_LENGTH, `must be at most ${DELIVERY_LOG_LENGTH}`)).describe(`How many deliveries, newest first; default ${DELIVERY_LOG_LENGTH}.`),
});

// ---- Forms of the settings page ---------------------------------------------------------------

/** Add and edit: ticked events repeat `events`; one ticked box comes as a single string. */
const formEvents = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(text(50)).max(50));
export const endpointForm = formBody({ url: formField(2000), description: formField(200), events: formEvents, enabled: formField(10) });
export const deliveryForm = formBody({ deliveryId: formField(200) });
export const actionForm = formBody({});

// ---- Answers ----------------------------------------------------------------------------------

const eventType = z.enum([...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT]).describe(`The event's type; ${WEBHOOK_TEST_EVENT} only when sent on request.`);

export const endpointAnswer = z
  .object({
    id: z.string().describe('The endpoint\'s id; "env" for the one set by WEBHOOK_URL.'),
    url: z.string().describe('Where the webhooks go.'),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).describe('The events it receives; empty for all.'),
    enabled: z.boolean().describe('Whether webhooks go to it now.'),
    description: z.string().describe('What you call it.'),
    createdAt: time,
    disabledAt: timeOrNull.describe('When it was turned off; null while on.'),
    disabledReason: z.string().nullable().describe('Why it was turned off (by you, or after failing for good); null while on.'),
    secretHint: z.string().describe('The first characters of its secret, to tell secrets apart; the secret itself is shown only when made.'),
  })
  .describe('A webhook endpoint, without its secret.');

const notice = z
  .object({
    endpointId: z.string().describe('The endpoint turned off.'),
    url: z.string().describe('Its URL then.'),
    at: time,
    reason: z.string().describe('The last failure, in words.'),
  })
  .describe('An endpoint turned off after failing every try of an event for about a day.');

export const endpointsAnswer = z
  .object({
    endpoints: z.array(endpointAnswer).describe('Every endpoint, oldest first.'),
    notices: z.array(notice).describe('Endpoints turned off after persistent failure, newest first, until turned on again or dismissed.'),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).describe('The events an endpoint may receive.'),
  })
  .describe('The webhook endpoints and the notices of those turned off.');

export const endpointWithSecret = z
  .object({ endpoint: endpointAnswer, secret: z.string().describe('The endpoint\'s secret (whsec_…), shown this once: keep it where the receiver can read it.') })
  .describe('The endpoint and its new secret.');

export const removedAnswer = z.object({ id: z.string().describe('The endpoint removed, with its delivery log.') }).describe('The endpoint is gone.');

export const deliveryAnswer = z
  .object({
    id: z.string().describe('The delivery\'s id, for a replay.'),
    eventId: z.string().describe('The event\'s id: the webhook-id header, the same for every try.'),
    type: eventType,
    at: time,
    attempt: z.number().int().describe('1 for the first try; a replay counts from 1 again.'),
    outcome: z.enum(['delivered', 'failed', 'skipped']).describe('delivered: a 2xx answer; failed: another answer or none; skipped: not sent (endpoint off, event no longer kept).'),
    responseCode: z.number().int().nullable().describe('The receiver\'s HTTP status; null without an answer.'),
    durationMs: z.number().int().describe('How long the exchange took, in milliseconds.'),
    nextRetryAt: timeOrNull.describe('When the next try goes out; null when none will.'),
    error: z.string().nullable().describe('What went wrong, in words; null when delivered.'),
    response: z.string().nullable().describe('The first characters of the receiver\'s answer.'),
    replay: z.boolean().describe('Sent again on request.'),
  })
  .describe('One attempt to deliver one event.');

export const deliveriesAnswer = z.object({ deliveries: z.array(deliveryAnswer).describe('The endpoint\'s log, newest first.') }).describe('The delivery log of one endpoint.');

export const queuedAnswer = z
  .object({ eventId: z.string().describe('The event\'s id (webhook-id header).'), jobId: z.string().describe('The delivery job, on the webhook queue.') })
  .describe('Queued: it goes out in a moment and shows in the endpoint\'s log.');

export const endpointNotFound = notFound.describe('No such endpoint, or no such delivery in its log.');
export const endpointRefused = errorAnswer.describe('Not done: the URL is refused (the message says why: its form, or an address on loopback, a private or a link-local network), or an event is unknown.');
export const endpointConflict = errorAnswer.describe('Not now: the endpoint is turned off, or the event is no longer kept.');
