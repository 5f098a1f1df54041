import type { Redis } from 'ioredis';
import { AggregatorRegistry, collectDefaultMetrics, Registry, type PrometheusContentType } from 'prom-client';
import { PLATFORMS } from '../vocabulary/platforms.ts';
import { ANSWER_KINDS, COUNT_FIELDS, IMAP_CONNECTIONS_FIELD, metricsKey, SCRIPT_DELAY_BUCKETS, WEBHOOK_OUTCOMES } from './counts.ts';

/**
 * /metrics in Prometheus' text format. The counts every process keeps in Redis (src/metrics/counts.ts),
 * the mailbox's state and the queues' depths are read at scrape time and handed to prom-client as
 * metric values (AggregatorRegistry.aggregate is its way to build a registry from values gathered
 * elsewhere); Node's own figures are those of the process answering the scrape.
 */

/** The job states BullMQ counts, each a `state` label of winnow_queue_jobs. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'failed', 'completed'] as const;

/** A queue as far as /metrics needs it. */
export interface CountedQueue {
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

export interface MetricsSources {
  redis: Redis;
  prefix: string;
  /** The watched mailbox's health hash (the watcher writes it) and its lease (present while a watcher holds it). */
  mailbox: { health: string; lease: string };
  queues: Readonly<Record<string, CountedQueue>>;
}

/** Everything /metrics shows apart from Node's figures, as read at one scrape. */
export interface MetricsReading {
  /** The counts hash (field → number as Redis keeps it). */
  counts: Record<string, string>;
  /** The mailbox's health hash. */
  health: Record<string, string>;
  /** Whether a watcher holds the mailbox now (its lease lapses soon after its process dies). */
  leaseHeld: boolean;
  /** Queue → state → jobs. */
  queues: Record<string, Record<string, number>>;
}

type Value = { labels: Record<string, string>; value: number; metricName?: string };
type Family = { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; aggregator: 'sum'; values: Value[] };

/**
 * The metric families of one reading. Every label value Winnow knows of is shown, at 0 until it
 * happens, so a series exists from the first scrape (an alert on `increase()` needs one).
 */
export function metricFamilies(reading: MetricsReading): Family[] {
  const count = (field: string) => Number(reading.counts[field] ?? 0) || 0;
  const family = (name: string, type: Family['type'], help: string, values: Value[]): Family => ({ name, help, type, aggregator: 'sum', values });

  let cumulative = 0;
  const buckets: Value[] = [...SCRIPT_DELAY_BUCKETS.map(String), '+Inf'].map((le) => {
    cumulative += count(COUNT_FIELDS.scriptDelayBucket(le));
    return { metricName: 'winnow_script_delay_seconds_bucket', labels: { le }, value: cumulative };
  });

  return [
    family('winnow_requests_total', 'counter', 'Connection requests recorded as a new person, by platform.', PLATFORMS.map((platform) => ({ labels: { platform }, value: count(COUNT_FIELDS.requests(platform)) }))),
    family('winnow_scripts_sent_total', 'counter', 'Scripts the SMTP server accepted (first scripts and "send again").', [{ labels: {}, value: count(COUNT_FIELDS.scriptsSent) }]),
    family('winnow_answers_total', 'counter', 'Answers that moved their person on, by kind: answered or declined.', ANSWER_KINDS.map((kind) => ({ labels: { kind }, value: count(COUNT_FIELDS.answers(kind)) }))),
    family('winnow_script_delay_seconds', 'histogram', 'Seconds from a request being recorded to its first script being accepted by the SMTP server (approval, address and send-window waits included).', [
      ...buckets,
      { metricName: 'winnow_script_delay_seconds_sum', labels: {}, value: Number(reading.counts[COUNT_FIELDS.scriptDelaySum] ?? 0) || 0 },
      { metricName: 'winnow_script_delay_seconds_count', labels: {}, value: count(COUNT_FIELDS.scriptDelayCount) },
    ]),
    family('winnow_imap_connected', 'gauge', '1 while a mailbox watcher holds the mailbox and is connected to IMAP, else 0.', [{ labels: {}, value: reading.leaseHeld && reading.health.connected === '1' ? 1 : 0 }]),
    family('winnow_imap_connections_total', 'counter', 'IMAP connections the mailbox watcher established; each after the first is a reconnection.', [{ labels: {}, value: Number(reading.health[IMAP_CONNECTIONS_FIELD] ?? 0) || 0 }]),
    family(
      'winnow_queue_jobs',
      'gauge',
      'Jobs in each queue, by state.',
      Object.entries(reading.queues).flatMap(([queue, counts]) => QUEUE_STATES.map((state) => ({ labels: { queue, state }, value: counts[state] ?? 0 }))),
    ),
    family('winnow_webhook_deliveries_total', 'counter', 'Webhook delivery attempts, by outcome: delivered, failed (tried again later) or given_up.', WEBHOOK_OUTCOMES.map((outcome) => ({ labels: { outcome }, value: count(COUNT_FIELDS.webhookDeliveries(outcome)) }))),
  ];
}

/** Reads the counts, the mailbox's state and the queues' depths. */
export async function readMetrics(sources: MetricsSources): Promise<MetricsReading> {
  const [replies, queueCounts] = await Promise.all([
    sources.redis.pipeline().hgetall(metricsKey(sources.prefix)).hgetall(sources.mailbox.health).exists(sources.mailbox.lease).exec(),
    Promise.all(Object.entries(sources.queues).map(async ([name, queue]) => [name, await queue.getJobCounts(...QUEUE_STATES)] as const)),
  ]);
  const failed = replies?.find(([error]) => error !== null);
  if (!replies || failed) throw failed?.[0] ?? new Error('Redis returned nothing for the metrics');
  return {
    counts: replies[0]![1] as Record<string, string>,
    health: replies[1]![1] as Record<string, string>,
    leaseHeld: replies[2]![1] === 1,
    queues: Object.fromEntries(queueCounts),
  };
}

// Node's figures (memory, CPU, event loop, GC) describe the process itself, so they are gathered
// once per process, however many apps it builds (tests build several).
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'winnow_' });
  }
  return processRegistry;
}

/** The text a Prometheus scrape gets, and its content type. */
export async function metricsText(sources: MetricsSources): Promise<{ contentType: string; text: string }> {
  const shared = AggregatorRegistry.aggregate<PrometheusContentType>([metricFamilies(await readMetrics(sources))]);
  const registry = Registry.merge([shared, processMetrics()]);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
