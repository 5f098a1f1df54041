import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { buildMail, rawMail } from '../support/mail.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { until, useSandbox } from '../support/winnow.ts';

/** Failures a running service meets: dropped IMAP, a restarted Redis, refusing SMTP, bad mail. */

const suite = useSandbox(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10']);

const person = (tag: string) => ({ name: `Pat ${tag}`, address: `${tag}@example.org` });

describe('when IMAP drops', () => {
  it('the watcher reconnects and reads the mail that arrived meanwhile, once each', async () => {
    const winnow = await suite.winnow('f1');
    const me = winnow.user.address;
    const people = Array.from({ length: 8 }, (_, i) => person(`drop${i}`));
    for (const p of people.slice(0, 4)) await suite.sandbox.deliver(me, await oldLinkedInInvitation(p, me, `<${p.address}.invite>`));
    await suite.sandbox.imapRestart();
    let last = 0;
    for (const p of people.slice(4)) last = (await suite.sandbox.deliver(me, await oldLinkedInInvitation(p, me, `<${p.address}.invite>`))).uid;
    await winnow.settle(last, 20_000);
    await until(() => people.every((p) => suite.scriptsTo(p.address).length > 0), 10_000, 'a script for every person');
    for (const p of people) expect(suite.scriptsTo(p.address), p.address).toHaveLength(1);
  });
});

describe('when Redis restarts', () => {
  it('keeps every person (AOF) and goes on answering', async () => {
    const winnow = await suite.winnow('f2');
    const me = winnow.user.address;
    const before = person('before-restart');
    await suite.sandbox.deliver(me, await oldLinkedInInvitation(before, me, '<before-restart.invite>'));
    await winnow.waitForContact((c) => c.email === before.address && c.status === 'asked');

    await suite.sandbox.redis.restart();

    const after = person('after-restart');
    const { uid } = await suite.sandbox.deliver(me, await oldLinkedInInvitation(after, me, '<after-restart.invite>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(after.address), 20_000);
    await winnow.settle(uid, 20_000);
    expect((await winnow.store.list({ status: 'asked' })).contacts.map((c) => c.email).sort()).toEqual([after.address, before.address].sort());
    expect(suite.scriptsTo(before.address)).toHaveLength(1);
    expect(suite.scriptsTo(after.address)).toHaveLength(1);
  });
});

describe('when SMTP refuses', () => {
  it('retries a temporary refusal (4xx) and delivers the script once', async () => {
    const winnow = await suite.winnow('f3');
    const me = winnow.user.address;
    const p = person('temporary');
    suite.sandbox.smtp.failNext(451, 'Try again later');
    await suite.sandbox.deliver(me, await oldLinkedInInvitation(p, me, '<temporary.invite>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(p.address), 15_000);
    await winnow.waitForContact((c) => c.email === p.address && c.status === 'asked');
    expect(suite.sandbox.smtp.rejected.filter((mail) => mail.recipients.includes(p.address))).toHaveLength(1);
    expect(suite.scriptsTo(p.address)).toHaveLength(1);
  });

  it('records a permanent refusal (5xx) as "failed" with the server\'s reason, without retrying', async () => {
    const winnow = await suite.winnow('f4');
    const me = winnow.user.address;
    const p = person('permanent');
    suite.sandbox.smtp.failNext(550, 'No such user here');
    const { uid } = await suite.sandbox.deliver(me, await oldLinkedInInvitation(p, me, '<permanent.invite>'));
    const contact = await winnow.waitForContact((c) => c.email === p.address && c.status === 'failed');
    expect(contact.reason).toMatch(/550/);
    await winnow.settle(uid);
    expect(suite.scriptsTo(p.address)).toHaveLength(0);
    expect((await winnow.store.timeline(contact.id)).at(-1)).toMatchObject({ type: 'failed' });
  });
});

describe('bad mail', () => {
  it('is skipped with its reason and never stops the watcher', async () => {
    const winnow = await suite.winnow('f5');
    const me = winnow.user.address;
    // Constructed hostile and broken messages.
    await suite.sandbox.deliver(me, Buffer.from('\u0000\u0001 not a mail at all \r\n\r\n\u00ff\u00fe', 'latin1'));
    await suite.sandbox.deliver(me, rawMail(['From: =?x-unknown?B?////?= <broken@example.org>', 'Subject: =?utf-8?Q?unterminated', 'Content-Type: multipart/mixed; boundary="never"'], '--never\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nqapla'));
    await suite.sandbox.deliver(me, await buildMail({ from: 'big@example.org', to: me, subject: "let's connect", text: 'x'.repeat(3 * 1024 * 1024) }));
    const p = person('after-bad-mail');
    const { uid } = await suite.sandbox.deliver(me, await oldLinkedInInvitation(p, me, '<after-bad-mail.invite>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(p.address));
    await winnow.settle(uid);
    expect(await winnow.runtime.redis.hget(winnow.store.keys.cursor, 'lastUid')).toBe(String(uid));
    expect(suite.scriptsTo('broken@example.org')).toHaveLength(0);
  });
});

describe('when the folder is renumbered (UIDVALIDITY changes)', () => {
  it('starts again from the newest message and answers nothing twice', async () => {
    const user = suite.sandbox.user('f6');
    const admin = new ImapFlow({ host: suite.sandbox.imap.host, port: suite.sandbox.imap.port, secure: false, auth: { user: user.user, pass: user.pass }, logger: false });
    await admin.connect();
    try {
      await admin.mailboxCreate('Requests');
      const env = { IMAP_MAILBOX: 'Requests' };
      const first = await suite.winnow('f6', { env });
      const early = person('renumber-early');
      const invitation = await oldLinkedInInvitation(early, user.address, '<renumber-early.invite>');
      await suite.sandbox.deliver(user.address, invitation, 'Requests');
      await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(early.address));
      const prefix = first.config.redis.prefix;
      await first.stop();
  
      // Recreating the folder gives it a new UIDVALIDITY; the old mail is in it again.
      await admin.mailboxDelete('Requests');
      await admin.mailboxCreate('Requests');
      await suite.sandbox.deliver(user.address, invitation, 'Requests');

      const second = await suite.winnow('f6', { env, prefix });
      const late = person('renumber-late');
      const { uid } = await suite.sandbox.deliver(user.address, await oldLinkedInInvitation(late, user.address, '<renumber-late.invite>'), 'Requests');
      await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(late.address));
      await second.settle(uid);
      expect(suite.scriptsTo(early.address)).toHaveLength(1);
      expect(suite.scriptsTo(late.address)).toHaveLength(1);
    } finally {
      await admin.logout();
    }
  });
});

describe('backfill', () => {
  it('answers recent mail already in the box when asked to, on the first start only', async () => {
    const user = suite.sandbox.user('f7');
    const waiting = person('backfilled');
    await suite.sandbox.deliver(user.address, await oldLinkedInInvitation(waiting, user.address, '<backfilled.invite>'));
    await suite.winnow('f7', { backfillDays: 3 });
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(waiting.address));
    expect(suite.scriptsTo(waiting.address)).toHaveLength(1);
  });
});

describe('two worker processes on one mailbox', () => {
  it('watch it one at a time: one script per request, and the second takes over when the first stops', async () => {
    const env = { MAILBOX_LEASE: '2s' };
    const first = await suite.winnow('f8', { env });
    const second = await suite.winnow('f8', { env, prefix: first.config.redis.prefix, waitForWatcher: false });
    const me = first.user.address;

    const early = person('lease-early');
    await suite.sandbox.deliver(me, await oldLinkedInInvitation(early, me, '<lease-early.invite>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(early.address));
    // The second process has asked for the mailbox meanwhile and been refused.
    expect(second.runtime.watcher!.status()).toMatchObject({ connected: false, leaseHeld: false });
    expect(first.runtime.watcher!.status()).toMatchObject({ connected: true, leaseHeld: true });

    await first.stop();
    await until(() => second.runtime.watcher!.status().connected, 10_000, 'the second process to take the mailbox over');
    const late = person('lease-late');
    const { uid } = await suite.sandbox.deliver(me, await oldLinkedInInvitation(late, me, '<lease-late.invite>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(late.address));
    await second.settle(uid);
    expect(suite.scriptsTo(early.address)).toHaveLength(1);
    expect(suite.scriptsTo(late.address)).toHaveLength(1);
  });
});

describe('a send job run again after a crash', () => {
  it('sends nothing twice and still gives the person their deadline', async () => {
    const winnow = await suite.winnow('f9', { deadline: '2s' });
    const me = winnow.user.address;
    const p = person('replayed-send');
    await suite.sandbox.deliver(me, await oldLinkedInInvitation(p, me, '<replayed-send.invite>'));
    const contact = await winnow.waitForContact((c) => c.email === p.address && c.status === 'asked');

    // As if the process had died after the script went out and before the deadline was set.
    const queue = (name: string) => new Queue(name, { connection: { url: suite.sandbox.redisUrl }, prefix: `${winnow.config.redis.prefix}:q` });
    const deadlines = queue('deadline');
    const sends = queue('send');
    try {
      await deadlines.remove(`primary-${contact.id}`);
      await sends.add('send', { mailbox: 'primary', contactId: contact.id }, { jobId: 'replayed-after-crash' });
      const silent = await winnow.waitForContact((c) => c.id === contact.id && c.status === 'no_response', 10_000);
      expect(silent.deadlineAt).toBe(contact.deadlineAt);
      expect(suite.scriptsTo(p.address)).toHaveLength(1);
    } finally {
      await deadlines.close();
      await sends.close();
    }
  });
});

describe('a folder that does not exist', () => {
  it('is reported, retried with backoff, and leaves no IMAP connection open behind it', async () => {
    // Established TCP connections to the IMAP port, read from the kernel's table (no tool needed).
    const imapConnections = () => {
      const port = suite.sandbox.imap.port.toString(16).toUpperCase().padStart(4, '0');
      return readFileSync('/proc/net/tcp', 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[2]?.endsWith(`:${port}`) && fields[3] === '01').length;
    };
    const before = imapConnections();
    const winnow = await suite.winnow('f10', { env: { IMAP_MAILBOX: 'No Such Folder' }, waitForWatcher: false });
    const watcher = winnow.runtime.watcher!;
    await until(() => watcher.status().lastError !== null, 10_000, 'the watcher to report the missing folder');
    expect(watcher.status().lastError).toMatch(/could not open the folder "No Such Folder": .*(exist|not found)/i);
    // Several failed attempts later, none of them may have left its connection open.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(imapConnections() - before).toBeLessThanOrEqual(1);
    expect(watcher.status().connected).toBe(false);
  });
});
