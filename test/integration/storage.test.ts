import { describe, expect, it } from 'vitest';
import { FIELD_LIMITS, MAX_MESSAGE_ID } from '../../src/contacts/store.ts';
import { createLogger } from '../../src/log.ts';
import { closeQueues, createQueues, type QueueName } from '../../src/queues/queues.ts';
import { createSettingsStore, type Settings } from '../../src/settings/settings.ts';
import { createExpirySweep } from '../../src/workers/expire.ts';
import { forgedInvitation, longSubject } from '../support/flood.ts';
import { buildMail } from '../support/mail.ts';
import { personalRequest } from '../support/requests.ts';
import { until, useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * Bounded storage, on real servers: what a sender writes is kept at bounded length, repeated mail
 * is one counted entry, people nobody acted on are forgotten after the setting, and finished jobs
 * keep no mail. Every mail here is constructed.
 */

const suite = useSandbox(['b1', 'b2', 'b3', 'b4']);
const DAY = 86_400_000;

async function saveSettings(winnow: TestWinnow, patch: Partial<Settings>): Promise<void> {
  const settings = createSettingsStore(winnow.runtime.redis, winnow.store.keys.settings, winnow.config);
  await settings.save({ ...(await settings.get()), ...patch });
}

async function deliverAndSettle(winnow: TestWinnow, raw: Buffer): Promise<void> {
  const { uid } = await suite.sandbox.deliver(winnow.user.address, raw);
  await winnow.settle(uid);
}

/** Every key of this Winnow whose name holds `text`. */
async function keysNaming(winnow: TestWinnow, text: string): Promise<string[]> {
  return winnow.runtime.redis.keys(`${winnow.config.redis.prefix}:*${text}*`);
}

describe('stored fields', () => {
  it('are cut at their limits, whatever length the sender chose; an over-long Message-ID is not kept', async () => {
    const winnow = await suite.winnow('b1');
    const longId = `<${'x'.repeat(900)}@hostile.example>`;
    const person = { name: `Pat ${'Longname'.repeat(600)}`, address: 'pat.long@example.org' };
    const raw = await buildMail({
      from: person,
      to: winnow.user.address,
      subject: longSubject(100_000, 1),
      messageId: longId,
      text: "Hi Morgan,\n\nI'd like to connect. I run a small design studio in Lisbon.\n\nBest,\nPat",
    });
    expect(raw.length).toBeGreaterThan(100_000);
    await deliverAndSettle(winnow, raw);

    const contact = await winnow.waitForContact((c) => c.email === person.address);
    expect(contact.subject.length).toBe(FIELD_LIMITS.subject);
    expect(contact.subject.endsWith('…')).toBe(true);
    expect(contact.name!.length).toBeLessThanOrEqual(FIELD_LIMITS.name!);
    expect(contact.requestMessageId).toBeNull();
    // The whole record and its timeline: a few kilobytes, not the 100 KB that arrived.
    expect(await winnow.runtime.redis.strlen(winnow.store.keys.contact(contact.id))).toBeLessThan(4_000);
    const timeline = await winnow.store.timeline(contact.id);
    for (const entry of timeline) {
      expect(entry.detail.length).toBeLessThanOrEqual(FIELD_LIMITS.detail!);
      expect((entry.messageId ?? '').length).toBeLessThanOrEqual(MAX_MESSAGE_ID);
    }
    // And no key name carries the sender's text: the subject is in no dedupe key.
    expect(await keysNaming(winnow, 'flood1')).toEqual([]);
  });
});

describe('a request repeated', () => {
  it('is one counted timeline entry and a counter on the person, with one script', async () => {
    const winnow = await suite.winnow('b2');
    const person = { name: 'Rita Repeat', address: 'rita.repeat@example.org' };
    for (let i = 0; i < 6; i++) await deliverAndSettle(winnow, await personalRequest(person, winnow.user.address, `<repeat-${i}@example.org>`));

    const contact = await winnow.waitForContact((c) => c.email === person.address);
    expect(contact).toMatchObject({ status: 'asked', repeats: 5 });
    expect(contact.lastRepeatAt).toBeGreaterThanOrEqual(contact.requestedAt);
    const timeline = await winnow.store.timeline(contact.id);
    const again = timeline.filter((entry) => entry.type === 'requested_again');
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ repeats: 5, messageId: 'repeat-5@example.org' });
    expect(timeline.filter((entry) => entry.type === 'requested')).toHaveLength(1);
    // requested, requested_again, asked (and a queued note at most): not six requests' worth.
    expect(timeline.length).toBeLessThanOrEqual(4);
    expect(suite.scriptsTo(person.address)).toHaveLength(1);

    // The same mail read again (a job run twice) counts nothing more.
    await deliverAndSettle(winnow, await personalRequest(person, winnow.user.address, `<repeat-5@example.org>`));
    expect((await winnow.store.get(contact.id))!.repeats).toBe(5);
  });
});

describe('people nobody acted on', () => {
  it('are erased once skipped or waiting longer than the setting; asked people and newer ones stay', async () => {
    let shift = 0;
    const now = () => Date.now() + shift;
    const winnow = await suite.winnow('b3', { now });
    await saveSettings(winnow, { expireAfterMs: 30 * DAY, blockList: ['blocked.example'], mode: 'approval' });
    const me = winnow.user.address;
    await deliverAndSettle(winnow, await personalRequest({ name: 'Ann Approval', address: 'ann@example.org' }, me, '<ann@example.org>'));
    await saveSettings(winnow, { mode: 'hands_off' });
    await deliverAndSettle(winnow, await personalRequest({ name: 'Bo Blocked', address: 'bo@blocked.example' }, me, '<bo@blocked.example>'));
    await deliverAndSettle(winnow, await forgedInvitation(7, me, 200));
    await deliverAndSettle(winnow, await personalRequest({ name: 'Cy Asked', address: 'cy@example.org' }, me, '<cy@example.org>'));
    const people = Object.fromEntries((await winnow.store.list({ limit: 50 })).contacts.map((c) => [c.status, c]));
    expect(Object.keys(people).sort()).toEqual(['asked', 'awaiting_address', 'awaiting_approval', 'skipped']);

    shift = 31 * DAY;
    // A request that came in just now waits for its address, and is kept.
    await deliverAndSettle(winnow, await forgedInvitation(8, me, 200));
    const fresh = await winnow.waitForContact((c) => c.name === 'Flood Person8');

    // The user has written to Bo's address (the mailbox history says so): the sweep erases the
    // record, which anyone could have made with a forged From, never the user's own history.
    await winnow.runtime.redis.hset(winnow.store.keys.history.written, 'bo@blocked.example', '2026-01-05');
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      const settings = createSettingsStore(winnow.runtime.redis, winnow.store.keys.settings, winnow.config);
      const sweep = createExpirySweep({ store: winnow.store, queues, redis: winnow.runtime.redis, secret: winnow.runtime.secret, settings, logger: createLogger('silent'), now, config: winnow.config });
      expect(await sweep()).toMatchObject({ erased: { skipped: 1, awaiting_address: 1, awaiting_approval: 1 } });
      // Run again, nothing more goes.
      expect(await sweep()).toMatchObject({ erased: { skipped: 0, awaiting_address: 0, awaiting_approval: 0 } });
    } finally {
      await closeQueues(queues);
    }
    expect(await winnow.runtime.redis.hget(winnow.store.keys.history.written, 'bo@blocked.example')).toBe('2026-01-05');
    for (const status of ['skipped', 'awaiting_address', 'awaiting_approval']) {
      const gone = people[status]!;
      expect(await winnow.store.get(gone.id), status).toBeNull();
      expect(await keysNaming(winnow, gone.id), status).toEqual([]);
    }
    expect((await winnow.store.get(people.asked!.id))?.status).toBe('asked');
    expect((await winnow.store.get(fresh.id))?.status).toBe('awaiting_address');
    // A new request from an erased person is recorded like anyone's (no marker was kept).
    await deliverAndSettle(winnow, await personalRequest({ name: 'Bo Blocked', address: 'bo@blocked.example' }, me, '<bo-again@blocked.example>'));
    await winnow.waitForContact((c) => c.email === 'bo@blocked.example' && c.status === 'skipped');
  });
});

describe('finished jobs', () => {
  it('keep no mail: neither the request read nor the script filed in Sent', async () => {
    const winnow = await suite.winnow('b4');
    const person = { name: 'Jo Jobs', address: 'jo.jobs@example.org' };
    await deliverAndSettle(winnow, await personalRequest(person, winnow.user.address, '<jo-jobs@example.org>'));
    await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');

    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      await until(async () => (await queues['sent-copy'].getCompletedCount()) === 1, 10_000, 'the copy to be filed in Sent');
      for (const name of ['inbound', 'sent-copy'] satisfies QueueName[]) {
        const finished = await queues[name].getJobs(['completed', 'failed']);
        expect(finished.length, name).toBeGreaterThan(0);
        for (const job of finished) expect(job.data.source, `${name} job ${job.id}`).toBe('');
      }
      // What is left of a finished job is its bookkeeping: a few hundred bytes of data, not a message.
      for (const job of await queues.inbound.getJobs(['completed'])) {
        expect(await winnow.runtime.redis.hstrlen(`${winnow.config.redis.prefix}:q:inbound:${job.id}`, 'data')).toBeLessThan(300);
      }
    } finally {
      await closeQueues(queues);
    }
  });
});
