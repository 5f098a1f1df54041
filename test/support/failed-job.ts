// A job that really failed: put into a Winnow queue and failed by a BullMQ worker whose processor
// throws, once (attempts: 1), for the tests of the queue board.
import { Worker } from 'bullmq';
import { jobId, queuePrefix, type Queues } from '../../src/queues/queues.ts';

/** An inbound job carrying this whole message, failed with `reason`; resolves to its id once failed. */
export async function failInboundJob(queues: Queues, redis: { url: string; prefix: string }, uid: number, source: string, reason: string): Promise<string> {
  const id = jobId.inbound('INBOX', '1', uid);
  await queues.inbound.add('inbound', { mailbox: 'INBOX', uidValidity: '1', uid, source, truncated: false, seenAt: Date.now() }, { jobId: id, attempts: 1 });
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(
      'inbound',
      async () => {
        throw new Error(reason);
      },
      { connection: { url: redis.url }, prefix: queuePrefix(redis.prefix) },
    );
    worker.on('failed', (job) => {
      if (job?.id === id) void worker.close().then(resolve, reject);
    });
  });
  return id;
}
