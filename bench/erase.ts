/**
 * npm run bench:erase [-- --people 2000 --names 20000 --erase 20]
 *
 * What erasing a person costs on a well-used installation: a private redis-server (the sandbox's)
 * holding N people, each with a finished incoming-mail job (carrying a 20 KB constructed mail), a
 * finished send job and a waiting deadline job, the queues' event streams as BullMQ keeps them,
 * and a mailbox-history index of M names. Erasing searches every job of every queue and every
 * history name (src/queues/forget.ts, src/contacts/store.ts), so its time grows with those; this
 * prints p50 and the slowest of erasing a sample of people, and checks that each leaves no key
 * naming them.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/env.ts';
import { createContactActions } from '../src/contacts/actions.ts';
import { createContactStore } from '../src/contacts/store.ts';
import { NO_DETAILS } from '../src/vocabulary/contact.ts';
import { closeQueues, createQueues, jobId } from '../src/queues/queues.ts';
import { createSettingsStore } from '../src/settings/settings.ts';
import { startSandbox } from '../test/support/sandbox.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '2000' },
    names: { type: 'string', default: '20000' },
    erase: { type: 'string', default: '20' },
  },
});
const PEOPLE = Number(values.people);
const NAMES = Number(values.names);
const ERASE = Math.min(Number(values.erase), PEOPLE);
const PREFIX = 'bench-erase';
const MAILBOX = 'primary';

const sandbox = await startSandbox({ imap: false, smtp: false });
const redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
const config = loadConfig({
  IMAP_HOST: '127.0.0.1',
  IMAP_USER: 'me@example.test',
  IMAP_PASS: 'unused',
  SMTP_HOST: '127.0.0.1',
  MAIL_FROM: 'Morgan Example <me@example.test>',
  REDIS_URL: sandbox.redisUrl,
  REDIS_PREFIX: PREFIX,
  DASHBOARD_PASSWORD: 'bench-password',
});
const store = createContactStore(redis, PREFIX, MAILBOX);
const queues = createQueues(redis, PREFIX);
const actions = createContactActions({ store, queues, redis, settings: createSettingsStore(redis, store.keys.settings, config), now: Date.now, messageIdDomain: 'example.test' });

try {
  const started = performance.now();
  const padding = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(350);
  const people: Array<{ id: string; address: string }> = [];
  for (let i = 0; i < PEOPLE; i++) {
    const address = `person${i}@example.org`;
    const { id } = await store.create(
      {
        ...NO_DETAILS,
        status: 'asked',
        platform: 'email',
        name: `Person Number${i}`,
        firstName: 'Person',
        email: address,
        profileUrl: null,
        headline: null,
        invitationId: null,
        subject: "I'd like to connect",
        requestMessageId: `request.${i}@example.org`,
        scriptMessageId: null,
        answerText: null,
        reason: null,
        requestedAt: Date.now(),
        askedAt: Date.now(),
        deadlineAt: Date.now() + 86_400_000,
        answeredAt: null,
      },
      [`address:${address}`],
      90 * 86_400_000,
      { at: Date.now(), type: 'requested', detail: 'constructed request', messageId: `request.${i}@example.org` },
    );
    people.push({ id, address });
  }
  // Finished jobs as the workers leave them: processed by a worker that only returns.
  const source = (i: number) => Buffer.from(`From: Person Number${i} <person${i}@example.org>\r\nMessage-ID: <request.${i}@example.org>\r\nSubject: I'd like to connect\r\n\r\n${padding}`).toString('base64');
  for (let start = 0; start < PEOPLE; start += 500) {
    const slice = people.slice(start, start + 500);
    await queues.inbound.addBulk(slice.map((person, j) => ({ name: 'inbound', data: { mailbox: MAILBOX, uidValidity: '1', uid: start + j + 1, source: source(start + j), truncated: false, seenAt: Date.now() }, opts: { jobId: jobId.inbound(MAILBOX, '1', start + j + 1) } })));
    await queues.send.addBulk(slice.map((person) => ({ name: 'send', data: { mailbox: MAILBOX, contactId: person.id }, opts: { jobId: jobId.send(MAILBOX, person.id) } })));
    await queues.deadline.addBulk(slice.map((person) => ({ name: 'deadline', data: { mailbox: MAILBOX, contactId: person.id }, opts: { jobId: jobId.deadline(MAILBOX, person.id), delay: 86_400_000 } })));
  }
  const connection = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
  const finish = (name: 'inbound' | 'send') =>
    new Worker(name, async (job) => ({ kind: name === 'inbound' ? 'request' : 'sent', contactId: people[(job.data as { uid?: number }).uid ? (job.data as { uid: number }).uid - 1 : 0]?.id }), { connection, prefix: `${PREFIX}:q`, concurrency: 50 });
  const workers = [finish('inbound'), finish('send')];
  for (;;) {
    const [inbound, send] = await Promise.all([queues.inbound.getJobCounts('wait', 'active'), queues.send.getJobCounts('wait', 'active')]);
    if ((inbound.wait ?? 0) + (inbound.active ?? 0) + (send.wait ?? 0) + (send.active ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.all(workers.map((worker) => worker.close()));
  await connection.quit();
  // The mailbox history: one name key per name seen, a few addresses each, every person among them.
  const history = store.keys.history;
  for (let start = 0; start < NAMES; start += 1000) {
    const batch = redis.pipeline();
    for (let n = start; n < Math.min(start + 1000, NAMES); n++) batch.sadd(history.name(`name ${n}`), people[n % PEOPLE]!.address, `other${n}@example.net`);
    await batch.exec();
  }
  const filled = performance.now() - started;
  const counts = await Promise.all([queues.inbound.getJobCounts(), queues.send.getJobCounts(), queues.deadline.getJobCounts()]);
  const memory = (await redis.info('memory')).match(/used_memory_human:(\S+)/)?.[1];

  const times: number[] = [];
  for (const person of people.slice(0, ERASE)) {
    const begin = performance.now();
    const outcome = await actions.erase(person.id);
    times.push(performance.now() - begin);
    if (!outcome.ok) throw new Error(`erase failed: ${outcome.message}`);
  }
  // Spot check: the last one erased leaves no key naming them.
  const last = people[ERASE - 1]!;
  const [, named] = await redis.scan('0', 'MATCH', `*${last.id}*`, 'COUNT', 1_000_000);
  const inNames = await redis.sismember(history.name(`name ${ERASE - 1}`), last.address);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
  console.log(`installation: ${PEOPLE} people; jobs inbound ${JSON.stringify(counts[0])}, send ${JSON.stringify(counts[1])}, deadline ${JSON.stringify(counts[2])}; ${NAMES} history names; Redis ${memory}; filled in ${(filled / 1000).toFixed(1)} s`);
  console.log(`erase (${ERASE} people): p50 ${at(0.5)} ms, slowest ${at(1)} ms`);
  console.log(`left naming the last one erased: ${named.length} keys, history entry ${inNames ? 'still there' : 'gone'}`);
} finally {
  await closeQueues(queues);
  await redis.quit();
  await sandbox.stop();
}
