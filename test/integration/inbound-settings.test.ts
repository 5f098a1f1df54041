import { describe, expect, it } from 'vitest';
import { createAddressBook } from '../../src/contacts/address-book.ts';
import { classify } from '../../src/detect/classify.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { createQueues, closeQueues, jobId } from '../../src/queues/queues.ts';
import { classifyContextOf } from '../../src/detect/classify.ts';
import { readingConfigOf } from '../../src/config/env.ts';
import { createSettingsStore, type Settings } from '../../src/settings/settings.ts';
import { buildMail } from '../support/mail.ts';
import { until, useSandbox, type TestWinnow } from '../support/winnow.ts';
import { deliveryReport, linkedInInvitation, ordinaryMail, personalRequest } from '../support/requests.ts';

/**
 * The inbound side of the settings, on real servers: block and allow lists, platforms on or off,
 * approval mode, the dedupe window; and an out-of-office that moves a person's deadline. Every
 * mail here is constructed.
 */

const suite = useSandbox(['set1', 'set2', 'set3', 'set4', 'set5', 'set6', 'set7', 'set8', 'set9', 'set10', 'set11']);
const DAY = 86_400_000;

async function saveSettings(winnow: TestWinnow, change: Partial<Settings>): Promise<void> {
  const settings = createSettingsStore(winnow.runtime.redis, winnow.store.keys.settings, winnow.config);
  await settings.save({ ...(await settings.get()), ...change });
}

describe('the block list', () => {
  it('skips a blocked address and a blocked domain (and its subdomains), with no script', async () => {
    const winnow = await suite.winnow('set1');
    await saveSettings(winnow, { blockList: ['pat.block@example.org', 'spam.example'] });
    const pat = { name: 'Pat Blocked', address: 'pat.block@example.org' };
    const seller = { name: 'Sal Seller', address: 'sal@mail.spam.example' };
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(pat, winnow.user.address, '<block-1@example.org>'));
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await personalRequest(seller, winnow.user.address, '<block-2@spam.example>'));
    const blockedPat = await winnow.waitForContact((c) => c.email === pat.address);
    const blockedSeller = await winnow.waitForContact((c) => c.email === seller.address);
    await winnow.settle(uid);
    expect(blockedPat).toMatchObject({ status: 'skipped', reason: 'blocked: pat.block@example.org is on your block list' });
    expect(blockedSeller).toMatchObject({ status: 'skipped', reason: 'blocked: the domain spam.example is on your block list' });
    expect(suite.scriptsTo(pat.address)).toHaveLength(0);
    expect(suite.scriptsTo(seller.address)).toHaveLength(0);
  });
});

describe('the allow list', () => {
  it('answers an allowed person although the user has written to them before', async () => {
    const user = suite.sandbox.user('set2');
    const ally = { name: 'Ally Allowed', address: 'ally@example.org' };
    await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, ally, 'Old thread'), 'Sent');
    const winnow = await suite.winnow('set2');
    await saveSettings(winnow, { allowList: ['ally@example.org'] });
    await suite.sandbox.deliver(user.address, await personalRequest(ally, user.address, '<ally-1@example.org>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(ally.address));
    const contact = await winnow.waitForContact((c) => c.email === ally.address && c.status === 'asked');
    const [requested] = await winnow.store.timeline(contact.id);
    expect(requested!.detail).toContain('allowed: ally@example.org is on your allow list');
  });

  it('does not lift the hold on unverified senders: an allowed address in a forged From waits for approval', async () => {
    const winnow = await suite.winnow('set3');
    await saveSettings(winnow, { allowList: ['una@example.org'] });
    const una = { name: 'Una Allowed', address: 'una@example.org' };
    // Unsigned: anyone can write an allowed address into a From.
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await personalRequest(una, winnow.user.address, '<allowed-forged@example.org>', { forged: true }));
    await winnow.settle(uid);
    const person = await winnow.waitForContact((c) => c.email === una.address);
    expect(person.status).toBe('awaiting_approval');
    expect(person.reason).toMatch(/^unverified: /);
    expect(suite.scriptsTo(una.address)).toHaveLength(0);
  });

  it('leaves unverified platform mail alone when unverified senders are set to be ignored, allowed or not', async () => {
    const winnow = await suite.winnow('set11', { env: { UNVERIFIED_MAIL: 'ignore' } });
    const book = createAddressBook(winnow.runtime.redis, winnow.config.redis.prefix, 'primary');
    await book.import([{ name: 'Ulla Unlisted', addresses: ['ulla@example.org'], line: 1 }]);
    await saveSettings(winnow, { allowList: ['ulla@example.org'] });
    // Unsigned: not provably LinkedIn's.
    await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Ulla Unlisted', winnow.user.address, '7132985418842456001', undefined, { forged: true }));
    // Signed: LinkedIn's, so recorded (waiting for an address, since the book has none for the name).
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Una Genuine', winnow.user.address, '7132985418842456002'));
    await winnow.settle(uid);
    expect(suite.scriptsTo('ulla@example.org')).toHaveLength(0);
    expect((await winnow.store.list()).contacts.map((c) => c.name)).toEqual(['Una Genuine']);
  });
});

describe('platforms switched off', () => {
  it('skip their requests with the reason, and no script goes out', async () => {
    const winnow = await suite.winnow('set4');
    const settings = createSettingsStore(winnow.runtime.redis, winnow.store.keys.settings, winnow.config);
    await saveSettings(winnow, { platforms: { ...(await settings.get()).platforms, email: false } });
    const piet = { name: 'Piet Platform', address: 'piet@example.org' };
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await personalRequest(piet, winnow.user.address, '<off-1@example.org>'));
    const contact = await winnow.waitForContact((c) => c.email === piet.address);
    await winnow.settle(uid);
    expect(contact).toMatchObject({ status: 'skipped', reason: 'platform off: requests from personal email are switched off in the settings' });
    expect(suite.scriptsTo(piet.address)).toHaveLength(0);
  });
});

describe('approval mode', () => {
  it('holds each script for the user: the person awaits approval and nothing is sent', async () => {
    const winnow = await suite.winnow('set5');
    await saveSettings(winnow, { mode: 'approval' });
    const ava = { name: 'Ava Approval', address: 'ava@example.org' };
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await personalRequest(ava, winnow.user.address, '<approval-1@example.org>'));
    const contact = await winnow.waitForContact((c) => c.email === ava.address);
    await winnow.settle(uid);
    expect(contact.status).toBe('awaiting_approval');
    expect(suite.scriptsTo(ava.address)).toHaveLength(0);
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      expect(await queues.send.getJob(jobId.send('primary', contact.id, 1))).toBeUndefined();
    } finally {
      await closeQueues(queues);
    }
  });
});

describe('the dedupe window', () => {
  it('comes from the settings', async () => {
    const winnow = await suite.winnow('set6');
    await saveSettings(winnow, { dedupeWindowMs: 2 * DAY });
    const dan = { name: 'Dan Dedupe', address: 'dan@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(dan, winnow.user.address, '<dedupe-1@example.org>'));
    await winnow.waitForContact((c) => c.email === dan.address);
    const ttl = await winnow.runtime.redis.pttl(winnow.store.keys.dedupe(`address:${dan.address}`));
    expect(ttl).toBeGreaterThan(DAY);
    expect(ttl).toBeLessThanOrEqual(2 * DAY);
  });
});

describe('an out-of-office answer', () => {
  it('pauses the deadline until the return date: the time left starts again then', async () => {
    const winnow = await suite.winnow('set7', { deadline: '1h' });
    const olive = { name: 'Olive Away', address: 'olive@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(olive, winnow.user.address, '<ooo-1@example.org>'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(olive.address));
    const asked = await winnow.waitForContact((c) => c.email === olive.address && c.status === 'asked');

    const back = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const outOfOffice = await buildMail({
      from: olive,
      to: winnow.user.address,
      subject: `Out of office: ${script.headers.get('subject') as string}`,
      inReplyTo: script.messageId!,
      references: [script.messageId!],
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: `I am out of the office and back on ${back}. I will read your message then.`,
    });
    // What the detectors make of the return date decides where the pause ends; without one, 7 days.
    const stated = classify(await parseMessage(outOfOffice), classifyContextOf(readingConfigOf(winnow.config))).returnsAt;
    const before = Date.now();
    await suite.sandbox.deliver(winnow.user.address, outOfOffice);
    const paused = await winnow.waitForContact((c) => c.id === asked.id && c.pausedUntil !== null);
    const after = Date.now();

    expect(paused.status).toBe('asked');
    if (stated !== null) expect(paused.pausedUntil).toBe(stated);
    else {
      expect(paused.pausedUntil).toBeGreaterThanOrEqual(before + 7 * DAY);
      expect(paused.pausedUntil).toBeLessThanOrEqual(after + 7 * DAY);
    }
    // The hour the person had left is theirs again after the return date.
    const left = paused.deadlineAt! - paused.pausedUntil!;
    expect(left).toBeGreaterThanOrEqual(asked.deadlineAt! - after);
    expect(left).toBeLessThanOrEqual(asked.deadlineAt! - before);
    const timeline = await winnow.store.timeline(asked.id);
    expect(timeline.at(-1)).toMatchObject({ type: 'paused', detail: expect.stringMatching(/^out of office until \d{4}-\d{2}-\d{2}/) });

    // The deadline job now waits for the return date, not for the hour.
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      await until(async () => ((await queues.deadline.getJob(jobId.deadline('primary', asked.id)))?.delay ?? 0) > DAY, 5000, 'the deadline job to move');
      const job = await queues.deadline.getJob(jobId.deadline('primary', asked.id));
      expect(await job!.getState()).toBe('delayed');
      expect(job!.delay).toBeGreaterThan(paused.pausedUntil! - after - 60_000);
    } finally {
      await closeQueues(queues);
    }
  });

  it('from a person with no return date is noted, and a second copy of it changes nothing more', async () => {
    const winnow = await suite.winnow('set8', { deadline: '1h' });
    const otto = { name: 'Otto Twice', address: 'otto@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(otto, winnow.user.address, '<ooo-2@example.org>'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(otto.address));
    const asked = await winnow.waitForContact((c) => c.email === otto.address && c.status === 'asked');
    const outOfOffice = await buildMail({
      from: otto,
      to: winnow.user.address,
      subject: 'Automatic reply: away',
      messageId: '<ooo-otto-1@example.org>',
      inReplyTo: script.messageId!,
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am away from my desk with no access to email.',
    });
    await suite.sandbox.deliver(winnow.user.address, outOfOffice);
    const paused = await winnow.waitForContact((c) => c.id === asked.id && c.pausedUntil !== null);
    // The same mail delivered again (a replayed job, a copy filed twice) must not pause twice.
    const { uid } = await suite.sandbox.deliver(winnow.user.address, outOfOffice);
    await winnow.settle(uid);
    const again = await winnow.store.get(asked.id);
    expect(again).toMatchObject({ pausedUntil: paused.pausedUntil, deadlineAt: paused.deadlineAt });
    expect((await winnow.store.timeline(asked.id)).filter((event) => event.type === 'paused')).toHaveLength(1);
  });
});

describe('other automatic mail about a script', () => {
  it('a receipt from a ticket system is noted, and the deadline stays', async () => {
    const winnow = await suite.winnow('set9', { deadline: '1h' });
    const desk = { name: 'Help Desk', address: 'desk@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(desk, winnow.user.address, '<ticket-1@example.org>'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(desk.address));
    const asked = await winnow.waitForContact((c) => c.email === desk.address && c.status === 'asked');
    const receipt = await buildMail({
      from: desk,
      to: winnow.user.address,
      subject: `[Ticket #48213] ${script.headers.get('subject') as string}`,
      inReplyTo: script.messageId!,
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'Thank you for contacting us. Your request has been received and assigned ticket number 48213.',
    });
    const { uid } = await suite.sandbox.deliver(winnow.user.address, receipt);
    await winnow.settle(uid);
    await until(async () => (await winnow.store.timeline(asked.id)).some((event) => event.type === 'auto_reply'), 5000, 'the receipt on the timeline');
    expect(await winnow.store.get(asked.id)).toMatchObject({ status: 'asked', pausedUntil: null, deadlineAt: asked.deadlineAt });
  });

  it('a permanent bounce marks the person bounced with the status and the server\'s words; a temporary one is only noted', async () => {
    const winnow = await suite.winnow('set10');
    const gone = { name: 'Gone Away', address: 'gone@example.org' };
    const full = { name: 'Full Box', address: 'full@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(gone, winnow.user.address, '<bounce-1@example.org>'));
    await suite.sandbox.deliver(winnow.user.address, await personalRequest(full, winnow.user.address, '<bounce-2@example.org>'));
    const toGone = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(gone.address));
    const toFull = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(full.address));
    const goneAsked = await winnow.waitForContact((c) => c.email === gone.address && c.status === 'asked');
    const fullAsked = await winnow.waitForContact((c) => c.email === full.address && c.status === 'asked');

    await suite.sandbox.deliver(winnow.user.address, deliveryReport(winnow.user.address, full.address, toFull.messageId!, { action: 'failed', status: '4.2.2', diagnostic: '452 4.2.2 mailbox full' }));
    await suite.sandbox.deliver(winnow.user.address, deliveryReport(winnow.user.address, gone.address, toGone.messageId!, { action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <gone@example.org>: user unknown' }));
    const bounced = await winnow.waitForContact((c) => c.id === goneAsked.id && c.status === 'bounced');
    expect(bounced.reason).toBe('bounced: 5.1.1: 550 5.1.1 <gone@example.org>: user unknown');
    await until(async () => (await winnow.store.timeline(fullAsked.id)).some((event) => /temporary delivery trouble \(4\.2\.2: 452 4\.2\.2 mailbox full\)/.test(event.detail)), 5000, 'the temporary failure on the timeline');
    expect((await winnow.store.get(fullAsked.id))!.status).toBe('asked');
  });
});
