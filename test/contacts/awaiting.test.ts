import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActions } from '../../src/contacts/actions.ts';
import { createAddressBook, type AddressBook } from '../../src/contacts/address-book.ts';
import { giveAddress, resolveAwaiting, type AwaitingDeps } from '../../src/contacts/awaiting.ts';
import { createContactStore, type ContactStore, type NewContact } from '../../src/contacts/store.ts';
import type { Status } from '../../src/vocabulary/contact.ts';
import { historyKeys, readWrittenTo } from '../../src/mailbox/history.ts';
import { closeQueues, createQueues, jobId, type Queues } from '../../src/queues/queues.ts';
import { createSettingsStore, type Settings, type SettingsStore } from '../../src/settings/settings.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { recordPerson } from './constructed.ts';

/**
 * People waiting for an address, looked up again after an address-book import. Every person and
 * address-book entry here is constructed.
 */

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1, 12);
const OWN = 'me@example.test';

let sandbox: Sandbox;
let redis: Redis;
let queues: Queues;
const prefix = `awaiting-test-${process.pid}`;
let serial = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
  queues = createQueues(redis, prefix);
});

afterAll(async () => {
  if (queues) await closeQueues(queues);
  await redis?.quit();
  await sandbox?.stop();
});

interface Mailbox {
  store: ContactStore;
  book: AddressBook;
  settings: SettingsStore;
  deps: AwaitingDeps;
  /** Records a person (constructed, not from mail) in the given status. */
  person(status: Status, overrides?: Partial<NewContact>): Promise<string>;
  /** What the mailbox history says: the user has written to this address. */
  wroteTo(address: string): Promise<void>;
}

/** A mailbox of its own per test, with the given settings. */
async function mailbox(settingsPatch: Partial<Settings> = {}): Promise<Mailbox> {
  serial += 1;
  const name = `box${serial}`;
  const store = createContactStore(redis, prefix, name);
  const book = createAddressBook(redis, prefix, name);
  const settings = createSettingsStore(redis, store.keys.settings, { responseDeadlineMs: 7 * DAY, dedupeWindowMs: 90 * DAY });
  await settings.save({ ...settings.defaults, ...settingsPatch });
  const written = historyKeys(prefix, name);
  return {
    store,
    book,
    settings,
    deps: {
      store,
      queues,
      settings,
      addressBook: book,
      context: { ownAddresses: [OWN], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' },
      wroteTo: (address) => readWrittenTo(redis, written, address),
      now: () => NOW,
    },
    async person(status, overrides = {}) {
      return (await recordPerson(store, status, NOW - DAY, { reason: status === 'awaiting_address' ? 'no address: constructed' : null, ...overrides })).id;
    },
    async wroteTo(address) {
      await redis.hset(written.written, address, String(NOW - 30 * DAY));
    },
  };
}

const importBook = (book: AddressBook, entries: Array<[string, ...string[]]>) => book.import(entries.map(([name, ...addresses], i) => ({ name, addresses, line: i + 1 })));

describe('after an address-book import', () => {
  it('a person waiting for an address whose name now gives one address gets it: queued, their script job added, the source on their timeline', async () => {
    const box = await mailbox();
    const jane = await box.person('awaiting_address', { name: 'Jane Doe' });
    const twice = await box.person('awaiting_address', { name: 'Robin Twice' });
    const unknown = await box.person('awaiting_address', { name: 'Nobody Listed' });
    const asked = await box.person('asked', { name: 'Already Asked', email: 'asked@example.org' });
    await importBook(box.book, [['Doe, Jane', 'Jane.Doe@Example.org'], ['Robin Twice', 'robin@one.example', 'robin@two.example'], ['Already Asked', 'other@example.org']]);

    const summary = await resolveAwaiting(box.deps);
    expect(summary).toEqual({ waiting: 3, queued: 1, awaitingApproval: 0, skipped: 0, stillWaiting: 2 });
    expect(await box.store.get(jane)).toMatchObject({ status: 'queued', email: 'jane.doe@example.org', reason: null });
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, jane, 1))).toBeTruthy();
    expect((await box.store.timeline(jane)).at(-1)).toMatchObject({
      type: 'address_set',
      at: NOW,
      detail: 'address jane.doe@example.org from your address book (imported after the request); script queued',
    });
    // An answer from that address now finds her.
    expect((await box.store.findByAddress('jane.doe@example.org'))?.id).toBe(jane);
    // Two addresses for one name is no match, and no name in the book is none: they keep waiting.
    expect((await box.store.get(twice))?.status).toBe('awaiting_address');
    expect((await box.store.get(unknown))?.status).toBe('awaiting_address');
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, twice, 1))).toBeUndefined();
    // Someone past waiting is left alone.
    expect(await box.store.get(asked)).toMatchObject({ status: 'asked', email: 'asked@example.org' });

    // Run again (a second import): nothing more happens, no second job.
    expect(await resolveAwaiting(box.deps)).toEqual({ waiting: 2, queued: 0, awaitingApproval: 0, skipped: 0, stillWaiting: 2 });
  });

  it('a person recorded from unverified mail waits for approval at the address the book gives: found by name, never used on its own', async () => {
    const box = await mailbox({ unverifiedMail: 'accept' });
    const cora = await box.person('awaiting_address', { name: 'Cora Contact', flags: ['unverified'] });
    await importBook(box.book, [['Cora Contact', 'cora@example.org']]);
    expect(await resolveAwaiting(box.deps)).toMatchObject({ awaitingApproval: 1, queued: 0 });
    const person = await box.store.get(cora);
    expect(person).toMatchObject({ status: 'awaiting_approval', email: 'cora@example.org' });
    expect(person!.reason).toMatch(/^unverified: cora@example\.org was found by name in your address book/);
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, cora, 1))).toBeUndefined();
  });

  it('in approval mode, the script waits for the user; no job is added', async () => {
    const box = await mailbox({ mode: 'approval' });
    const id = await box.person('awaiting_address', { name: 'Ada Approve' });
    await importBook(box.book, [['Ada Approve', 'ada@example.org']]);
    expect(await resolveAwaiting(box.deps)).toMatchObject({ awaitingApproval: 1, queued: 0 });
    expect(await box.store.get(id)).toMatchObject({ status: 'awaiting_approval', email: 'ada@example.org' });
    expect((await box.store.timeline(id)).at(-1)?.detail).toMatch(/; the script waits for your approval$/);
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, id, 1))).toBeUndefined();
  });

  it('someone the user has written to is known, and a blocked address is blocked: skipped, with the reason', async () => {
    const box = await mailbox({ blockList: ['blocked.example'] });
    const known = await box.person('awaiting_address', { name: 'Kai Known' });
    const blocked = await box.person('awaiting_address', { name: 'Bo Blocked' });
    const own = await box.person('awaiting_address', { name: 'Morgan Example' });
    await box.wroteTo('kai@example.org');
    await importBook(box.book, [['Kai Known', 'kai@example.org'], ['Bo Blocked', 'bo@blocked.example'], ['Morgan Example', OWN]]);
    expect(await resolveAwaiting(box.deps)).toMatchObject({ skipped: 2, queued: 0, stillWaiting: 1 });
    expect(await box.store.get(known)).toMatchObject({ status: 'skipped', email: 'kai@example.org', reason: expect.stringMatching(/^known: you have written to kai@example\.org before/) });
    expect(await box.store.get(blocked)).toMatchObject({ status: 'skipped', reason: 'blocked: the domain blocked.example is on your block list' });
    // The user's own address is never one to write to.
    expect(await box.store.get(own)).toMatchObject({ status: 'awaiting_address', email: null });
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, known, 1))).toBeUndefined();
  });

  it('one script per address: an address another person here already has is a duplicate, and an erased person\'s is not used', async () => {
    const box = await mailbox();
    const actions = createContactActions({ store: box.store, queues, redis, settings: box.settings, now: () => NOW, messageIdDomain: 'example.test' });
    // Pat asked by personal email and got the script; the same Pat's LinkedIn invitation waits for an address.
    await box.person('asked', { name: 'Pat Personal', platform: 'email', email: 'pat@example.org', invitationId: null });
    const patOnLinkedIn = await box.person('awaiting_address', { name: 'Pat Personal' });
    // Erin asked to be forgotten; another invitation under her name waits.
    const erin = await box.person('awaiting_address', { name: 'Erin Erased', email: 'erin@example.org' });
    await box.store.transition(erin, 'queued', {}, { at: NOW, detail: 'constructed' });
    expect(await actions.erase(erin)).toMatchObject({ ok: true });
    const erinAgain = await box.person('awaiting_address', { name: 'Erin Erased' });

    await importBook(box.book, [['Pat Personal', 'pat@example.org'], ['Erin Erased', 'erin@example.org']]);
    expect(await resolveAwaiting(box.deps)).toMatchObject({ waiting: 2, skipped: 1, queued: 0, stillWaiting: 1 });
    expect(await box.store.get(patOnLinkedIn)).toMatchObject({ status: 'skipped', email: 'pat@example.org', reason: expect.stringMatching(/^duplicate: pat@example\.org belongs to another person/) });
    expect(await box.store.get(erinAgain)).toMatchObject({ status: 'awaiting_address', email: null });
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, patOnLinkedIn, 1))).toBeUndefined();
    expect(await queues.send.getJob(jobId.send(box.store.mailbox, erinAgain, 1))).toBeUndefined();
  });

  it('the address found joins the person\'s dedupe keys: a later request from it finds them instead of a second script', async () => {
    const box = await mailbox();
    const id = await box.person('awaiting_address', { name: 'Dana Dedupe' });
    await importBook(box.book, [['Dana Dedupe', 'dana@example.org']]);
    await resolveAwaiting(box.deps);
    const again = await box.store.create(
      { ...(await box.store.get(id))!, status: 'queued', platform: 'email', invitationId: null, email: 'dana@example.org' },
      ['address:dana@example.org'],
      90 * DAY,
      { at: NOW, type: 'requested', detail: 'constructed personal request' },
    );
    expect(again).toEqual({ created: false, id });
    expect(await box.store.dedupeKeysOf(id)).toEqual(expect.arrayContaining(['address:dana@example.org']));
  });

  it('a person who moved on since they were read (the user typed an address meanwhile) is left as they are', async () => {
    const box = await mailbox();
    const actions = createContactActions({ store: box.store, queues, redis, settings: box.settings, now: () => NOW, messageIdDomain: 'example.test' });
    const id = await box.person('awaiting_address', { name: 'Sam Stale' });
    const read = (await box.store.get(id))!;
    expect(await actions.setAddress(id, 'typed@example.org')).toMatchObject({ ok: true, status: 'queued' });
    const outcome = await giveAddress(box.deps, read, 'book@example.org', { status: 'queued', reason: null, allowed: null }, 90 * DAY, { at: NOW, detail: 'address book@example.org from your address book' });
    expect(outcome).toEqual({ outcome: 'moved_on' });
    expect(await box.store.get(id)).toMatchObject({ status: 'queued', email: 'typed@example.org' });
    // The address it would have used is not left leading to them.
    expect(await box.store.dedupeKeysOf(id)).not.toContain('address:book@example.org');
  });
});
