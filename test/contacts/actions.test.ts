import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActions, type ContactActions } from '../../src/contacts/actions.ts';
import { createContactStore, type ContactStore, type NewContact } from '../../src/contacts/store.ts';
import type { Status } from '../../src/vocabulary/contact.ts';
import { constructedPerson, recordPerson } from './constructed.ts';
import { reminderMessageId, scriptMessageId } from '../../src/mail/message-id.ts';
import { closeQueues, createQueues, jobId, type Queues } from '../../src/queues/queues.ts';
import { createSettingsStore } from '../../src/settings/settings.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1, 12);
const DOMAIN = 'example.test';

let sandbox: Sandbox;
let redis: Redis;
let queues: Queues;
let store: ContactStore;
let actions: ContactActions;
let prefix = '';

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
  prefix = `actions-test-${process.pid}`;
  queues = createQueues(redis, prefix);
  store = createContactStore(redis, prefix, 'primary');
  const settings = createSettingsStore(redis, store.keys.settings, { responseDeadlineMs: 7 * DAY, dedupeWindowMs: 90 * DAY });
  await settings.save({ ...settings.defaults, blockList: ['blocked.example', 'nope@spam.example'] });
  actions = createContactActions({ store, queues, redis, settings, now: () => NOW, messageIdDomain: DOMAIN, messageIdSecret: SECRET });
});

afterAll(async () => {
  if (queues) await closeQueues(queues);
  await redis?.quit();
  await sandbox?.stop();
});

/** Records a person (constructed, not from mail) in the given status; returns their id and dedupe keys. */
const person = (status: Status, overrides: Partial<NewContact> = {}) => recordPerson(store, status, NOW - DAY, overrides);

/** The server secret that seals these tests' Message-IDs. */
const SECRET = 'actions-test-secret-0123456789';

describe('deciding', () => {
  it('accepts and rejects people whose outcome is known, and says why not for the others', async () => {
    const answered = await person('answered', { email: 'a@example.org', answeredAt: NOW - 1000 });
    const asked = await person('asked', { email: 'b@example.org' });
    const accepted = await actions.accept(answered.id);
    expect(accepted).toMatchObject({ ok: true, status: 'accepted' });
    expect((await store.get(answered.id))).toMatchObject({ status: 'accepted', decidedAt: NOW });
    expect((await store.timeline(answered.id)).at(-1)).toMatchObject({ type: 'accepted', at: NOW });
    // A change of mind is allowed; a second click is harmless.
    expect(await actions.reject(answered.id)).toMatchObject({ ok: true, status: 'rejected' });
    expect((await actions.reject(answered.id)).message).toMatch(/already rejected/);
    const notYet = await actions.accept(asked.id);
    expect(notYet).toMatchObject({ ok: false, problem: 'not_allowed', status: 'asked' });
    expect(notYet.message).toMatch(/cannot be accepted yet: they are asked/);
    expect(await actions.accept('nobody')).toMatchObject({ ok: false, problem: 'missing' });
  });

  it('decides in bulk, reporting each person', async () => {
    const a = await person('answered');
    const b = await person('no_response');
    const c = await person('awaiting_address');
    const d = await person('rejected');
    const outcome = await actions.decide([a.id, b.id, c.id, d.id, a.id, 'missing-id'], 'rejected');
    expect(outcome).toMatchObject({ decision: 'rejected', moved: 2, unchanged: 1, refused: 2 });
    expect(outcome.results).toHaveLength(5);
    expect((await store.get(b.id))?.status).toBe('rejected');
    expect((await store.get(c.id))?.status).toBe('awaiting_address');
  });
});

describe('sending', () => {
  it('sets an address: the script is queued for it, its job added, the address index written', async () => {
    const { id } = await person('awaiting_address');
    const outcome = await actions.setAddress(id, 'New.Person@Example.ORG');
    expect(outcome).toMatchObject({ ok: true, status: 'queued' });
    const contact = await store.get(id);
    expect(contact).toMatchObject({ status: 'queued', email: 'New.Person@example.org', reason: null });
    expect((await store.findByAddress('new.person@example.org'))?.id).toBe(id);
    const job = await queues.send.getJob(jobId.send('primary', id, 1));
    expect(job?.data).toEqual({ mailbox: 'primary', contactId: id });
    expect((await store.timeline(id)).at(-1)).toMatchObject({ type: 'address_set', detail: 'address set to New.Person@example.org; script queued' });
  });

  it('corrects a bounced address: the next script goes to the new one, the old address no longer leads to the person', async () => {
    const { id } = await person('bounced', { email: 'old@example.org', attempts: 1, askedAt: NOW - 1000 });
    expect((await store.findByAddress('old@example.org'))?.id).toBe(id);
    const outcome = await actions.setAddress(id, 'fixed@example.org');
    expect(outcome.ok).toBe(true);
    expect((await store.findByAddress('fixed@example.org'))?.id).toBe(id);
    expect(await store.findByAddress('old@example.org')).toBeNull();
    // Script number 2: its own job id.
    expect(await queues.send.getJob(jobId.send('primary', id, 2))).toBeTruthy();
    expect((await store.timeline(id)).at(-1)?.detail).toBe('address corrected from old@example.org to fixed@example.org; script queued');
  });

  it('files the person under the address set, so a later request from it finds them, not a second script; an erased person\'s address is refused', async () => {
    const { id } = await person('awaiting_address');
    expect(await actions.setAddress(id, 'Later.Mail@example.org')).toMatchObject({ ok: true });
    // The same person writes a personal "let's connect" from that address.
    const again = await store.create({ ...blankOf('Later Mail'), status: 'queued', platform: 'email', email: 'later.mail@example.org' }, ['address:later.mail@example.org'], 90 * DAY, {
      at: NOW,
      type: 'requested',
      detail: 'constructed request',
    });
    expect(again).toEqual({ created: false, id });

    const erased = await person('asked', { email: 'gone@example.org' });
    expect(await actions.erase(erased.id)).toMatchObject({ ok: true });
    const waiting = await person('awaiting_address');
    const refusal = await actions.setAddress(waiting.id, 'gone@example.org');
    expect(refusal).toMatchObject({ ok: false, problem: 'not_allowed' });
    expect(refusal.message).toMatch(/belonged to a person you erased/);
    expect(await store.get(waiting.id)).toMatchObject({ status: 'awaiting_address', email: null });
  });

  it('refuses a bad address, a blocked one, and a person who has answered', async () => {
    const waiting = await person('awaiting_address');
    expect(await actions.setAddress(waiting.id, 'not an address')).toMatchObject({ ok: false, problem: 'invalid' });
    expect(await actions.setAddress(waiting.id, 'someone@blocked.example')).toMatchObject({ ok: false, problem: 'not_allowed' });
    expect(await actions.setAddress(waiting.id, 'nope@spam.example')).toMatchObject({ ok: false, problem: 'not_allowed' });
    // As for requests, a blocked domain covers its subdomains.
    expect(await actions.setAddress(waiting.id, 'someone@mail.blocked.example')).toMatchObject({ ok: false, problem: 'not_allowed' });
    expect((await store.get(waiting.id))?.status).toBe('awaiting_address');
    const answered = await person('answered', { email: 'c@example.org' });
    expect((await actions.setAddress(answered.id, 'd@example.org')).message).toMatch(/would not be used/);
  });

  it('approves a waiting script, and only one that waits', async () => {
    const waiting = await person('awaiting_approval', { email: 'e@example.org' });
    expect(await actions.approve(waiting.id)).toMatchObject({ ok: true, status: 'queued' });
    expect(await queues.send.getJob(jobId.send('primary', waiting.id, 1))).toBeTruthy();
    expect((await store.timeline(waiting.id)).at(-1)?.type).toBe('approved');
    // Again: already on its way, and still one job.
    expect((await actions.approve(waiting.id)).message).toMatch(/already on its way/);
    const noAddress = await person('awaiting_approval');
    expect((await actions.approve(noAddress.id)).message).toMatch(/no address yet/);
    const answered = await person('answered');
    expect(await actions.approve(answered.id)).toMatchObject({ ok: false, problem: 'not_allowed' });
  });

  it('sends again: queued with the next script number, the old deadline dropped', async () => {
    const { id } = await person('asked', { email: 'f@example.org', attempts: 1, askedAt: NOW - DAY, deadlineAt: NOW + DAY });
    await queues.deadline.add('deadline', { mailbox: 'primary', contactId: id }, { jobId: jobId.deadline('primary', id), delay: DAY });
    expect(await actions.sendAgain(id)).toMatchObject({ ok: true, status: 'queued' });
    expect(await queues.send.getJob(jobId.send('primary', id, 2))).toBeTruthy();
    expect(await queues.deadline.getJob(jobId.deadline('primary', id))).toBeUndefined();
    expect((await store.timeline(id)).at(-1)?.type).toBe('sent_again');
    const answered = await person('answered', { email: 'g@example.org' });
    expect(await actions.sendAgain(answered.id)).toMatchObject({ ok: false, problem: 'not_allowed' });
  });

  it('replaces a finished job of the same number, so a failed script can be sent again', async () => {
    const { id } = await person('failed', { email: 'h@example.org' });
    // The first script failed for good: a processor refused it (constructed failure).
    const connection = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker('send', async () => {
      throw new UnrecoverableError('constructed permanent failure');
    }, { connection, prefix: `${prefix}:q` });
    const failed = new Promise<void>((resolve) => worker.on('failed', (job) => job?.id === jobId.send('primary', id, 1) && resolve()));
    await queues.send.add('send', { mailbox: 'primary', contactId: id }, { jobId: jobId.send('primary', id, 1) });
    await failed;
    await worker.close();
    await connection.quit();
    expect(await (await queues.send.getJob(jobId.send('primary', id, 1)))!.getState()).toBe('failed');
    expect(await actions.setAddress(id, 'h2@example.org')).toMatchObject({ ok: true });
    const job = await queues.send.getJob(jobId.send('primary', id, 1));
    expect(job).toBeTruthy();
    expect(await job!.getState()).not.toBe('failed');
  });

  it('marks handled and drops the deadline', async () => {
    const { id } = await person('asked', { email: 'i@example.org', askedAt: NOW - DAY });
    await queues.deadline.add('deadline', { mailbox: 'primary', contactId: id }, { jobId: jobId.deadline('primary', id), delay: DAY });
    expect(await actions.markHandled(id)).toMatchObject({ ok: true, status: 'handled' });
    expect(await queues.deadline.getJob(jobId.deadline('primary', id))).toBeUndefined();
    const queued = await person('queued', { email: 'j@example.org' });
    expect(await actions.markHandled(queued.id)).toMatchObject({ ok: false });
  });
});

describe('export and erase', () => {
  it('exports the person, their timeline and their send ledgers, and notes the export', async () => {
    const { id } = await person('asked', { email: 'k@example.org', attempts: 1 });
    await store.writeLedger(id, 1, { state: 'sent', messageId: scriptMessageId(id, 1, DOMAIN, SECRET), response: '250 OK' });
    const result = await actions.exportPerson(id);
    if (!result.ok) throw new Error(result.message);
    expect(result.export).toMatchObject({ format: 'winnow-person-export', version: 1, contact: { id, email: 'k@example.org' } });
    expect(result.export.timeline.map((e) => e.type)).toEqual(['requested', 'exported']);
    expect(result.export.scripts).toEqual([{ attempt: 1, script: { state: 'sent', messageId: scriptMessageId(id, 1, DOMAIN, SECRET), response: '250 OK' }, reminder: null }]);
  });

  it('erases every key that leads to the person, and a hashed marker keeps them from being scripted again', async () => {
    const { id, dedupe } = await person('asked', { email: 'Erase.Me@example.org', attempts: 1, askedAt: NOW - DAY });
    const messageId = scriptMessageId(id, 1, DOMAIN, SECRET);
    await store.rememberScriptMessageId(id, messageId);
    await store.writeLedger(id, 1, { state: 'sent', messageId });
    // A reminder that was remembered but never went out: no timeline entry names it.
    await store.rememberScriptMessageId(id, reminderMessageId(id, 1, DOMAIN, SECRET));
    await store.writeLedger(id, 1, { state: 'failed', reason: 'constructed refusal' }, 'reminder');
    await queues.deadline.add('deadline', { mailbox: 'primary', contactId: id }, { jobId: jobId.deadline('primary', id), delay: DAY });
    await queues['sent-copy'].add('sent-copy', { mailbox: 'primary', contactId: id, source: 'c2NyaXB0' }, { jobId: jobId['sent-copy']('primary', messageId), delay: DAY });
    // Someone else's address index must survive.
    const other = await person('asked', { email: 'other@example.org' });

    const outcome = await actions.erase(id);
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.message).toMatch(/keyed hash/);

    const left: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      left.push(...found);
    } while (cursor !== '0');
    const lowered = left.map((key) => key.toLowerCase());
    expect(lowered.filter((key) => key.includes(id.toLowerCase()) || key.includes('erase.me'))).toEqual([]);
    for (const status of ['asked', 'queued'] as const) expect(await redis.zscore(store.keys.byStatus(status), id)).toBeNull();
    expect(await redis.zscore(store.keys.byUpdate, id)).toBeNull();
    expect(await queues.deadline.getJob(jobId.deadline('primary', id))).toBeUndefined();
    expect(await queues['sent-copy'].getJob(jobId['sent-copy']('primary', messageId))).toBeUndefined();
    expect((await store.findByAddress('other@example.org'))?.id).toBe(other.id);

    // A new request with the same invitation or address is not recorded.
    const again = await store.create(
      { ...blankOf('Erase Me'), email: 'erase.me@example.org' },
      [dedupe[0]!],
      90 * DAY,
      { at: NOW, type: 'requested', detail: 'constructed request' },
    );
    expect(again).toEqual({ created: false, id: '', forgotten: true });
    expect(await redis.exists(await store.forgottenKey(dedupe[0]!))).toBe(1);
  });

  it('keeps a marker no one can test an address against without the server secret', async () => {
    const { id, dedupe } = await person('asked', { email: 'keyed@example.org' });
    await actions.erase(id);
    const marker = await store.forgottenKey(dedupe[0]!);
    expect(await redis.exists(marker)).toBe(1);
    // The plain hash older versions kept, which anyone could compute from an address, is not written.
    expect(await redis.exists(store.keys.legacyForgotten(dedupe[0]!))).toBe(0);
    // Under another secret the same address gives another marker.
    const elsewhere = createContactStore(redis, prefix, 'primary', { secret: 'another-secret-of-at-least-32-characters' });
    expect(await elsewhere.forgottenKey(dedupe[0]!)).not.toBe(marker);
  });

  it('still honours a marker an older version kept, and replaces it with the keyed one', async () => {
    const dedupeKey = 'address:legacy@example.org';
    await redis.set(store.keys.legacyForgotten(dedupeKey), String(NOW));
    const again = await store.create({ ...blankOf('Legacy Person'), email: 'legacy@example.org' }, [dedupeKey], 90 * DAY, { at: NOW, type: 'requested', detail: 'constructed request' });
    expect(again).toEqual({ created: false, id: '', forgotten: true });
    expect(await redis.exists(store.keys.legacyForgotten(dedupeKey))).toBe(0);
    expect(await redis.exists(await store.forgottenKey(dedupeKey))).toBe(1);
  });

  it('says so when a job of the person is running and cannot be removed', async () => {
    const { id } = await person('queued', { email: 'running@example.org' });
    const connection = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Other tests' send jobs wait in the same queue; only this person's is held.
    const worker = new Worker('send', async (job) => (job.data.contactId === id ? gate : undefined), { connection, prefix: `${prefix}:q`, concurrency: 50 });
    const active = new Promise<void>((resolve) => worker.on('active', (job) => job.id === jobId.send('primary', id, 1) && resolve()));
    try {
      await queues.send.add('send', { mailbox: 'primary', contactId: id }, { jobId: jobId.send('primary', id, 1) });
      await active;
      const outcome = await actions.erase(id);
      expect(outcome).toMatchObject({ ok: true, jobsLeft: 1 });
      expect(outcome.message).toMatch(/1 job\(s\) running right now could not be removed/);
      expect(await store.get(id)).toBeNull();
    } finally {
      release();
      await worker.close();
      await connection.quit();
    }
  });

  it('erases without a marker when asked, so a new request counts like anyone else', async () => {
    const { id, dedupe } = await person('awaiting_address');
    expect(await actions.erase(id, { forget: false })).toMatchObject({ ok: true });
    expect(await store.get(id)).toBeNull();
    const again = await store.create(blankOf('Back Again'), dedupe, 90 * DAY, { at: NOW, type: 'requested', detail: 'constructed request' });
    expect(again.created).toBe(true);
    expect(await actions.erase('nobody')).toMatchObject({ ok: false, problem: 'missing' });
  });
});

function blankOf(name: string): NewContact {
  return constructedPerson('awaiting_address', NOW, { name, firstName: name, profileUrl: null, invitationId: null, requestMessageId: null });
}
