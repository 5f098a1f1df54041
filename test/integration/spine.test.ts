import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { liftVolumeLimits, until, useSandbox } from '../support/winnow.ts';
import { corpusDir } from '../support/corpus.ts';
import { scriptMessageId } from '../../src/mail/message-id.ts';

/**
 * The spine, end to end on real servers: a private Redis, a private Dovecot and an SMTP peer
 * that files what it receives into the recipients' Dovecot mailboxes.
 */

const suite = useSandbox(['me1', 'me2', 'me3', 'me4', 'me5', 'me6', 'me7', 'me8', 'me9', 'alice', 'bob', 'carol']);


describe('a connection request in the inbox', () => {
  it('from the person themselves gets exactly one script, threaded and marked as an automatic answer', async () => {
    const winnow = await suite.winnow('me1');
    const alice = { name: 'Alice Asker', address: 'alice.one@example.org' };
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(alice, winnow.user.address, '<invite-1@linkedin.example>'));

    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(alice.address));
    expect(script.envelopeFrom).toBe(winnow.user.address);
    expect(script.headers.get('auto-submitted')).toBe('auto-replied');
    expect(script.headers.get('in-reply-to')).toBe('<invite-1@linkedin.example>');
    expect(script.headers.get('references')).toContain('<invite-1@linkedin.example>');
    expect(script.headers.get('subject')).toMatch(/Invitation to connect on LinkedIn/);
    const body = script.raw.toString('utf8');
    expect(body).toContain('Alice');
    expect(body).toMatch(/why/i);
    expect(body).toMatch(/business/i);

    const contact = await winnow.waitForContact((c) => c.email === alice.address && c.status === 'asked');
    expect(`<${contact.scriptMessageId}>`).toBe(script.messageId);
    // The first script of this person: number 1, in its Message-ID and its ledger.
    expect(contact.scriptMessageId).toBe(scriptMessageId(contact.id, 1, 'example.test', winnow.runtime.secret));
    expect(contact.attempts).toBe(1);
    expect(await winnow.store.readLedger(contact.id, 1)).toMatchObject({ state: 'sent', messageId: contact.scriptMessageId });
    expect(contact.deadlineAt).toBeGreaterThan(Date.now());
    await winnow.settle(uid);
    expect(suite.scriptsTo(alice.address)).toHaveLength(1);

    // The copy in the user's Sent folder is the message that went out.
    await until(async () => (await suite.sandbox.messages(winnow.user.address, 'Sent')).length === 1, 5000, 'the copy in Sent');
    const [sent] = await suite.sandbox.messages(winnow.user.address, 'Sent');
    expect(sent!.source.toString()).toContain(script.messageId!);
  });

  it('is answered: the reply makes the person "answered", with the answer text and the deadline cancelled', async () => {
    const winnow = await suite.winnow('me2');
    const bob = suite.sandbox.user('bob');
    await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation({ name: 'Bob Builder', address: bob.address }, winnow.user.address, '<invite-2@linkedin.example>'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(bob.address));

    const answer = await buildMail({
      from: { name: 'Bob Builder', address: bob.address },
      to: winnow.user.address,
      subject: 'Re: Invitation to connect on LinkedIn',
      inReplyTo: script.messageId!,
      references: [script.messageId!],
      text: [
        'Hi Morgan,',
        '',
        'I run a small structural engineering firm and we are looking for partners in timber construction;',
        'I think we could send each other work.',
        '',
        'On Tue, Nov 24, 2026 at 10:00 AM Morgan Example wrote:',
        '> Thank you for wanting to connect.',
      ].join('\n'),
    });
    await suite.sandbox.deliver(winnow.user.address, answer);

    const contact = await winnow.waitForContact((c) => c.email === bob.address && c.status === 'answered');
    expect(contact.answerText).toContain('structural engineering firm');
    expect(contact.answerText).not.toContain('Thank you for wanting to connect');
    const timeline = await winnow.store.timeline(contact.id);
    expect(timeline.map((event) => event.type)).toEqual(['requested', 'asked', 'answered']);
    expect(await winnow.runtime.queueCounts()).toMatchObject({ deadline: 0 });
  });

  it('meets silence: after the deadline the person is "no_response"', async () => {
    const winnow = await suite.winnow('me3', { deadline: '1500ms' });
    const carol = { name: 'Carol Quiet', address: 'carol.quiet@example.org' };
    await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(carol, winnow.user.address, '<invite-3@linkedin.example>'));
    await winnow.waitForContact((c) => c.email === carol.address && c.status === 'asked');
    const contact = await winnow.waitForContact((c) => c.email === carol.address && c.status === 'no_response', 10_000);
    const timeline = await winnow.store.timeline(contact.id);
    expect(timeline.at(-1)).toMatchObject({ type: 'no_response', detail: expect.stringContaining('no answer within') });
  });

  it('in the 2016 LinkedIn format carries no address of the person: "awaiting_address", and no mail goes out', async () => {
    const winnow = await suite.winnow('me4');
    const raw = await readFile(path.join(corpusDir(), 'positive/linkedin-invite-2016-05-02.eml'));
    const before = suite.sandbox.smtp.received.length;
    const { uid } = await suite.sandbox.deliver(winnow.user.address, raw);
    const contact = await winnow.waitForContact((c) => c.status === 'awaiting_address');
    expect(contact.platform).toBe('linkedin');
    expect(contact.email).toBeNull();
    expect(contact.invitationId).toBeTruthy();
    await winnow.settle(uid);
    expect(suite.sandbox.smtp.received.length).toBe(before);
  });

  it('is never confused with the corpus negatives: none of them gets a mail', async () => {
    const winnow = await suite.winnow('me5');
    const folder = path.join(corpusDir(), 'negative');
    const files = (await readdir(folder)).filter((name) => name.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const before = suite.sandbox.smtp.received.length;
    let last = 0;
    for (const file of files) last = (await suite.sandbox.deliver(winnow.user.address, await readFile(path.join(folder, file)))).uid;
    await winnow.settle(last);
    expect(suite.sandbox.smtp.received.length).toBe(before);
    expect((await winnow.store.list()).contacts).toEqual([]);
  });

  it('delivered twice gets one script', async () => {
    const winnow = await suite.winnow('me6');
    const dave = { name: 'Dave Twice', address: 'dave.twice@example.org' };
    const invitation = await oldLinkedInInvitation(dave, winnow.user.address, '<invite-6@linkedin.example>');
    await suite.sandbox.deliver(winnow.user.address, invitation);
    const { uid } = await suite.sandbox.deliver(winnow.user.address, invitation);
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(dave.address));
    await winnow.settle(uid);
    expect(suite.scriptsTo(dave.address)).toHaveLength(1);
    const contact = await winnow.waitForContact((c) => c.email === dave.address);
    expect(contact.status).toBe('asked');
  });

  it('already in the box at the first start gets nothing', async () => {
    const user = suite.sandbox.user('me7');
    const erin = { name: 'Erin Early', address: 'erin.early@example.org' };
    await suite.sandbox.deliver(user.address, await oldLinkedInInvitation(erin, user.address, '<invite-7@linkedin.example>'));
    const winnow = await suite.winnow('me7');
    // A later request proves the watcher is reading; the earlier one must stay unanswered.
    const frank = { name: 'Frank Later', address: 'frank.later@example.org' };
    const { uid } = await suite.sandbox.deliver(user.address, await oldLinkedInInvitation(frank, user.address, '<invite-7b@linkedin.example>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(frank.address));
    await winnow.settle(uid);
    expect(suite.scriptsTo(erin.address)).toHaveLength(0);
  });
});

describe('a watcher restarted in the middle of a burst', () => {
  it('loses nothing and sends nothing twice', async () => {
    const user = suite.sandbox.user('me8');
    const first = await suite.winnow('me8');
    const prefix = first.config.redis.prefix;
    // Fifty scripts to one domain within a minute: more than the volume limits allow by default.
    await liftVolumeLimits(first.runtime.redis, prefix);
    const people = Array.from({ length: 50 }, (_, i) => ({ name: `Person Number${i}`, address: `burst${i}@example.org` }));
    const mails = await Promise.all(people.map((person, i) => oldLinkedInInvitation(person, user.address, `<burst-${i}@linkedin.example>`)));

    let last = 0;
    for (let i = 0; i < 20; i++) last = (await suite.sandbox.deliver(user.address, mails[i]!)).uid;
    // Stop in the middle of the burst, while mail keeps arriving.
    const stopping = first.stop();
    for (let i = 20; i < 35; i++) last = (await suite.sandbox.deliver(user.address, mails[i]!)).uid;
    await stopping;
    const second = await suite.winnow('me8', { prefix });
    for (let i = 35; i < 50; i++) last = (await suite.sandbox.deliver(user.address, mails[i]!)).uid;

    await second.settle(last, 30_000);
    await until(() => people.every((person) => suite.scriptsTo(person.address).length > 0), 15_000, 'a script for every person');
    for (const person of people) expect(suite.scriptsTo(person.address), person.address).toHaveLength(1);
    const asked = await second.store.list({ status: 'asked', limit: 100 });
    expect(asked.contacts).toHaveLength(50);
  });
});
