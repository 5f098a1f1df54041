import type { Job } from 'bullmq';
import { formatDuration } from '../src/config/duration.ts';
import type { QueuePayloads } from '../src/queues/queues.ts';
import type { WorkerContext } from './context.ts';

/** The deadline passed: a person still asked has weeded themselves out. */
export function createDeadlineProcessor(context: WorkerContext) {
  return async function processDeadline(job: Job<QueuePayloads['deadline']>): Promise<{ moved: boolean }> {
    const result = await context.store.transition(
      job.data.contactId,
      'no_response',
      {},
      { at: context.now(), detail: `no answer within ${formatDuration(context.config.responseDeadlineMs)}` },
    );
    // An answer that came first already moved the person on; then there is nothing to do.
    return { moved: result.moved };
  };
}
