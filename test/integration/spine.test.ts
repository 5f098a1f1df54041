import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { startSandbox, type ReceivedMail, type Sandbox } from '../support/sandbox.ts';
import { startWinnow, until, type TestWinnow } from '../support/winnow.ts';
import { corpusDir } from '../support/corpus.ts';

/**
 * The spine, end to end on real servers: a private Redis, a private Dovecot and an SMTP peer
 * that files what it receives into the recipients' Dovecot mailboxes.
 */

let sandbox: Sandbox;
const running: TestWinnow[] = [];
const USERS = ['me1', 'me2', 'me3', 'me4', 'me5', 'me6', 'me7', 'me8', 'me9', 'alice', 'bob', 'carol'];

beforeAll(async () => {
  sandbox = await startSandbox({ users: USERS });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((winnow) => winnow.stop()));
});

afterAll(async () => {
  await sandbox?.stop();
});

async function winnowFor(user: string, options: Omit<Parameters<typeof startWinnow>[1], 'user'> = {}) {
  const winnow = await startWinnow(sandbox, { user, ...options });
  running.push(winnow);
  return winnow;
}

function scriptsTo(address: string): ReceivedMail[] {
  return sandbox.smtp.received.filter((mail) => mail.recipients.includes(address));
}

describe('a connection request in the inbox', () => {
  it('from the person themselves gets exactly one script, threaded and marked as an automatic answer', async () => {
    const winnow = await winnowFor('me1');
    const alice = { name: 'Alice Asker', address: 'alice.one@example.org' };
    const { uid } = await sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(alice, winnow.user.address, '<invite-1@linkedin.example>'));

    const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(alice.address));
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
    expect(contact.deadlineAt).toBeGreaterThan(Date.now());
    await winnow.settle(uid);
    expect(scriptsTo(alice.address)).toHaveLength(1);

    // The copy in the user's Sent folder is the message that went out.
    await until(async () => (await sandbox.messages(winnow.user.address, 'Sent')).length === 1, 5000, 'the copy in Sent');
    const [sent] = await sandbox.messages(winnow.user.address, 'Sent');
    expect(sent!.source.toString()).toContain(script.messageId!);
  });

  it('is answered: the reply makes the person "answered", with the answer text and the deadline cancelled', async () => {
    const winnow = await winnowFor('me2');
    const bob = sandbox.user('bob');
    await sandbox.deliver(winnow.user.address, await oldLinkedInInvitation({ name: 'Bob Builder', address: bob.address }, winnow.user.address, '<invite-2@linkedin.example>'));
    const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(bob.address));

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
    await sandbox.deliver(winnow.user.address, answer);

    const contact = await winnow.waitForContact((c) => c.email === bob.address && c.status === 'answered');
    expect(contact.answerText).toContain('structural engineering firm');
    expect(contact.answerText).not.toContain('Thank you for wanting to connect');
    const timeline = await winnow.store.timeline(contact.id);
    expect(timeline.map((event) => event.type)).toEqual(['requested', 'asked', 'answered']);
    expect(await winnow.runtime.queueCounts()).toMatchObject({ deadline: 0 });
  });

  it('meets silence: after the deadline the person is "no_response"', async () => {
    const winnow = await winnowFor('me3', { deadline: '1500ms' });
    const carol = { name: 'Carol Quiet', address: 'carol.quiet@example.org' };
    await sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(carol, winnow.user.address, '<invite-3@linkedin.example>'));
    await winnow.waitForContact((c) => c.email === carol.address && c.status === 'asked');
    const contact = await winnow.waitForContact((c) => c.email === carol.address && c.status === 'no_response', 10_000);
    const timeline = await winnow.store.timeline(contact.id);
    expect(timeline.at(-1)).toMatchObject({ type: 'no_response', detail: expect.stringContaining('no answer within') });
  });

  it('in the 2016 LinkedIn format carries no address of the person: "awaiting_address", and no mail goes out', async () => {
    const winnow = await winnowFor('me4');
    const raw = await readFile(path.join(corpusDir(), 'positive/linkedin-invite-2016-05-02.eml'));
    const before = sandbox.smtp.received.length;
    const { uid } = await sandbox.deliver(winnow.user.address, raw);
    const contact = await winnow.waitForContact((c) => c.status === 'awaiting_address');
    expect(contact.platform).toBe('linkedin');
    expect(contact.email).toBeNull();
    expect(contact.invitationId).toBeTruthy();
    await winnow.settle(uid);
    expect(sandbox.smtp.received.length).toBe(before);
  });

  it('is never confused with the corpus negatives: none of them gets a mail', async () => {
    const winnow = await winnowFor('me5');
    const folder = path.join(corpusDir(), 'negative');
    const files = (await readdir(folder)).filter((name) => name.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const before = sandbox.smtp.received.length;
    let last = 0;
    for (const file of files) last = (await sandbox.deliver(winnow.user.address, await readFile(path.join(folder, file)))).uid;
    await winnow.settle(last);
    expect(sandbox.smtp.received.length).toBe(before);
    expect((await winnow.store.list()).contacts).toEqual([]);
  });

  it('delivered twice gets one script', async () => {
    const winnow = await winnowFor('me6');
    const dave = { name: 'Dave Twice', address: 'dave.twice@example.org' };
    const invitation = await oldLinkedInInvitation(dave, winnow.user.address, '<invite-6@linkedin.example>');
    await sandbox.deliver(winnow.user.address, invitation);
    const { uid } = await sandbox.deliver(winnow.user.address, invitation);
    await sandbox.smtp.waitFor((mail) => mail.recipients.includes(dave.address));
    await winnow.settle(uid);
    expect(scriptsTo(dave.address)).toHaveLength(1);
    const contact = await winnow.waitForContact((c) => c.email === dave.address);
    expect(contact.status).toBe('asked');
  });

  it('already in the box at the first start gets nothing', async () => {
    const user = sandbox.user('me7');
    const erin = { name: 'Erin Early', address: 'erin.early@example.org' };
    await sandbox.deliver(user.address, await oldLinkedInInvitation(erin, user.address, '<invite-7@linkedin.example>'));
    const winnow = await winnowFor('me7');
    // A later request proves the watcher is reading; the earlier one must stay unanswered.
    const frank = { name: 'Frank Later', address: 'frank.later@example.org' };
    const { uid } = await sandbox.deliver(user.address, await oldLinkedInInvitation(frank, user.address, '<invite-7b@linkedin.example>'));
    await sandbox.smtp.waitFor((mail) => mail.recipients.includes(frank.address));
    await winnow.settle(uid);
    expect(scriptsTo(erin.address)).toHaveLength(0);
  });
});

describe('a watcher restarted in the middle of a burst', () => {
  it('loses nothing and sends nothing twice', async () => {
    const user = sandbox.user('me8');
    const first = await winnowFor('me8');
    const prefix = first.config.redis.prefix;
    const people = Array.from({ length: 50 }, (_, i) => ({ name: `Person Number${i}`, address: `burst${i}@example.org` }));
    const mails = await Promise.all(people.map((person, i) => oldLinkedInInvitation(person, user.address, `<burst-${i}@linkedin.example>`)));

    let last = 0;
    for (let i = 0; i < 20; i++) last = (await sandbox.deliver(user.address, mails[i]!)).uid;
    // Stop in the middle of the burst, while mail keeps arriving.
    const stopping = first.stop();
    running.splice(running.indexOf(first), 1);
    for (let i = 20; i < 35; i++) last = (await sandbox.deliver(user.address, mails[i]!)).uid;
    await stopping;
    const second = await winnowFor('me8', { prefix });
    for (let i = 35; i < 50; i++) last = (await sandbox.deliver(user.address, mails[i]!)).uid;

    await second.settle(last, 30_000);
    await until(() => people.every((person) => scriptsTo(person.address).length > 0), 15_000, 'a script for every person');
    for (const person of people) expect(scriptsTo(person.address), person.address).toHaveLength(1);
    const asked = await second.store.list({ status: 'asked', limit: 100 });
    expect(asked.contacts).toHaveLength(50);
  });
});
