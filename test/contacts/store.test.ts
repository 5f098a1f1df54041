import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore, type NewContact } from '../../src/contacts/store.ts';
import { NO_DETAILS } from '../../src/vocabulary/contact.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

let sandbox: Sandbox;
let redis: Redis;
let counter = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl);
});

afterAll(async () => {
  await redis?.quit();
  await sandbox?.stop();
});

function freshStore() {
  counter += 1;
  return createContactStore(redis, `store-test-${counter}-${process.pid}`, 'primary');
}

function person(overrides: Partial<NewContact> = {}): NewContact {
  return {
    status: 'queued',
    platform: 'email',
    name: 'Ada Asker',
    firstName: 'Ada',
    email: 'ada@example.org',
    profileUrl: null,
    headline: null,
    invitationId: null,
    subject: "Let's connect",
    requestMessageId: 'request-1@example.org',
    scriptMessageId: null,
    answerText: null,
    reason: null,
    requestedAt: 1000,
    askedAt: null,
    deadlineAt: null,
    answeredAt: null,
    ...NO_DETAILS,
    ...overrides,
  };
}

const requested = (at: number) => ({ at, type: 'requested' as const, detail: 'constructed request' });

describe('the contact store', () => {
  it('keeps working after Redis forgot its scripts (a restart, SCRIPT FLUSH): a person is recorded and moved', async () => {
    const store = freshStore();
    const { id } = await store.create(person(), ['address:ada@example.org'], 60_000, requested(1000));
    await redis.script('FLUSH');
    expect(await store.transition(id, 'asked', { askedAt: 2000 }, { at: 2000, detail: 'script sent' })).toEqual({ moved: true, from: 'queued' });
    expect((await store.get(id))?.status).toBe('asked');
  });

  it('creates one person however many deliveries of the same request race for it', async () => {
    const store = freshStore();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.create(person({ requestMessageId: `copy-${i}` }), ['address:ada@example.org'], 60_000, requested(1000 + i))),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect((await store.list()).contacts).toHaveLength(1);
    expect(await store.counts()).toMatchObject({ queued: 1 });
  });

  it('finds the same person by invitation id or by address', async () => {
    const store = freshStore();
    const first = await store.create(person(), ['invitation:linkedin:42', 'address:ada@example.org'], 60_000, requested(1000));
    const byInvitation = await store.create(person({ email: 'other@example.org' }), ['invitation:linkedin:42', 'address:other@example.org'], 60_000, requested(2000));
    const byAddress = await store.create(person(), ['invitation:linkedin:43', 'address:ada@example.org'], 60_000, requested(3000));
    expect(byInvitation).toEqual({ created: false, id: first.id });
    expect(byAddress).toEqual({ created: false, id: first.id });
    expect((await store.findByAddress('ADA@example.org'))?.id).toBe(first.id);
  });

  it('keeps answers by address with the person first recorded there, when a later request with that address is recorded apart (after the dedupe window)', async () => {
    const store = freshStore();
    const first = await store.create(person(), ['invitation:linkedin:50', 'address:ada@example.org'], 1, requested(1000));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the 1 ms dedupe window passes
    // Anyone can write a new "invitation" naming Ada's address once the window is over.
    const later = await store.create(person(), ['invitation:linkedin:51', 'address:ada@example.org'], 60_000, requested(2000));
    expect(later.created).toBe(true);
    expect(later.id).not.toBe(first.id);
    expect((await store.findByAddress('ada@example.org'))?.id).toBe(first.id);
  });

  it('lets an answer and a deadline race: exactly one of them moves the person', async () => {
    const store = freshStore();
    const { id } = await store.create(person({ status: 'queued' }), ['address:ada@example.org'], 60_000, requested(1000));
    await store.transition(id, 'asked', { askedAt: 2000 }, { at: 2000, detail: 'script sent' });
    const [answered, silent] = await Promise.all([
      store.transition(id, 'answered', { answerText: 'We build bridges.' }, { at: 3000, detail: 'answered' }),
      store.transition(id, 'no_response', {}, { at: 3000, detail: 'deadline' }),
    ]);
    expect([answered.moved, silent.moved].filter(Boolean)).toHaveLength(1);
    const contact = await store.get(id);
    expect(['answered', 'no_response']).toContain(contact?.status);
    const counts = await store.counts();
    expect(counts.asked).toBe(0);
    expect(counts.answered + counts.no_response).toBe(1);
  });

  it('refuses a move the lifecycle does not allow, and says where the person is', async () => {
    const store = freshStore();
    const { id } = await store.create(person({ status: 'awaiting_address', email: null }), ['invitation:linkedin:7'], 60_000, requested(1000));
    expect(await store.transition(id, 'answered', {}, { at: 2000, detail: 'no' })).toEqual({ moved: false, status: 'awaiting_address' });
    expect(await store.transition('no-such-person', 'asked', {}, { at: 2000, detail: 'no' })).toEqual({ moved: false, status: 'missing' });
    expect((await store.timeline(id)).map((event) => event.type)).toEqual(['requested']);
  });

  it('pages through people newest first, each exactly once, with a text filter', async () => {
    const store = freshStore();
    for (let i = 0; i < 25; i++) {
      await store.create(person({ name: i % 5 === 0 ? `Builder ${i}` : `Person ${i}`, email: `p${i}@example.org`, requestedAt: i }), [`address:p${i}@example.org`], 60_000, requested(10_000 + (i % 3)));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.contacts.map((contact) => contact.email!));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const builders = await store.list({ q: 'builder', limit: 50 });
    expect(builders.contacts.map((contact) => contact.name).sort()).toEqual(['Builder 0', 'Builder 10', 'Builder 15', 'Builder 20', 'Builder 5']);
    expect(builders.nextCursor).toBeNull();
  });
});

describe('text from hostile mail', () => {
  it('cannot leave a person stuck: a lone surrogate (a cut emoji) is stored as U+FFFD and the person moves on', async () => {
    const store = freshStore();
    const cutEmoji = 'Ada 😀'.slice(0, 5);
    const { id } = await store.create(person({ name: cutEmoji, subject: 'x\ud800y' }), ['address:ada@example.org'], 60_000, requested(1000));
    expect(await store.transition(id, 'asked', {}, { at: 2000, detail: 'script sent' })).toMatchObject({ moved: true });
    expect(await store.transition(id, 'answered', { answerText: 'We build \udc00 bridges' }, { at: 3000, detail: 'answered' })).toMatchObject({ moved: true });
    const contact = await store.get(id);
    expect(contact).toMatchObject({ status: 'answered', name: 'Ada \ufffd', subject: 'x\ufffdy', answerText: 'We build \ufffd bridges' });
  });
});

describe('the send ledger', () => {
  it('lets one run at a time claim a send, keeps the first Message-ID, and frees a stale claim', async () => {
    const store = freshStore();
    const { id: p1 } = await store.create(person(), ['address:ada@example.org'], 60_000, requested(1000));
    expect(await store.claimSend(p1, 1, 'run-a', 'winnow.p1.1@example.test', 1000, 90_000)).toEqual({ outcome: 'claimed', messageId: 'winnow.p1.1@example.test' });
    // A second run while the first is sending must wait.
    expect(await store.claimSend(p1, 1, 'run-b', 'other@example.test', 2000, 90_000)).toMatchObject({ outcome: 'busy' });
    // The same run may claim again (a retry on the same lock).
    expect(await store.claimSend(p1, 1, 'run-a', 'other@example.test', 3000, 90_000)).toMatchObject({ outcome: 'claimed' });
    // The first run died: once its claim is stale, another run takes over with the same Message-ID.
    expect(await store.claimSend(p1, 1, 'run-b', 'other@example.test', 200_000, 90_000)).toEqual({ outcome: 'claimed', messageId: 'winnow.p1.1@example.test' });
    await store.writeLedger(p1, 1, { state: 'sent' });
    expect(await store.claimSend(p1, 1, 'run-c', 'other@example.test', 300_000, 90_000)).toEqual({ outcome: 'sent', messageId: 'winnow.p1.1@example.test' });
  });

  it('writes nothing back about a person erased while a send of theirs was running', async () => {
    const store = freshStore();
    const { id } = await store.create(person(), ['address:ada@example.org'], 60_000, requested(1000));
    expect(await store.claimSend(id, 1, 'run-a', 'winnow.x.1@example.test', 1000, 90_000)).toMatchObject({ outcome: 'claimed' });
    expect(await store.erase(id, { own: [store.keys.ledger(id, 1)], indexes: [], forget: [] }, 2000)).toBe(true);
    // What the send job does once the SMTP server has accepted the script.
    await store.writeLedger(id, 1, { state: 'sent', sentAt: '3000', response: '250 OK' });
    await store.rememberScriptMessageId(id, 'winnow.x.1@example.test');
    expect(await store.markLedgerOnce(id, 1, 'reminded', 3000)).toBe(false);
    await store.note(id, { at: 3000, type: 'asked', detail: 'script sent' });
    expect(await redis.exists(store.keys.ledger(id, 1), store.keys.events(id), store.keys.scriptMessage('winnow.x.1@example.test'), store.keys.contact(id))).toBe(0);
    // Another run of the job finds no one to send to.
    expect(await store.claimSend(id, 1, 'run-b', 'winnow.x.1@example.test', 200_000, 90_000)).toEqual({ outcome: 'missing', messageId: '' });
    expect(await redis.exists(store.keys.ledger(id, 1))).toBe(0);
  });
});
