import type { Job } from 'bullmq';
import type { QueuePayloads } from '../queues/queues.ts';
import type { WorkerContext } from './context.ts';

/** Files the copy of a sent script in the Sent folder; a failure is retried with backoff. */
export function createSentCopyProcessor(context: WorkerContext) {
  return async function processSentCopy(job: Job<QueuePayloads['sent-copy']>): Promise<{ folder: string }> {
    const sentFolder = await context.mailboxes.sentFolder(job.data.mailbox);
    const folder = await sentFolder.append(Buffer.from(job.data.source, 'base64'));
    return { folder };
  };
}
