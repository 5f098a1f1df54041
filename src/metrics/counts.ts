import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { Platform } from '../vocabulary/platforms.ts';

/**
 * The counts behind /metrics, kept in Redis.
 *
 * Winnow runs as several processes sharing one Redis (`winnow worker` twice and `winnow web`, say):
 * the workers see the requests, scripts and answers, and only the web process serves /metrics.
 * prom-client's counters live in one process's memory, so each process would count its own share
 * and a scrape of the web process would see none of it; workers have no HTTP server to scrape, and
 * making users find and scrape every worker is what a single URL should spare them. So every
 * process adds to one Redis hash (HINCRBY, atomic across processes), the web process reads it with
 * one HGETALL at scrape time, and prom-client formats it (src/metrics/exposition.ts). The counts
 * also outlive restarts, which suits Prometheus counters: a counter that never resets needs no
 * reset detection.
 *
 * Counting never stands in the way of mail: a count is sent and not waited for, and a failed one
 * is logged and lost. A figure one short after a Redis outage costs less than a held script.
 */

/** Mail answers as the classifier reads them. */
export const ANSWER_KINDS = ['answered', 'declined'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/**
 * What became of one webhook delivery attempt: the endpoint took it (2xx), it failed and will be
 * tried again, or it failed for the last time and was given up. The webhook sender counts each
 * attempt once with countWebhookDelivery.
 */
export const WEBHOOK_OUTCOMES = ['delivered', 'failed', 'given_up'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * Upper bounds (seconds) of the histogram of time from a request being recorded to its script
 * being accepted by the SMTP server: seconds when all goes well, hours or days when the script
 * waits for approval, an address, the send window or the daily cap.
 */
export const SCRIPT_DELAY_BUCKETS = [5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400, 7 * 86_400] as const;

/** One hash for every count: the process that serves /metrics reads them all at once. */
export function metricsKey(prefix: string): string {
  return `${prefix}:{metrics}:counts`;
}

/** The field of each count in the hash (src/metrics/exposition.ts reads them back). */
export const COUNT_FIELDS = {
  requests: (platform: string) => `requests:${platform}`,
  scriptsSent: 'scripts_sent',
  answers: (kind: AnswerKind) => `answers:${kind}`,
  webhookDeliveries: (outcome: WebhookOutcome) => `webhook_deliveries:${outcome}`,
  /** Not cumulative: each observation lands in the one bucket it fits; the reader adds them up. */
  scriptDelayBucket: (le: string) => `script_delay:bucket:${le}`,
  scriptDelaySum: 'script_delay:sum',
  scriptDelayCount: 'script_delay:count',
} as const;

/** The IMAP watcher's connections are counted in the mailbox's health hash, beside its state. */
export const IMAP_CONNECTIONS_FIELD = 'connections';

/** What a count needs: the worker context has all of it. */
export interface CountSink {
  redis: Redis;
  config: { redis: { prefix: string } };
  logger: Logger;
  now: () => number;
}

/** The bucket an observation of `seconds` falls in: its smallest upper bound, else "+Inf". */
export function bucketOf(seconds: number): string {
  const bound = SCRIPT_DELAY_BUCKETS.find((le) => seconds <= le);
  return bound === undefined ? '+Inf' : String(bound);
}

/** Adds one to each field (and `sums` to theirs) in one transaction; never rejects. */
function add(sink: Pick<CountSink, 'redis' | 'logger'>, key: string, fields: string[], what: string, sums: Array<[field: string, by: number]> = []): Promise<void> {
  const lost = (error: unknown) => sink.logger.warn({ err: error }, `could not count ${what} for /metrics; the mail goes on`);
  try {
    // Sent now, not in a later tick: on the caller's connection it comes before the caller's next
    // command, so whoever sees that command's effect (a status, a finished job) sees the count too.
    const transaction = sink.redis.multi();
    for (const field of fields) transaction.hincrby(key, field, 1);
    for (const [field, by] of sums) transaction.hincrbyfloat(key, field, by);
    return transaction.exec().then(() => undefined, lost);
  } catch (error) {
    lost(error);
    return Promise.resolve();
  }
}

/** A new person recorded from a request (not a request repeated by someone already here). */
export function countRequest(sink: CountSink, platform: Platform): Promise<void> {
  return add(sink, metricsKey(sink.config.redis.prefix), [COUNT_FIELDS.requests(platform)], 'a request');
}

/**
 * A script the SMTP server accepted. The first script of a person also gives the time since their
 * request was recorded; a later one ("send again") does not, it answers a decision of the user's.
 */
export function countScriptSent(sink: CountSink, person: { requestedAt: number }, attempt: number): Promise<void> {
  const key = metricsKey(sink.config.redis.prefix);
  if (attempt !== 1) return add(sink, key, [COUNT_FIELDS.scriptsSent], 'a sent script');
  const seconds = Math.max(0, sink.now() - person.requestedAt) / 1000;
  return add(sink, key, [COUNT_FIELDS.scriptsSent, COUNT_FIELDS.scriptDelayBucket(bucketOf(seconds)), COUNT_FIELDS.scriptDelayCount], 'a sent script', [[COUNT_FIELDS.scriptDelaySum, seconds]]);
}

/** An answer that moved its person on (a second answer, or one after the user decided, is not counted). */
export function countAnswer(sink: CountSink, kind: AnswerKind): Promise<void> {
  return add(sink, metricsKey(sink.config.redis.prefix), [COUNT_FIELDS.answers(kind)], 'an answer');
}

/** One webhook delivery attempt and what became of it; for the webhook sender. */
export function countWebhookDelivery(sink: CountSink, outcome: WebhookOutcome): Promise<void> {
  return add(sink, metricsKey(sink.config.redis.prefix), [COUNT_FIELDS.webhookDeliveries(outcome)], 'a webhook delivery');
}

/** The mailbox watcher connected (the first time, or again after a drop); `healthKey` is the mailbox's health hash. */
export function countImapConnection(sink: Pick<CountSink, 'redis' | 'logger'>, healthKey: string): Promise<void> {
  return add(sink, healthKey, [IMAP_CONNECTIONS_FIELD], 'an IMAP connection');
}
