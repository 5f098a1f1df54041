import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { InboundOutcome, QueuePayloads } from '../../src/queues/queues.ts';
import { signMail } from '../support/dkim.ts';
import { buildMail } from '../support/mail.ts';
import { personalRequest } from '../support/requests.ts';
import { liftVolumeLimits, until, useSandbox } from '../support/winnow.ts';

/**
 * A backlog's messages whose headers leave it open are read by the watcher (large ones without
 * their attachments) and screened: only those the inbound worker would act on get a job. A request
 * is answered whatever it carries; personal mail that asks nothing costs no job.
 */

const suite = useSandbox(['s1']);
const REPORT = Buffer.alloc(1_200_000, 'The quarterly report, scanned. ');

describe('a backlog read by the watcher', () => {
  it('answers its requests, also one with a large attachment, and queues nothing for mail that asks nothing', { timeout: 60_000 }, async () => {
    const me = suite.sandbox.user('s1').address;
    const small = { name: 'Ana Lopes', address: 'ana@studio.example' };
    const large = { name: 'Ben Okafor', address: 'ben@works.example' };
    const smallRequest = await personalRequest(small, me, '<small.request@studio.example>');
    const largeRequest = await signMail(
      await buildMail({ from: large, to: me, subject: 'Hello', messageId: '<large.request@works.example>', text: "Hi Morgan,\n\nI'd like to connect. I build furniture in Lagos; our portfolio is attached.\n\nBen", attachments: [{ filename: 'portfolio.pdf', content: REPORT }] }),
    );
    const friends = Array.from({ length: 30 }, (_, n) => ({ name: `Friend ${n}`, address: `friend${n}@example.net` }));
    let uid = 0;
    for (const [n, friend] of friends.entries()) {
      const attachments = n % 10 === 3 ? [{ filename: 'photos.pdf', content: REPORT }] : [];
      ({ uid } = await suite.sandbox.deliver(me, await buildMail({ from: friend, to: me, subject: `Slides ${n}`, text: 'Here are the slides from Tuesday, as promised.', attachments })));
      if (n === 10) await suite.sandbox.deliver(me, smallRequest);
      if (n === 20) await suite.sandbox.deliver(me, largeRequest);
    }
    const prefix = `t-screen-${Date.now()}`;
    const queue = new Queue<QueuePayloads['inbound'], InboundOutcome>('inbound', { connection: { url: suite.sandbox.redisUrl }, prefix: `${prefix}:q` });
    try {
      const winnow = await suite.winnow('s1', { prefix, backfillDays: 3 });
      await liftVolumeLimits(winnow.runtime.redis, prefix);
      await winnow.settle(uid, 30_000);
      await until(() => suite.scriptsTo(small.address).length > 0 && suite.scriptsTo(large.address).length > 0, 20_000, 'a script for each request');
      expect(suite.scriptsTo(small.address)).toHaveLength(1);
      expect(suite.scriptsTo(large.address)).toHaveLength(1);
      // The two requests had jobs; the 30 friends' mails, three of them with 1.2 MB attachments, none.
      const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
      expect(jobs.map((job) => job.returnvalue?.kind).sort()).toEqual(['request', 'request']);
      expect((await winnow.store.list({ limit: 10 })).contacts.map((contact) => contact.email).sort()).toEqual([small.address, large.address]);
    } finally {
      await queue.close();
    }
  });
});
