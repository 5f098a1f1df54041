import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Sealer } from '../config/sealed.ts';
import type { Logger } from '../log.ts';
import { countWebhookDelivery } from '../metrics/counts.ts';
import type { HostLookup } from './address.ts';
import { createEndpointStore, WebhookEndpointError, type WebhookDelivery } from './endpoints.ts';
import { eventTypeOf, WEBHOOK_TEST_EVENT, webhookEvent, webhookEventId, webhookTestEvent, type DeliveredEventType, type StatusChange, type WebhookPerson } from './events.ts';
import { randomUUID } from 'node:crypto';
import { postWebhook } from './post.ts';
import { signatureHeaders } from './signature.ts';

/**
 * Webhooks: each change of a person's status that matters outside (events.ts) becomes one job per
 * endpoint on a queue of its own, so a slow or broken receiver holds up nothing else. Failed
 * attempts are tried again with exponential backoff for about a day; every attempt is logged on
 * the endpoint; an endpoint whose last attempt fails is turned off, with a notice.
 */

export const WEBHOOK_QUEUE = 'webhook';

/** One event to one endpoint. The body is kept beside the endpoints (endpoints.ts), not in the job. */
export interface WebhookJob {
  endpointId: string;
  eventId: string;
  type: DeliveredEventType;
  /** Sent again by the user from the log: one attempt, and no endpoint is turned off for it. */
  replay: boolean;
}

export interface WebhookDeliveryOptions {
  /** Tries per event before the endpoint counts as failing for good. */
  attempts: number;
  /** The wait after the first failed try; each later one waits twice as long as the one before. */
  backoffMs: number;
  /** The whole exchange with the receiver, connection included. */
  timeoutMs: number;
  /** How much of the receiver's answer is read; the rest is cut off. */
  maxResponseBytes: number;
}

/** 13 tries, 20 s after the first and doubling: the last goes about 23 hours after the first. */
export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = { attempts: 13, backoffMs: 20_000, timeoutMs: 10_000, maxResponseBytes: 4096 };

/** The wait after failed try number `attempt` (1 for the first). */
export function retryDelayMs(attempt: number, backoffMs: number): number {
  return backoffMs * 2 ** (attempt - 1);
}

export interface WebhooksOptions {
  /** A producer connection (fails fast): emitting must never hold up the caller for long. */
  redis: Redis;
  prefix: string;
  mailbox: string;
  logger: Logger;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** Seals the endpoints' secrets in Redis (from WINNOW_SECRET); null when it is not set. */
  sealer: Sealer | null;
  /** DNS for the address check; default the system's. */
  lookup?: HostLookup;
  /** Reads the person as recorded, for the event's data. */
  readPerson: (contactId: string) => Promise<WebhookPerson | null>;
  delivery?: Partial<WebhookDeliveryOptions>;
}

export function createWebhooks(options: WebhooksOptions) {
  const { redis, prefix, mailbox, readPerson } = options;
  const logger = options.logger.child({ component: 'webhooks' });
  const delivery: WebhookDeliveryOptions = { ...DEFAULT_WEBHOOK_DELIVERY, ...options.delivery };
  const endpoints = createEndpointStore(redis, prefix, mailbox, { allowPrivate: options.allowPrivate, sealer: options.sealer, lookup: options.lookup });
  // Deliveries by outcome for /metrics, in the same Redis hash as every other count.
  const counts = { redis, config: { redis: { prefix } }, logger, now: Date.now };
  const queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, {
    connection: redis,
    prefix: `${prefix}:q`,
    defaultJobOptions: {
      attempts: delivery.attempts,
      // The delay comes from retryDelayMs (the worker's backoffStrategy), which the log uses too.
      backoff: { type: WEBHOOK_QUEUE },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
    },
  });
  // Redis trouble is reported by the connection's owner (src/redis.ts, once per change of state);
  // without a listener BullMQ would print every failed reconnection to stderr.
  queue.on('error', (error) => logger.debug({ err: error }, 'webhook queue: Redis trouble'));
  const emitting = new Set<Promise<void>>();

  async function emit(change: StatusChange): Promise<void> {
    const type = eventTypeOf(change);
    if (!type) return;
    const receivers = await endpoints.receiving(type);
    if (receivers.length === 0) return;
    const person = await readPerson(change.contactId);
    // Erased in the meantime: nothing to tell about them.
    if (!person) return;
    const eventId = webhookEventId(mailbox, change);
    await endpoints.keepEvent(eventId, webhookEvent(type, person, change));
    await queue.addBulk(receivers.map((endpoint) => ({ name: type, data: { endpointId: endpoint.id, eventId, type, replay: false }, opts: { jobId: `${eventId}-${endpoint.id}` } })));
  }

  async function deliver(job: Job<WebhookJob>): Promise<WebhookDelivery['outcome']> {
    const { endpointId, eventId, type, replay } = job.data;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const at = Date.now();
    const entry = { id: `${eventId}.${replay ? `replay-${job.timestamp}.` : ''}${attempt}`, eventId, type, at, attempt, replay, responseCode: null, durationMs: 0, nextRetryAt: null, response: null };
    const endpoint = await endpoints.get(endpointId);
    // Removed: its log went with it.
    if (!endpoint) return 'skipped';
    const skip = async (why: string) => {
      await endpoints.record(endpointId, { ...entry, outcome: 'skipped', error: why });
      return 'skipped' as const;
    };
    if (!endpoint.enabled) return skip(`not sent: the endpoint is turned off${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}`);
    if (endpoint.secretProblem) return skip(`not sent: ${endpoint.secretProblem}`);
    const body = await endpoints.event(eventId);
    if (body === null) return skip('not sent: the event is no longer kept');
    // Signed at each attempt with its own time: receivers refuse signatures older than a few minutes.
    const headers = signatureHeaders(endpoint.secret, eventId, Math.floor(at / 1000), body);
    const outcome = await postWebhook(endpoint.url, headers, body, { ...delivery, allowPrivate: options.allowPrivate, lookup: options.lookup });
    const last = attempt >= attempts;
    void countWebhookDelivery(counts, outcome.delivered ? 'delivered' : last ? 'given_up' : 'failed');
    await endpoints.record(endpointId, {
      ...entry,
      outcome: outcome.delivered ? 'delivered' : 'failed',
      responseCode: outcome.status,
      durationMs: outcome.durationMs,
      nextRetryAt: outcome.delivered || last ? null : Date.now() + retryDelayMs(attempt, delivery.backoffMs),
      error: outcome.error,
      response: outcome.response,
    });
    if (outcome.delivered) return 'delivered';
    // A replay or a test is one attempt the user asked for and watches: it turns nothing off.
    if (last && !replay && type !== WEBHOOK_TEST_EVENT) {
      const reason = `${attempts} tries of ${type} failed, the last: ${outcome.error}`;
      if (await endpoints.disableAfterFailure(endpointId, endpoint.url, reason)) logger.error({ endpoint: endpointId, url: endpoint.url, reason }, 'webhook endpoint turned off: it failed every try for about a day');
    }
    throw new Error(outcome.error ?? 'not delivered');
  }

  return {
    endpoints,
    queue,

    /**
     * For the contact store's onStatusChange: enqueues the change's webhooks in the background.
     * Never throws and never waits: the mail path goes on whatever happens here, and a failure
     * costs a log line, not a person's record.
     */
    statusChanged(change: StatusChange): void {
      const running = emit(change)
        .catch((error: unknown) => logger.warn({ err: error, contact: change.contactId, status: change.to }, 'could not queue the webhooks of a status change; they are not sent'))
        .finally(() => emitting.delete(running));
      emitting.add(running);
    },

    /** Sends a logged delivery's event again (one attempt, logged like any). Returns the new job's id. */
    async replay(endpointId: string, deliveryId: string): Promise<string> {
      const endpoint = await endpoints.get(endpointId);
      if (!endpoint) throw new WebhookEndpointError('there is no such endpoint', 'missing');
      if (!endpoint.enabled) throw new WebhookEndpointError('the endpoint is turned off; turn it on before sending again', 'state');
      const logged = (await endpoints.deliveries(endpointId)).find((entry) => entry.id === deliveryId);
      if (!logged) throw new WebhookEndpointError('there is no such delivery in the endpoint\'s log', 'missing');
      if ((await endpoints.event(logged.eventId)) === null) throw new WebhookEndpointError('the event is no longer kept (events are kept a week, and not after the person was erased)', 'state');
      const job = await queue.add(logged.type, { endpointId, eventId: logged.eventId, type: logged.type, replay: true }, { jobId: `${logged.eventId}-${endpointId}-replay-${Date.now()}`, attempts: 1 });
      return job.id!;
    },

    /**
     * Sends a `webhook.test` event to one endpoint, once, logged like any delivery: the user's
     * check that the URL and the secret work. Returns the event's id (the `webhook-id` header).
     */
    async sendTest(endpointId: string): Promise<{ eventId: string; jobId: string }> {
      const endpoint = await endpoints.get(endpointId);
      if (!endpoint) throw new WebhookEndpointError('there is no such endpoint', 'missing');
      if (!endpoint.enabled) throw new WebhookEndpointError('the endpoint is turned off; turn it on before sending a test', 'state');
      const eventId = `msg_test_${randomUUID().replaceAll('-', '')}`;
      await endpoints.keepEvent(eventId, webhookTestEvent(endpointId, Date.now()));
      const job = await queue.add(WEBHOOK_TEST_EVENT, { endpointId, eventId, type: WEBHOOK_TEST_EVENT, replay: false }, { jobId: `${eventId}-${endpointId}`, attempts: 1 });
      return { eventId, jobId: job.id! };
    },

    /** Starts delivering; the connection must be a worker's (maxRetriesPerRequest: null). */
    startDelivery(connection: ConnectionOptions) {
      const worker = new Worker<WebhookJob, WebhookDelivery['outcome']>(WEBHOOK_QUEUE, deliver, {
        connection,
        prefix: `${prefix}:q`,
        concurrency: 4,
        settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, delivery.backoffMs) },
      });
      worker.on('failed', (job, error) => logger.warn({ job: job?.id, endpoint: job?.data.endpointId, attempts: job?.attemptsMade, err: error }, 'webhook not delivered'));
      worker.on('error', (error) => logger.error({ err: error }, 'webhook worker error'));
      return { worker, close: () => worker.close() };
    },

    /** Waits for webhooks being queued, then closes the queue. */
    async close(): Promise<void> {
      await Promise.all([...emitting]);
      await queue.close();
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
