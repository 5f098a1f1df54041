import { createServer, connect, type Server, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContactActions } from '../../src/contacts/actions.ts';
import type { Contact } from '../../src/vocabulary/contact.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { reminderMessageId, scriptMessageId } from '../../src/mail/message-id.ts';
import { closeQueues, createQueues, jobId, wakeWaitingScripts } from '../../src/queues/queues.ts';
import { PRIMARY_MAILBOX } from '../../src/runtime.ts';
import { createTemplateStore } from '../../src/script/store.ts';
import { SAMPLE_PERSON } from '../../src/script/render.ts';
import { sendTestScript, TestSendError } from '../../src/script/test-send.ts';
import { compileScript, loadDefaultTemplates, TemplateError, type CompiledScript, type ScriptKind, type TemplateSource } from '../../src/script/template.ts';
import { createSender } from '../../src/mail/sender.ts';
import { localTime } from '../../src/settings/send-window.ts';
import { createSettingsStore, type Settings } from '../../src/settings/settings.ts';
import { buildMail } from '../support/mail.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import type { ReceivedMail } from '../support/sandbox.ts';
import { freePort } from '../support/sandbox-process.ts';
import { fireDeadline, until, useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * Sending as the user shapes it, on real servers: templates saved with versions, the reminder,
 * "send again", quiet hours and the daily cap. Scripts are checked where a user would see them:
 * at the SMTP peer. Every request here is constructed (test/support/requests.ts).
 */

const suite = useSandbox(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 's12', 's13', 's14', 's15', 's16', 's17']);
const MINUTE = 60_000;
const DOMAIN = 'example.test';

let defaults: Record<ScriptKind, CompiledScript>;
beforeAll(async () => {
  defaults = await loadDefaultTemplates();
});

/** What the dashboard's templates and settings pages do, on this Winnow's keys. */
function pages(winnow: TestWinnow) {
  const templates = createTemplateStore(winnow.runtime.redis, winnow.store.keys.templates, defaults);
  const settings = createSettingsStore(winnow.runtime.redis, winnow.store.keys.settings, winnow.config);
  return {
    templates,
    settings,
    async saveSettings(patch: Partial<Settings>): Promise<void> {
      if (winnow.runtime.app) {
        // Through the API, as a user's script would: the route saves and wakes waiting scripts.
        const response = await winnow.runtime.app.inject({ method: 'PUT', url: '/api/settings', headers: { authorization: `Bearer ${winnow.config.web.apiToken}` }, payload: patch });
        expect(response.statusCode, response.body).toBe(200);
        return;
      }
      await settings.save({ ...(await settings.get()), ...patch });
      // The settings page wakes the scripts held back by the send window.
      const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
      try {
        await wakeWaitingScripts(queues);
      } finally {
        await closeQueues(queues);
      }
    },
  };
}

/** A clock the test moves forward, as if hours had passed, for reminders and deadlines. */
function testClock() {
  let shift = 0;
  return {
    now: () => Date.now() + shift,
    advance(ms: number) {
      shift += ms;
    },
  };
}

async function request(winnow: TestWinnow, tag: string): Promise<{ name: string; address: string }> {
  const person = { name: `Pat ${tag}`, address: `${tag}@example.org` };
  await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation(person, winnow.user.address, `<${tag}.invite@linkedin.example>`));
  return person;
}

async function textOf(mail: ReceivedMail): Promise<string> {
  return (await parseMessage(mail.raw)).text;
}

const scriptTo = (address: string) => suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(address) && !mail.messageId?.includes('.reminder.'));


async function deadlineJobState(winnow: TestWinnow, contactId: string): Promise<string> {
  const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
  try {
    const job = await queues.deadline.getJob(jobId.deadline(PRIMARY_MAILBOX, contactId));
    return job ? await job.getState() : 'none';
  } finally {
    await closeQueues(queues);
  }
}

const template = (line: string): TemplateSource => ({
  subject: 'Re: {{originalSubject}}',
  text: `Hello {{firstName}},\n${line}\n{{userName}}`,
  html: `<p>Hello {{firstName}},</p>\n<p>${line}</p>`,
});

describe('templates', () => {
  it('a saved template is used by the next script, and the deadline comes from the settings', async () => {
    const winnow = await suite.winnow('s1');
    const { templates, saveSettings } = pages(winnow);
    await saveSettings({ deadlineMs: 3 * 60 * MINUTE });

    const first = await request(winnow, 'tpl-before');
    expect(await textOf(await scriptTo(first.address))).toMatch(/what type of business/i);

    await templates.save('script', template('What brings you to my network?'), 'shorter');
    const second = await request(winnow, 'tpl-after');
    const text = await textOf(await scriptTo(second.address));
    expect(text).toContain('Hello Pat,');
    expect(text).toContain('What brings you to my network?');
    expect(text).not.toMatch(/what type of business/i);

    const contact = await winnow.waitForContact((c) => c.email === second.address && c.status === 'asked');
    expect(contact.deadlineAt! - contact.askedAt!).toBe(3 * 60 * MINUTE);
    expect(await winnow.store.readLedger(contact.id, 1)).toMatchObject({ state: 'sent', template: '1' });
  });

  it('a broken template is refused with its line and column, and the old one stays in use', async () => {
    const winnow = await suite.winnow('s2');
    const { templates } = pages(winnow);
    await templates.save('script', template('Tell me about your business.'));

    const broken = { ...template('x'), html: '<p>Hello {{firstName}},</p>\n<p>{{#each people}}{{/each}}</p>' };
    const error = await templates.save('script', broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ part: 'html', line: 2, column: 4 });

    const person = await request(winnow, 'tpl-broken');
    expect(await textOf(await scriptTo(person.address))).toContain('Tell me about your business.');
    expect((await templates.versions('script')).map((v) => v.version)).toEqual([1]);
  });

  it('an old version restored is the one the next script uses', async () => {
    const winnow = await suite.winnow('s3');
    const { templates } = pages(winnow);
    await templates.save('script', template('First wording.'));
    await templates.save('script', template('Second wording.'));
    expect((await templates.versions('script')).map((v) => [v.version, v.note])).toEqual([
      [2, ''],
      [1, ''],
    ]);
    const restored = await templates.restore('script', 1);
    expect(restored).toMatchObject({ version: 3, note: 'restored version 1' });

    const person = await request(winnow, 'tpl-restored');
    expect(await textOf(await scriptTo(person.address))).toContain('First wording.');
  });
});

describe('a test to myself', () => {
  it('goes to the user\'s own address, marked as a test and rendered for the sample person; Winnow answers nothing and records no one', async () => {
    const winnow = await suite.winnow('s12');
    const sender = createSender(winnow.config.smtp);
    try {
      const compiled = compileScript(template('What line of business are you in?'));
      const result = await sendTestScript({ sender, config: winnow.config, compiled });
      expect(result).toMatchObject({ to: winnow.user.address, subject: `[Test] Re: ${SAMPLE_PERSON.subject}`, response: expect.stringMatching(/^250/) });
      const test = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(winnow.user.address));
      expect(test.headers.get('subject')).toBe(result.subject);
      expect(test.messageId).toMatch(/^<winnow-test\./);
      expect(await textOf(test)).toContain(`Hello ${SAMPLE_PERSON.firstName},\nWhat line of business are you in?`);

      // It lands in the watched INBOX: read, and left alone.
      await until(async () => (await suite.sandbox.messages(winnow.user.address)).some((message) => message.source.toString().includes(result.subject)), 10_000, 'the test to arrive');
      const inbox = await suite.sandbox.messages(winnow.user.address);
      await winnow.settle(inbox.at(-1)!.uid);
      expect((await winnow.store.list()).contacts).toEqual([]);
      expect(suite.sandbox.smtp.received.filter((mail) => mail.recipients.includes(winnow.user.address))).toHaveLength(1);

      // A refusal comes back as a TestSendError with the server's words.
      suite.sandbox.smtp.failNext(550, '5.7.1 relaying denied');
      const refused = await sendTestScript({ sender, config: winnow.config, compiled }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TestSendError);
      expect(refused).toMatchObject({ permanent: true, reason: expect.stringContaining('relaying denied') });
    } finally {
      sender.close();
    }
  });
});

describe('the reminder', () => {
  async function askedWithReminder(user: string, tag: string, env?: Record<string, string>) {
    const clock = testClock();
    const winnow = await suite.winnow(user, { now: clock.now, env });
    const { templates, saveSettings } = pages(winnow);
    await saveSettings({ deadlineMs: 60 * MINUTE, reminderAfterMs: 20 * MINUTE });
    await templates.save('reminder', { ...template('Just checking in about my earlier note.'), subject: 'Reminder: {{#if originalSubject}}{{originalSubject}}{{else}}my earlier note{{/if}}' });
    const person = await request(winnow, tag);
    const script = await scriptTo(person.address);
    const contact = await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');
    return { winnow, clock, person, script, contact };
  }

  const remindersTo = (address: string) => suite.scriptsTo(address).filter((mail) => mail.messageId?.includes('.reminder.'));

  it('goes once, in the thread of the script, and then the deadline weeds the person out', async () => {
    const { winnow, clock, person, script, contact } = await askedWithReminder('s4', 'remind-silent');

    // Too early: nothing goes, the job waits again.
    clock.advance(10 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect(remindersTo(person.address)).toHaveLength(0);

    clock.advance(11 * MINUTE);
    await fireDeadline(winnow, contact.id);
    const reminder = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== script.messageId);
    expect(reminder.messageId).toBe(`<${reminderMessageId(contact.id, 1, DOMAIN, winnow.runtime.secret)}>`);
    expect(reminder.headers.get('in-reply-to')).toBe(script.messageId);
    expect(reminder.headers.get('references')).toContain(script.messageId!);
    expect(reminder.headers.get('auto-submitted')).toBe('auto-replied');
    // The invitation is authenticated (LinkedIn's DKIM signature), so its subject is echoed.
    expect(reminder.headers.get('subject')).toBe('Reminder: Invitation to connect on LinkedIn');
    expect(await textOf(reminder)).toContain('Just checking in about my earlier note.');
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');

    // Before the deadline the job only waits; the reminder is not sent twice.
    clock.advance(10 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');

    clock.advance(30 * MINUTE);
    await fireDeadline(winnow, contact.id);
    const after = await winnow.store.get(contact.id);
    expect(after!.status).toBe('no_response');
    expect(remindersTo(person.address)).toHaveLength(1);
    expect(suite.scriptsTo(person.address)).toHaveLength(2);
    const types = (await winnow.store.timeline(contact.id)).map((event) => event.type);
    expect(types).toEqual(['requested', 'asked', 'reminded', 'no_response']);
  });

  it('waits while sending is paused (the circuit breaker), and goes once the user resumes', async () => {
    const { winnow, clock, person, script, contact } = await askedWithReminder('s14', 'remind-paused');
    // The breaker tripped meanwhile (as workers/send.ts trips it, with the time and the limit).
    await winnow.runtime.redis.hset(winnow.store.keys.sendingPaused, { trippedAt: String(clock.now()), limit: '20' });
    clock.advance(21 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect(remindersTo(person.address)).toHaveLength(0);
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');

    await winnow.store.resumeSending();
    await fireDeadline(winnow, contact.id);
    const reminder = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== script.messageId);
    expect(reminder.headers.get('in-reply-to')).toBe(script.messageId);
    expect(remindersTo(person.address)).toHaveLength(1);
  });

  it('followed by an out-of-office: the deadline waits for the return, and no second reminder goes', async () => {
    const { winnow, clock, person, script, contact } = await askedWithReminder('s13', 'remind-away');
    clock.advance(21 * MINUTE);
    await fireDeadline(winnow, contact.id);
    const reminder = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== script.messageId);

    // Constructed out-of-office in reply to the reminder, with no return date: a week is assumed.
    const { uid } = await suite.sandbox.deliver(
      winnow.user.address,
      await buildMail({
        from: person,
        to: winnow.user.address,
        subject: 'Automatic reply: Reminder: Invitation to connect on LinkedIn',
        inReplyTo: reminder.messageId!,
        references: [script.messageId!, reminder.messageId!],
        headers: { 'Auto-Submitted': 'auto-replied' },
        text: 'I am out of the office with no access to email.',
      }),
    );
    await winnow.settle(uid);
    const paused = await winnow.waitForContact((c) => c.id === contact.id && c.pausedUntil !== null);
    expect(paused.status).toBe('asked');
    // The time that was left when the out-of-office came (about 39 minutes) starts again on the return.
    const pausedAt = paused.pausedUntil! - 7 * 24 * 60 * MINUTE;
    expect(paused.deadlineAt! - paused.pausedUntil!).toBe(contact.deadlineAt! - pausedAt);

    clock.advance(7 * 24 * 60 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');
    clock.advance(40 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect((await winnow.store.get(contact.id))!.status).toBe('no_response');
    expect(remindersTo(person.address)).toHaveLength(1);
    expect((await winnow.store.timeline(contact.id)).map((event) => event.type)).toEqual(['requested', 'asked', 'reminded', 'paused', 'no_response']);
  });

  it('that trips the circuit breaker tells the user, as a script does, and waits', async () => {
    const { winnow, clock, person, contact } = await askedWithReminder('s16', 'remind-trips');
    // The script counted one in the hour: the reminder would be the second.
    await pages(winnow).saveSettings({ breakerHourly: 1 });
    clock.advance(21 * MINUTE);
    await fireDeadline(winnow, contact.id);
    const notice = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(winnow.user.address) && /^Winnow paused sending/.test(mail.headers.get('subject') ?? ''));
    expect(notice.headers.get('auto-submitted')).toBe('auto-generated');
    await until(async () => (await winnow.store.sendingPause())?.notifiedAt != null, 5_000, 'the notice to be recorded');
    expect(remindersTo(person.address)).toHaveLength(0);
    expect(await deadlineJobState(winnow, contact.id)).toBe('delayed');
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');
  });

  it('refused for good is noted, the person stays asked, and it does not count against the daily cap', async () => {
    const { winnow, clock, person, contact } = await askedWithReminder('s17', 'remind-refused');
    // The script is one of today's two.
    await pages(winnow).saveSettings({ dailyCap: 2 });
    clock.advance(21 * MINUTE);
    suite.sandbox.smtp.failNext(550, 'No such user here');
    await fireDeadline(winnow, contact.id);
    expect((await winnow.store.readLedger(contact.id, 1, 'reminder')).state).toBe('failed');
    expect((await winnow.store.timeline(contact.id)).at(-1)).toMatchObject({ type: 'reminded', detail: expect.stringMatching(/^the reminder could not be delivered: .*550/) });
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');
    // The refused reminder gave its place back: the next request's script still goes today.
    const next = await request(winnow, 'remind-refused-next');
    await scriptTo(next.address);
    expect(remindersTo(person.address)).toHaveLength(0);
  });

  it('waits while the SMTP server cannot be reached, through its last retry, and goes once it is back; the person stays asked', async () => {
    // Winnow reaches the SMTP peer through a switch the test can turn off: off, nothing listens on
    // its port (a server that is down); on, connections reach the sandbox's peer again.
    const smtp = await smtpSwitch(suite.sandbox.smtp.host, suite.sandbox.smtp.port);
    try {
      const { winnow, clock, person, script, contact } = await askedWithReminder('s15', 'remind-unreachable', { SMTP_PORT: String(smtp.port) });
      await smtp.off();
      clock.advance(21 * MINUTE);
      // Every retry the queue allows fails to connect (each run is fired at once, not after its backoff).
      const attempts = 12;
      for (let run = 0; run < attempts; run++) await fireDeadline(winnow, contact.id);
      const ledger = await winnow.store.readLedger(contact.id, 1, 'reminder');
      expect(ledger.state).toBe('waiting');
      expect(ledger.reason).toMatch(/ECONNREFUSED/);
      expect(remindersTo(person.address)).toHaveLength(0);
      expect((await winnow.store.timeline(contact.id)).map((event) => event.detail).join('\n')).not.toMatch(/could not be delivered/);
      // Past its last retry it waits for the server like a script does, and the person is still asked.
      expect(await deadlineJobState(winnow, contact.id)).toBe('delayed');
      expect((await winnow.store.get(contact.id))!.status).toBe('asked');

      await smtp.on();
      await fireDeadline(winnow, contact.id);
      const reminder = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== script.messageId);
      expect(reminder.messageId).toBe(`<${reminderMessageId(contact.id, 1, DOMAIN, winnow.runtime.secret)}>`);
      expect((await winnow.store.readLedger(contact.id, 1, 'reminder')).state).toBe('sent');
      expect(remindersTo(person.address)).toHaveLength(1);
      expect((await winnow.store.timeline(contact.id)).filter((event) => event.type === 'reminded').map((event) => event.detail)).toEqual([`reminder sent to ${person.address}`]);
    } finally {
      await smtp.off();
    }
  });

  it('answered counts as the answer to the script', async () => {
    const { winnow, clock, person, script, contact } = await askedWithReminder('s5', 'remind-answer');
    clock.advance(21 * MINUTE);
    await fireDeadline(winnow, contact.id);
    const reminder = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== script.messageId);

    const answer = await buildMail({
      from: person,
      to: winnow.user.address,
      subject: 'Re: Reminder: Invitation to connect on LinkedIn',
      inReplyTo: reminder.messageId!,
      references: [script.messageId!, reminder.messageId!],
      text: 'Sorry for the delay! I sell timber frames and think we could refer clients to each other.',
    });
    await suite.sandbox.deliver(winnow.user.address, answer);
    const answered = await winnow.waitForContact((c: Contact) => c.id === contact.id && c.status === 'answered');
    expect(answered.answerText).toContain('timber frames');
    expect(await deadlineJobState(winnow, contact.id)).toBe('none');
  });
});

describe('send again', () => {
  it('sends a second script with its own Message-ID and starts a new deadline', async () => {
    const clock = testClock();
    const winnow = await suite.winnow('s6', { now: clock.now });
    const person = await request(winnow, 'again');
    const first = await scriptTo(person.address);
    const asked = await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');
    expect(first.messageId).toBe(`<${scriptMessageId(asked.id, 1, DOMAIN, winnow.runtime.secret)}>`);
    expect(asked.attempts).toBe(1);

    // What the person page's "send again" does: queue the person for their next script.
    clock.advance(30 * MINUTE);
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      expect(await winnow.store.transition(asked.id, 'queued', {}, { at: clock.now(), type: 'sent_again', detail: 'send again' })).toMatchObject({ moved: true });
      await queues.send.add('send', { mailbox: PRIMARY_MAILBOX, contactId: asked.id }, { jobId: jobId.send(PRIMARY_MAILBOX, asked.id, asked.attempts + 1) });
    } finally {
      await closeQueues(queues);
    }

    const second = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== first.messageId);
    expect(second.messageId).toBe(`<${scriptMessageId(asked.id, 2, DOMAIN, winnow.runtime.secret)}>`);
    expect(second.messageId).toMatch(/^<winnow\.[\w-]+\.2\.[0-9a-f]{32}@example\.test>$/);
    const again = await winnow.waitForContact((c) => c.id === asked.id && c.status === 'asked' && c.attempts === 2);
    expect(again.scriptMessageId).toBe(scriptMessageId(asked.id, 2, DOMAIN, winnow.runtime.secret));
    expect(again.deadlineAt! - asked.deadlineAt!).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(await winnow.store.readLedger(asked.id, 2)).toMatchObject({ state: 'sent', messageId: scriptMessageId(asked.id, 2, DOMAIN, winnow.runtime.secret) });
    expect(suite.scriptsTo(person.address)).toHaveLength(2);

    // The first deadline no longer holds: fired at its old time, the job waits for the new one.
    clock.advance(60 * MINUTE - 30 * MINUTE + 1000);
    await fireDeadline(winnow, asked.id);
    expect((await winnow.store.get(asked.id))!.status).toBe('asked');
    clock.advance(30 * MINUTE);
    await fireDeadline(winnow, asked.id);
    expect((await winnow.store.get(asked.id))!.status).toBe('no_response');
  });
});

/** Quiet hours from an hour ago to an hour from now, in `timeZone`. */
function quietNow(timeZone: string) {
  const { hour, minute } = localTime(Date.now(), timeZone);
  const at = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return { start: at(hour - 1), end: at(hour + 1) };
}

describe('the send window', () => {
  it('holds a script during quiet hours, says so once, and lets it go when the settings change', async () => {
    const winnow = await suite.winnow('s7', { roles: { worker: true, web: true } });
    const { saveSettings } = pages(winnow);
    await saveSettings({ timeZone: 'Asia/Kathmandu', quietHours: quietNow('Asia/Kathmandu') });

    const person = await request(winnow, 'quiet');
    const contact = await winnow.waitForContact((c) => c.email === person.address);
    await until(
      async () => (await winnow.store.timeline(contact.id)).some((event) => event.detail.startsWith('waiting for the send window')),
      10_000,
      'the script to wait for the send window',
    );
    // Woken while still quiet (another settings change), it waits again without a second note.
    await saveSettings({ dailyCap: 500 });
    await until(async () => (await winnow.runtime.queueCounts()).send === 1 && (await sendJobState(winnow, contact.id)) === 'delayed', 10_000, 'the script to wait again');
    expect(suite.scriptsTo(person.address)).toHaveLength(0);
    expect((await winnow.store.get(contact.id))!.status).toBe('queued');
    const notes = (await winnow.store.timeline(contact.id)).filter((event) => event.detail.startsWith('waiting for the send window'));
    expect(notes).toHaveLength(1);

    await saveSettings({ quietHours: null });
    await scriptTo(person.address);
    await winnow.waitForContact((c) => c.id === contact.id && c.status === 'asked');
    expect(suite.scriptsTo(person.address)).toHaveLength(1);
  });

  it('with a daily cap of 1, sends one of three requests today across two workers; the rest wait', async () => {
    // A zone where it is day now, so the test cannot straddle a local midnight.
    const timeZone = ['UTC', 'Asia/Tokyo', 'America/New_York'].find((zone) => {
      const { hour } = localTime(Date.now(), zone);
      return hour >= 1 && hour <= 22;
    })!;
    const winnow = await suite.winnow('s8');
    const other = await suite.winnow('s8', { prefix: winnow.config.redis.prefix, waitForWatcher: false });
    expect(other.runtime.workers).not.toBeNull();
    const { saveSettings } = pages(winnow);
    await saveSettings({ dailyCap: 1, timeZone });

    const people = [await request(winnow, 'cap-a'), await request(winnow, 'cap-b'), await request(winnow, 'cap-c')];
    await until(async () => (await winnow.store.list({ status: 'queued' })).contacts.length + (await winnow.store.list({ status: 'asked' })).contacts.length === 3, 10_000, 'three people');
    await until(
      async () => {
        const waiting = (await winnow.store.list({ status: 'queued' })).contacts;
        const noted = await Promise.all(waiting.map(async (c) => (await winnow.store.timeline(c.id)).some((e) => e.detail.startsWith('daily cap reached'))));
        return waiting.length === 2 && noted.every(Boolean);
      },
      10_000,
      'two scripts to wait for the next day',
    );
    const sent = people.filter((p) => suite.scriptsTo(p.address).length > 0);
    expect(sent).toHaveLength(1);
    expect(suite.scriptsTo(sent[0]!.address)).toHaveLength(1);
    expect((await winnow.store.list({ status: 'asked' })).contacts).toHaveLength(1);
  });
});

describe('the deadline', () => {
  it('waits while an out-of-office pause lasts, then weeds the person out', async () => {
    const clock = testClock();
    const winnow = await suite.winnow('s9', { now: clock.now });
    const person = await request(winnow, 'paused');
    await scriptTo(person.address);
    const contact = await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');
    // What an out-of-office answer records: away for two hours, past the one-hour deadline.
    await winnow.store.update(contact.id, { pausedUntil: clock.now() + 120 * MINUTE }, { at: clock.now(), type: 'paused', detail: 'away until later' });

    clock.advance(61 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect((await winnow.store.get(contact.id))!.status).toBe('asked');
    expect(await deadlineJobState(winnow, contact.id)).toBe('delayed');

    clock.advance(60 * MINUTE);
    await fireDeadline(winnow, contact.id);
    expect((await winnow.store.get(contact.id))!.status).toBe('no_response');
  });
});

describe('an answer to the first script while "send again" waits for the send window', () => {
  it('counts as the answer, and the waiting script never goes out', async () => {
    const winnow = await suite.winnow('s11', { roles: { worker: true, web: true } });
    const { settings, saveSettings } = pages(winnow);
    const person = await request(winnow, 'answer-while-waiting');
    const first = await scriptTo(person.address);
    const asked = await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');

    // Quiet hours now: the script sent again waits for the morning.
    await saveSettings({ timeZone: 'Asia/Kathmandu', quietHours: quietNow('Asia/Kathmandu') });
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    try {
      const actions = createContactActions({ store: winnow.store, queues, redis: winnow.runtime.redis, settings, now: Date.now, messageIdDomain: DOMAIN });
      expect(await actions.sendAgain(asked.id)).toMatchObject({ ok: true, status: 'queued' });
    } finally {
      await closeQueues(queues);
    }
    await until(async () => (await winnow.store.timeline(asked.id)).some((event) => event.detail.startsWith('waiting for the send window')), 10_000, 'the second script to wait');

    await suite.sandbox.deliver(
      winnow.user.address,
      await buildMail({
        from: person,
        to: winnow.user.address,
        subject: 'Re: Invitation to connect on LinkedIn',
        inReplyTo: first.messageId!,
        references: [first.messageId!],
        text: 'Happy to explain: I run a bakery supply business and we could share suppliers.',
      }),
    );
    const answered = await winnow.waitForContact((c) => c.id === asked.id && c.status === 'answered');
    expect(answered.answerText).toContain('bakery supply');

    // The window opens: the script that waited finds the person answered and stays unsent.
    await saveSettings({ quietHours: null });
    await until(async () => (await winnow.runtime.queueCounts()).send === 0, 10_000, 'the waiting script to run');
    expect(suite.scriptsTo(person.address)).toHaveLength(1);
    expect((await winnow.store.get(asked.id))!.status).toBe('answered');
  });
});

describe('send again while the person is away', () => {
  it('gives the new script its whole deadline from the return date, not from the day it went out', async () => {
    const clock = testClock();
    const winnow = await suite.winnow('s10', { now: clock.now });
    const person = await request(winnow, 'away-again');
    const first = await scriptTo(person.address);
    const asked = await winnow.waitForContact((c) => c.email === person.address && c.status === 'asked');
    // What an out-of-office answer records: away for two hours, past the one-hour deadline.
    const back = clock.now() + 120 * MINUTE;
    await winnow.store.update(asked.id, { pausedUntil: back, deadlineAt: back + 60 * MINUTE }, { at: clock.now(), type: 'paused', detail: 'away until later' });

    // The user sends the script again (the person page's button) while the person is away.
    const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
    const { settings } = pages(winnow);
    try {
      const actions = createContactActions({ store: winnow.store, queues, redis: winnow.runtime.redis, settings, now: clock.now, messageIdDomain: DOMAIN });
      expect(await actions.sendAgain(asked.id)).toMatchObject({ ok: true, status: 'queued' });
    } finally {
      await closeQueues(queues);
    }
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address) && mail.messageId !== first.messageId);
    const again = await winnow.waitForContact((c) => c.id === asked.id && c.status === 'asked' && c.attempts === 2);
    expect(again.deadlineAt).toBe(back + 60 * MINUTE);
    expect((await winnow.store.timeline(asked.id)).at(-1)?.detail).toMatch(/so the deadline counts from then$/);

    // Back from the absence, the person still has the hour the script gives.
    clock.advance(121 * MINUTE);
    await fireDeadline(winnow, asked.id);
    expect((await winnow.store.get(asked.id))!.status).toBe('asked');
    clock.advance(60 * MINUTE);
    await fireDeadline(winnow, asked.id);
    expect((await winnow.store.get(asked.id))!.status).toBe('no_response');
  });
});

async function sendJobState(winnow: TestWinnow, contactId: string): Promise<string> {
  const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
  try {
    const job = await queues.send.getJob(jobId.send(PRIMARY_MAILBOX, contactId, 1));
    return job ? await job.getState() : 'none';
  } finally {
    await closeQueues(queues);
  }
}

/** A TCP port that forwards to the SMTP peer while on; while off, nothing listens there. */
async function smtpSwitch(host: string, targetPort: number) {
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const on = async () => {
    if (server) return;
    server = createServer((client) => {
      const upstream = connect(targetPort, host);
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(port, host, resolve));
  };
  const off = async () => {
    const closing = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await on();
  return { port, on, off };
}
