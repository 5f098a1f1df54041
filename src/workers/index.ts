import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { queuePrefix, type QueueName, type QueuePayloads } from '../queues/queues.ts';
import type { WorkerContext } from './context.ts';
import { createDeadlineProcessor } from './deadline.ts';
import { createDigestRunner, DIGEST_CHECK_MS } from './digest.ts';
import { createInboundProcessor } from './inbound.ts';
import { createExpirySweep } from './expire.ts';
import { createJobRepair, REPAIR_INTERVAL_MS } from './repair.ts';
import { createSendProcessor } from './send.ts';
import { createSentCopyProcessor } from './sent-copy.ts';
import { createMessageFetcher } from '../mail/fetcher.ts';

export { createDeadlineProcessor, createInboundProcessor, createSendProcessor, createSentCopyProcessor };

/**
 * Starts one BullMQ worker per queue. The connection must be dedicated to workers
 * (maxRetriesPerRequest: null), so blocking commands wait out a Redis restart.
 */
export function startWorkers(context: WorkerContext, connection: ConnectionOptions) {
  const prefix = queuePrefix(context.config.redis.prefix);
  // The inbound jobs name their message; this reads it from the mailbox, over connections of its own.
  const fetcher = createMessageFetcher({ accountOf: (mailbox) => context.mailboxes.imapAccount(mailbox), logger: context.logger });
  // Every processor is idempotent, so a job whose worker died may run again: recover it sooner
  // than BullMQ's 30 s default, and more than once.
  const common = { connection, prefix, autorun: true, lockDuration: 15_000, stalledInterval: 15_000, maxStalledCount: 10 } as const;
  const workers = [
    new Worker('inbound' satisfies QueueName, keepNoSource(createInboundProcessor(context, fetcher)), { ...common, concurrency: 8 }),
    new Worker('send' satisfies QueueName, createSendProcessor(context), { ...common, concurrency: 4 }),
    new Worker('deadline' satisfies QueueName, createDeadlineProcessor(context), { ...common, concurrency: 4 }),
    // One at a time: the copies share one IMAP connection.
    new Worker('sent-copy' satisfies QueueName, keepNoSource(createSentCopyProcessor(context)), { ...common, concurrency: 1 }),
  ];
  const repair = createJobRepair(context);
  const expire = createExpirySweep(context);
  const sweep = () => {
    repair().catch((error: unknown) => context.logger.warn({ err: error }, 'could not check for missing jobs; trying again later'));
    expire().catch((error: unknown) => context.logger.warn({ err: error }, 'could not forget expired requests; trying again later'));
  };
  sweep();
  const timer = setInterval(sweep, REPAIR_INTERVAL_MS);
  timer.unref();
  const digest = createDigestRunner(context);
  const digestTimer = setInterval(() => {
    digest().catch((error: unknown) => context.logger.warn({ err: error }, 'could not send the digest; trying again at the next look'));
  }, DIGEST_CHECK_MS);
  digestTimer.unref();
  for (const worker of workers) {
    const log = context.logger.child({ queue: worker.name });
    worker.on('failed', (job, error) => {
      log.warn({ job: job?.id, err: error, attempts: job?.attemptsMade }, 'job failed');
      // Failed for good: the job is kept (for /queues) but not the mail it carried.
      if (job && hasSource(job)) void dropSourceOnceFailed(job).catch((trouble: unknown) => log.warn({ job: job.id, err: trouble }, 'could not drop the mail from a failed job'));
    });
    // Connection trouble is reported here; BullMQ reconnects by itself.
    worker.on('error', (error) => log.error({ err: error }, 'queue worker error'));
  }
  return {
    workers,
    /** Sends the digest now if it is due (the workers look every minute). */
    digest,
    async close() {
      clearInterval(timer);
      clearInterval(digestTimer);
      await Promise.all(workers.map((worker) => worker.close()));
      await fetcher.close();
    },
  };
}

export type Workers = ReturnType<typeof startWorkers>;

type WithSource = QueuePayloads['inbound'] | QueuePayloads['sent-copy'];

function hasSource(job: Job): job is Job<WithSource> {
  return typeof (job.data as Partial<WithSource> | undefined)?.source === 'string' && (job.data as WithSource).source !== '';
}

/**
 * Finished jobs keep no mail. Inbound jobs carry a whole message and Sent-folder copies a whole
 * script, and a finished job is kept a while (its id stops a replayed batch from adding it again,
 * and /queues shows it); the mail in it is the person's, and a flood of large messages would sit
 * in Redis. So the processor's last step empties `source`. A run that finds it empty is a job
 * finished already (its completion was lost, say): it does nothing again. An inbound job that only
 * names its message has nothing to empty (and its processor may run twice like any other).
 */
function keepNoSource<Data extends { source?: string }, Result>(processor: (job: Job<Data>, token?: string) => Promise<Result>) {
  return async (job: Job<Data>, token?: string): Promise<Result | { kind: 'ignored'; reason: string }> => {
    if (job.data.source === '') return { kind: 'ignored', reason: 'read already (the job ran to its end before)' };
    const result = await processor(job, token);
    if (job.data.source !== undefined) await job.updateData({ ...job.data, source: '' });
    return result;
  };
}

async function dropSourceOnceFailed(job: Job<WithSource>): Promise<void> {
  if ((await job.getState()) === 'failed') await job.updateData({ ...job.data, source: '' });
}
