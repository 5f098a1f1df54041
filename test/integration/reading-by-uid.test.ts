import { Queue, type Job } from 'bullmq';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { PRIMARY_MAILBOX } from '../../src/runtime.ts';
import { jobId, type InboundOutcome, type QueuePayloads } from '../../src/queues/queues.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { liftVolumeLimits, until, useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * Inbound jobs name their message (mailbox, UIDVALIDITY, UID) and the worker reads it from the
 * mailbox itself: what becomes of a message that left the folder first, of a job queued by an
 * older version with the whole source in it, and of a backlog whose IMAP server restarts while the
 * worker reads it.
 */

const suite = useSandbox(['u1', 'u2', 'u3', 'u4']);
const person = (tag: string) => ({ name: `Sam ${tag}`, address: `${tag}@example.org` });

function inboundQueue(winnow: TestWinnow) {
  return new Queue<QueuePayloads['inbound'], InboundOutcome>('inbound', { connection: { url: suite.sandbox.redisUrl }, prefix: `${winnow.config.redis.prefix}:q` });
}

async function finished(queue: Queue<QueuePayloads['inbound'], InboundOutcome>, id: string): Promise<Job<QueuePayloads['inbound'], InboundOutcome>> {
  let job: Job<QueuePayloads['inbound'], InboundOutcome> | undefined;
  await until(
    async () => {
      // Read in one go with its figures: finishedOn is set together with the outcome and attempts.
      job = await queue.getJob(id);
      return job?.finishedOn !== undefined;
    },
    15_000,
    `job ${id} to finish`,
  );
  return job!;
}

/** A client of the test's own on the user's mailbox, for what a mail program would do meanwhile. */
async function mailClient(user: string, run: (client: ImapFlow) => Promise<void>): Promise<void> {
  const login = suite.sandbox.user(user);
  const client = new ImapFlow({ host: suite.sandbox.imap.host, port: suite.sandbox.imap.port, secure: false, auth: { user: login.user, pass: login.pass }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.logout();
  }
}

describe('a job that names a message no longer there', () => {
  it('is recorded as skipped mail with the reason, once, without retries (also when its mailbox was removed)', async () => {
    const winnow = await suite.winnow('u1');
    // The watcher stands aside: the jobs here are queued by hand, as the watcher would have queued them.
    await winnow.runtime.watcher!.stop();
    const me = winnow.user.address;
    const uidValidity = (await winnow.runtime.redis.hget(winnow.store.keys.cursor, 'uidValidity'))!;
    const deleted = person('deleted');
    const { uid } = await suite.sandbox.deliver(me, await oldLinkedInInvitation(deleted, me, '<deleted.invite>'));
    // The user deletes it in their mail program before the worker gets to it.
    await mailClient('u1', async (client) => {
      const lock = await client.getMailboxLock('INBOX');
      try {
        await client.messageDelete(String(uid), { uid: true });
      } finally {
        lock.release();
      }
    });
    const queue = inboundQueue(winnow);
    try {
      const gone = jobId.inbound(PRIMARY_MAILBOX, uidValidity, uid);
      const renumbered = jobId.inbound(PRIMARY_MAILBOX, '1', uid + 1);
      await queue.add('inbound', { mailbox: PRIMARY_MAILBOX, uidValidity, uid, size: 4000, seenAt: Date.now() }, { jobId: gone });
      // A job from before the folder was renumbered: its UID names nothing now.
      await queue.add('inbound', { mailbox: PRIMARY_MAILBOX, uidValidity: '1', uid: uid + 1, size: 4000, seenAt: Date.now() }, { jobId: renumbered });
      // And one for a mailbox the user removed meanwhile.
      const removed = jobId.inbound('removedbox', uidValidity, uid);
      await queue.add('inbound', { mailbox: 'removedbox', uidValidity, uid, size: 4000, seenAt: Date.now() }, { jobId: removed });
      const removedJob = await finished(queue, removed);
      expect({ state: await removedJob.getState(), attempts: removedJob.attemptsMade, outcome: removedJob.returnvalue }).toEqual({
        state: 'completed',
        attempts: 1,
        outcome: { kind: 'unreadable', reason: 'the mailbox removedbox was removed before the message was read' },
      });
      const goneJob = await finished(queue, gone);
      const renumberedJob = await finished(queue, renumbered);
      expect(await goneJob.getState()).toBe('completed');
      expect(goneJob.attemptsMade).toBe(1);
      expect(goneJob.returnvalue).toEqual({ kind: 'unreadable', reason: 'the message was deleted or moved out of the folder before it was read' });
      expect(renumberedJob.returnvalue.kind).toBe('unreadable');
      expect(renumberedJob.attemptsMade).toBe(1);
      const skipped = await winnow.store.skippedMail();
      expect(skipped.filter((entry) => !entry.reason.startsWith('the mailbox removedbox')).map((entry) => [entry.uid, entry.reason]).sort(([a], [b]) => Number(a) - Number(b))).toEqual([
        [uid, 'the message was deleted or moved out of the folder before it was read'],
        [uid + 1, expect.stringMatching(/^the folder was renumbered \(UIDVALIDITY 1 is now \d+\) before the message was read/)],
      ]);
      expect((await winnow.store.list({ limit: 10 })).contacts).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});

describe('a job queued with the whole message in it (by a version before jobs named their message)', () => {
  it('is read from the job: the request is recorded and answered, and the job keeps no mail', async () => {
    const winnow = await suite.winnow('u2');
    await winnow.runtime.watcher!.stop();
    const me = winnow.user.address;
    const old = person('old-shape');
    const source = await oldLinkedInInvitation(old, me, '<old-shape.invite>');
    const queue = inboundQueue(winnow);
    try {
      // UID 4242 is in no folder: the message can only come from the job.
      const id = jobId.inbound(PRIMARY_MAILBOX, '1', 4242);
      await queue.add('inbound', { mailbox: PRIMARY_MAILBOX, uidValidity: '1', uid: 4242, source: source.toString('base64'), truncated: false, seenAt: Date.now() }, { jobId: id });
      const job = await finished(queue, id);
      expect(job.returnvalue).toMatchObject({ kind: 'request', created: true });
      expect(job.data.source).toBe('');
      await until(() => suite.scriptsTo(old.address).length > 0, 10_000, 'the script');
      expect(suite.scriptsTo(old.address)).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });
});

describe('a backlog whose IMAP server restarts while the worker reads it', () => {
  it('answers every request once', { timeout: 90_000 }, async () => {
    const user = suite.sandbox.user('u3');
    const me = user.address;
    // 240 requests: a backlog's personal mail that asks nothing is read by the watcher and gets
    // no job, so only requests give the worker many messages to fetch.
    const requesters = Array.from({ length: 240 }, (_, i) => person(`backlog${i}`));
    for (const who of requesters) await suite.sandbox.deliver(me, await oldLinkedInInvitation(who, me, `<${who.address}.invite>`));
    const prefix = `t-restart-${Date.now()}`;
    // The queue is paused until the watcher has named the whole backlog; then the worker reads it
    // and Dovecot restarts under it.
    const queue = new Queue<QueuePayloads['inbound'], InboundOutcome>('inbound', { connection: { url: suite.sandbox.redisUrl }, prefix: `${prefix}:q` });
    try {
      await queue.pause();
      const winnow = await suite.winnow('u3', { prefix, backfillDays: 3 });
      // 240 scripts to one domain within the hour: more than the volume limits let go.
      await liftVolumeLimits(winnow.runtime.redis, prefix);
      await until(async () => Number(await winnow.runtime.redis.hget(winnow.store.keys.cursor, 'lastUid')) >= 240, 20_000, 'the backlog to be queued');
      await queue.resume();
      await until(async () => (await queue.getCompletedCount()) >= 10, 20_000, 'the worker to be reading');
      await suite.sandbox.imapRestart();
      // The restart came while the backlog was being read, not after.
      expect(await queue.getCompletedCount()).toBeLessThan(240);
      await winnow.settle(240, 60_000);
      await until(() => requesters.every((who) => suite.scriptsTo(who.address).length > 0), 20_000, 'a script for every request');
      for (const who of requesters) expect(suite.scriptsTo(who.address), who.address).toHaveLength(1);
      expect(await winnow.store.skippedMail()).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});
