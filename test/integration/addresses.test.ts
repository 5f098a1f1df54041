import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createAddressBook } from '../../src/contacts/address-book.ts';
import { createLogger } from '../../src/log.ts';
import { createMailboxHistory } from '../../src/mailbox/history.ts';
import { scriptMessageId } from '../../src/mail/message-id.ts';
import { buildMail, rawMail } from '../support/mail.ts';
import { linkedInInvitation, ordinaryMail, personalRequest } from '../support/requests.ts';
import { useSandbox } from '../support/winnow.ts';

/**
 * Who receives the script when the request carries no address, on real servers: the imported
 * address book, then the mailbox history (INBOX and Sent); and people the user has written to
 * are known, so they get no script. Every mail here is constructed.
 */

const suite = useSandbox(['ab1', 'ab2', 'ab3', 'ab4', 'ab5', 'ab7', 'ab8', 'ab9', 'ab10', 'ab11', 'hist1', 'hist2', 'hist3']);
const API = { authorization: 'Bearer api-token-for-tests-only' };

const vcard = (name: string, address: string) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nEMAIL;TYPE=INTERNET:${address}\r\nEND:VCARD\r\n`;

describe('a request that carries no address', () => {
  it('is answered at the address the imported address book gives for the name (import through the API)', async () => {
    const winnow = await suite.winnow('ab1', { roles: { worker: true, web: true } });
    const app = winnow.runtime.app!;
    const imported = await app.inject({
      method: 'POST',
      url: '/api/address-book',
      headers: { ...API, 'content-type': 'text/vcard; charset=utf-8' },
      payload: vcard('Doe, Jane', 'jane.doe@example.org') + vcard('Robin Twice', 'robin@one.example') + vcard('Robin Twice', 'robin@two.example') + 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Mail\r\nEND:VCARD\r\n',
    });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ format: 'vcard', imported: { people: 2, addresses: 3 }, skippedCount: 1, skipped: [{ reason: 'no e-mail address for "No Mail"' }] });
    expect((await app.inject({ method: 'GET', url: '/api/address-book', headers: API })).json()).toEqual({ people: 2, addresses: 3 });

    await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Jane Doe', winnow.user.address, '6132985418842456001'));
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('jane.doe@example.org'));
    expect(script.raw.toString()).toContain('Jane');
    const contact = await winnow.waitForContact((c) => c.email === 'jane.doe@example.org' && c.status === 'asked');
    expect(contact.platform).toBe('linkedin');
    const [requested] = await winnow.store.timeline(contact.id);
    expect(requested!.detail).toContain('address jane.doe@example.org from your address book');

    // Two addresses for one name are no match: that person waits for an address, and says why.
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Robin Twice', winnow.user.address, '6132985418842456002'));
    const robin = await winnow.waitForContact((c) => c.name === 'Robin Twice');
    await winnow.settle(uid);
    expect(robin.status).toBe('awaiting_address');
    expect(robin.reason).toContain('2 different addresses');
    expect(suite.scriptsTo('robin@one.example')).toHaveLength(0);
    expect(suite.scriptsTo('robin@two.example')).toHaveLength(0);
  });

  it('is answered at the address of earlier mail from that person already in INBOX', async () => {
    const user = suite.sandbox.user('ab2');
    // In the box before Winnow's first start: not answered itself, but part of the history.
    await suite.sandbox.deliver(user.address, await ordinaryMail({ name: 'Kim Lee', address: 'kim.lee@example.org' }, user.address, 'Slides'));
    const winnow = await suite.winnow('ab2');
    await suite.sandbox.deliver(user.address, await linkedInInvitation('Kim Lee', user.address, '6132985418842456003'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('kim.lee@example.org'));
    const contact = await winnow.waitForContact((c) => c.email === 'kim.lee@example.org' && c.status === 'asked');
    const [requested] = await winnow.store.timeline(contact.id);
    expect(requested!.detail).toContain('from earlier mail with this person (mailbox history)');
  });

  it('found in Sent (the user wrote to that name before) is a known person: skipped, no script', async () => {
    const winnow = await suite.winnow('ab3');
    const user = winnow.user;
    // Filed after Winnow started: the history catches up before each request is decided.
    await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, { name: 'Sam Sent', address: 'sam.sent@example.org' }, 'Our call'), 'Sent');
    const { uid } = await suite.sandbox.deliver(user.address, await linkedInInvitation('Sam Sent', user.address, '6132985418842456004'));
    const contact = await winnow.waitForContact((c) => c.name === 'Sam Sent');
    await winnow.settle(uid);
    expect(contact).toMatchObject({ status: 'skipped', email: 'sam.sent@example.org' });
    expect(contact.reason).toMatch(/^known: you have written to sam\.sent@example\.org before \(found in your Sent folder, last on \d{4}-\d{2}-\d{2}\)$/);
    expect(suite.scriptsTo('sam.sent@example.org')).toHaveLength(0);
  });

  it('with nothing anywhere waits for an address, naming every source it tried', async () => {
    const winnow = await suite.winnow('ab4');
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Nobody Known', winnow.user.address, '6132985418842456005'));
    const contact = await winnow.waitForContact((c) => c.name === 'Nobody Known');
    await winnow.settle(uid);
    expect(contact.status).toBe('awaiting_address');
    expect(contact.reason).toBe('no address: the request carries none; your address book has none; mailbox history has none');

    // The address book learns the address later; the same invitation, sent again, is then answered.
    const book = createAddressBook(winnow.runtime.redis, winnow.config.redis.prefix, 'primary');
    await book.import([{ name: 'Nobody Known', addresses: ['nobody@example.org'], line: 1 }]);
    await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Nobody Known', winnow.user.address, '6132985418842456005', '<reminder-6132985418842456005@linkedin.example>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('nobody@example.org'));
    const asked = await winnow.waitForContact((c) => c.id === contact.id && c.status === 'asked');
    expect(asked.email).toBe('nobody@example.org');
    expect((await winnow.store.timeline(contact.id)).map((event) => event.type)).toEqual(['requested', 'requested_again', 'address_set', 'asked']);
  });
});

describe('people waiting for an address, after an address-book import', () => {
  it('through the API: the person whose name the book now gives gets the script, and the answer says so', async () => {
    const winnow = await suite.winnow('ab9', { roles: { worker: true, web: true } });
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Quinn Later', winnow.user.address, '6132985418842456009'));
    const waiting = await winnow.waitForContact((c) => c.name === 'Quinn Later');
    await winnow.settle(uid);
    expect(waiting.status).toBe('awaiting_address');

    const imported = await winnow.runtime.app!.inject({
      method: 'POST',
      url: '/api/address-book',
      headers: { ...API, 'content-type': 'text/vcard' },
      payload: vcard('Quinn Later', 'quinn@example.org') + vcard('Someone Else', 'else@example.org'),
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().awaiting).toEqual({ waiting: 1, queued: 1, awaitingApproval: 0, skipped: 0, stillWaiting: 0 });
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('quinn@example.org'));
    const asked = await winnow.waitForContact((c) => c.id === waiting.id && c.status === 'asked');
    expect(asked.email).toBe('quinn@example.org');
    const timeline = await winnow.store.timeline(waiting.id);
    expect(timeline.map((event) => event.type)).toEqual(['requested', 'address_set', 'asked']);
    expect(timeline[1]!.detail).toBe('address quinn@example.org from your address book (imported after the request); script queued');
    expect(suite.scriptsTo('quinn@example.org')).toHaveLength(1);
  });

  it('through `winnow import-contacts`: the same, and the command says how many found an address', async () => {
    const winnow = await suite.winnow('ab10');
    const { uid } = await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Casey Command', winnow.user.address, '6132985418842456010'));
    const waiting = await winnow.waitForContact((c) => c.name === 'Casey Command');
    await winnow.settle(uid);
    expect(waiting.status).toBe('awaiting_address');

    const folder = await mkdtemp(path.join(tmpdir(), 'winnow-awaiting-'));
    try {
      await writeFile(path.join(folder, 'contacts.csv'), 'Name,E-mail Address\r\nCasey Command,casey@example.org\r\n');
      const run = await runCli(['import-contacts', 'contacts.csv'], folder, {
        IMAP_HOST: '127.0.0.1',
        IMAP_USER: winnow.user.address,
        IMAP_PASS: 'unused',
        SMTP_HOST: '127.0.0.1',
        MAIL_FROM: `Morgan Example <${winnow.user.address}>`,
        DASHBOARD_PASSWORD: 'dashboard-secret',
        REDIS_URL: suite.sandbox.redisUrl,
        REDIS_PREFIX: winnow.config.redis.prefix,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Of 1 person waiting for an address, the address book gave 1 one: 1 queued for their script.');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('casey@example.org'));
    const asked = await winnow.waitForContact((c) => c.id === waiting.id && c.status === 'asked');
    expect(asked.email).toBe('casey@example.org');
    expect((await winnow.store.timeline(waiting.id)).map((event) => event.type)).toEqual(['requested', 'address_set', 'asked']);
  });
});

/** Runs `node bin/winnow.js ...` as a user would, in a folder of its own with only the given environment. */
function runCli(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/winnow.js'), ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('a personal request', () => {
  it('from someone the user has written to is skipped as known, with no script', async () => {
    const user = suite.sandbox.user('ab5');
    const pat = { name: 'Pat Personal', address: 'pat@example.org' };
    await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, pat, 'Dinner on Friday'), 'Sent');
    const winnow = await suite.winnow('ab5');
    const { uid } = await suite.sandbox.deliver(user.address, await personalRequest(pat, user.address, '<pat-1@example.org>'));
    const contact = await winnow.waitForContact((c) => c.email === pat.address);
    await winnow.settle(uid);
    expect(contact.status).toBe('skipped');
    expect(contact.reason).toMatch(/^known: you have written to pat@example\.org before/);
    expect(suite.scriptsTo(pat.address)).toHaveLength(0);
  });
});

describe('a request that carries its address', () => {
  it('is checked against Sent as it is now: a mail the user sent a moment ago makes the person known', async () => {
    const winnow = await suite.winnow('ab11');
    const user = winnow.user;
    // A first request brings the history up to date; the user then writes to Rae, and Rae asks.
    const first = { name: 'Fay First', address: 'fay@example.org' };
    await suite.sandbox.deliver(user.address, await personalRequest(first, user.address, '<fay-1@example.org>'));
    await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(first.address));
    const rae = { name: 'Rae Recent', address: 'rae@example.org' };
    await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, rae, 'Lunch tomorrow?'), 'Sent');
    const { uid } = await suite.sandbox.deliver(user.address, await personalRequest(rae, user.address, '<rae-1@example.org>'));
    const contact = await winnow.waitForContact((c) => c.email === rae.address);
    await winnow.settle(uid);
    expect(contact.status).toBe('skipped');
    expect(contact.reason).toMatch(/^known: you have written to rae@example\.org before/);
    expect(suite.scriptsTo(rae.address)).toHaveLength(0);
  });
});

describe('what detection finds', () => {
  it('is kept on the person: the request\'s details and flags, then the answer\'s text, full text, score, flags and language', async () => {
    const winnow = await suite.winnow('ab8', { roles: { worker: true, web: true } });
    const book = createAddressBook(winnow.runtime.redis, winnow.config.redis.prefix, 'primary');
    await book.import([{ name: 'Lena Links', addresses: ['lena@example.org'], line: 1 }]);
    // Not signed by LinkedIn: flagged unverified, and the address found by name waits for approval.
    await suite.sandbox.deliver(winnow.user.address, await linkedInInvitation('Lena Links', winnow.user.address, '6132985418842456008', undefined, { forged: true }));
    const waiting = await winnow.waitForContact((c) => c.email === 'lena@example.org' && c.status === 'awaiting_approval');
    expect(waiting).toMatchObject({ headline: 'Managing Director at Example Ventures', invitationId: '6132985418842456008', flags: ['unverified'] });
    expect((await winnow.runtime.app!.inject({ method: 'POST', url: `/api/contacts/${waiting.id}/approve`, headers: API })).statusCode).toBe(200);
    const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('lena@example.org'));
    const asked = await winnow.waitForContact((c) => c.id === waiting.id && c.status === 'asked');

    await suite.sandbox.deliver(
      winnow.user.address,
      await buildMail({
        from: { name: 'Lena Links', address: 'lena@example.org' },
        to: winnow.user.address,
        subject: 'Re: Thank you',
        inReplyTo: script.messageId!,
        references: [script.messageId!],
        text: [
          'Hi Morgan, we build websites for coaches: see https://one.example/offer https://two.example/pricing https://three.example/book-a-call',
          '',
          'On Tue, Nov 24, 2026 at 10:00 AM Morgan Example wrote:',
          '> Thank you for wanting to connect.',
        ].join('\n'),
      }),
    );
    const answered = await winnow.waitForContact((c) => c.id === asked.id && c.answeredAt !== null);
    expect(answered.answerText).toContain('we build websites for coaches');
    expect(answered.answerText).not.toContain('Thank you for wanting to connect');
    expect(answered.answerFullText).toContain('> Thank you for wanting to connect.');
    expect(answered.score).toEqual({ why: expect.any(Boolean), business: expect.any(Boolean), benefit: expect.any(Boolean) });
    expect(answered.flags).toEqual(expect.arrayContaining(['unverified', 'link_heavy']));
    expect(answered.language).toBe('en');
  });
});

describe('import through the API', () => {
  it('needs the API token, a CSV or vCard body, and says what is wrong', async () => {
    const winnow = await suite.winnow('ab7', { roles: { worker: false, web: true } });
    const app = winnow.runtime.app!;
    const post = (headers: Record<string, string>, payload: string) => app.inject({ method: 'POST', url: '/api/address-book', headers, payload });

    expect((await post({ 'content-type': 'text/csv' }, 'Name,Email\nA B,a@b.example\n')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/address-book', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    const wrongType = await post({ ...API, 'content-type': 'application/json' }, '{"name":"x"}');
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().message).toMatch(/text\/csv.*text\/vcard/);
    const noHeader = await post({ ...API, 'content-type': 'text/csv' }, 'alpha,beta\n1,2\n');
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json().message).toMatch(/^Nothing was imported: no header row/);
    expect((await post({ ...API, 'content-type': 'text/csv' }, '')).statusCode).toBe(400);

    // LinkedIn's Connections.csv, in Windows-1252 as the charset says.
    const csv = Buffer.from('First Name,Last Name,Email Address,Company,Position\r\nRené,Lefèvre,rene@example.fr,Example,CEO\r\nNo,Address,,Acme,CTO\r\n', 'latin1');
    const ok = await app.inject({ method: 'POST', url: '/api/address-book', headers: { ...API, 'content-type': 'text/csv; charset=windows-1252' }, payload: csv });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ format: 'csv', imported: { people: 1, addresses: 1 }, skipped: [{ line: 3, reason: 'no e-mail address for "No Address"' }], total: { people: 1, addresses: 1 } });
    const book = createAddressBook(winnow.runtime.redis, winnow.config.redis.prefix, 'primary');
    expect(await book.nameOf('rene@example.fr')).toBe('René Lefèvre');
  });
});

describe('the mailbox history', () => {
  const logger = createLogger('silent');

  async function historyFor(userName: string, prefix: string, pass?: string, server?: { port: number; waitMs: number }, batch?: number) {
    const user = suite.sandbox.user(userName);
    const redis = new Redis(suite.sandbox.redisUrl, { maxRetriesPerRequest: null });
    const history = createMailboxHistory({
      imap: { host: suite.sandbox.imap.host, port: server?.port ?? suite.sandbox.imap.port, secure: false, requireTls: false, user: user.user, pass: pass ?? user.pass },
      ...(server ? { waitMs: server.waitMs } : {}),
      ...(batch ? { batch } : {}),
      inbox: 'INBOX',
      redis,
      prefix,
      mailbox: 'primary',
      context: { ownAddresses: [user.address], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' },
      logger,
    });
    return {
      history,
      async close() {
        await history.close();
        await redis.quit();
      },
    };
  }

  it('answers a lookup in Sent during a first reading of a large INBOX without waiting for the rest of it', async () => {
    const user = suite.sandbox.user('hist3');
    for (let n = 0; n < 6; n += 1) await suite.sandbox.deliver(user.address, await ordinaryMail({ name: `Writer ${n}`, address: `writer${n}@example.org` }, user.address, `Note ${n}`));
    await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, { name: 'Sol Sent', address: 'sol@example.org' }, 'Tea?'), 'Sent');
    // Two envelopes a round trip: INBOX takes three batches, as 10,000 messages take five.
    const { history, close } = await historyFor('hist3', `t-hist-${randomUUID().slice(0, 8)}`, undefined, undefined, 2);
    try {
      const everything = history.refresh();
      expect(await history.refresh('sent')).toBeNull();
      expect(await history.wroteTo('sol@example.org')).not.toBeNull();
      // Sent (1) and the first INBOX batch (2) read; the other four still to come.
      expect(history.status().messagesRead).toBe(3);
      expect(await everything).toBeNull();
      expect(history.status().messagesRead).toBe(7);
      expect(await history.addressesFor('Writer 5')).toEqual(['writer5@example.org']);
    } finally {
      await close();
    }
  });

  it('files who wrote (INBOX) and whom the user wrote to (Sent To, Cc, Bcc), leaving out robots and our own scripts, and catches up by UID', async () => {
    const user = suite.sandbox.user('hist1');
    await suite.sandbox.deliver(user.address, await ordinaryMail({ name: 'Ines Inbox', address: 'ines@example.org' }, user.address, 'Hello'));
    await suite.sandbox.deliver(user.address, await ordinaryMail({ name: 'LinkedIn', address: 'messages-noreply@linkedin.com' }, user.address, 'News'));
    // Written by hand: composers drop Bcc from what they send, but mail clients keep it in the Sent copy.
    await suite.sandbox.deliver(
      user.address,
      rawMail(
        [`From: ${user.address}`, 'To: Tom To <tom@example.org>', 'Cc: "Cleo Cc" <cleo@example.org>', 'Bcc: bea@example.org', 'Subject: Plans', 'Date: Tue, 5 Mar 2024 10:00:00 +0000', 'Message-ID: <plans-1@example.test>'],
        'See you.',
      ),
      'Sent',
    );
    await suite.sandbox.deliver(
      user.address,
      await buildMail({ from: user.address, to: { name: 'Scripted Person', address: 'scripted@example.org' }, subject: 'Thank you', messageId: `<${scriptMessageId('abc123', 1, 'example.test', 'a-secret-of-this-test')}>`, text: 'Why would you like to connect?' }),
      'Sent',
    );
    const prefix = `t-hist-${randomUUID().slice(0, 8)}`;
    const { history, close } = await historyFor('hist1', prefix);
    try {
      expect(await history.refresh()).toBeNull();
      expect(history.status()).toMatchObject({ messagesRead: 4, sentFolder: 'Sent', lastError: null });
      expect(await history.addressesFor('Ines Inbox')).toEqual(['ines@example.org']);
      expect(await history.addressesFor('LinkedIn')).toEqual([]);
      expect(await history.addressesFor('Inbox, Ines')).toEqual(['ines@example.org']);
      for (const address of ['tom@example.org', 'cleo@example.org', 'bea@example.org']) expect(await history.wroteTo(address), address).toEqual({ folder: 'Sent', lastAt: Date.UTC(2024, 2, 5, 10) });
      expect(await history.wroteTo('ines@example.org')).toBeNull();
      expect(await history.wroteTo('scripted@example.org')).toBeNull();
      // The script's copy still tells which address goes with the name.
      expect(await history.addressesFor('Scripted Person')).toEqual(['scripted@example.org']);

      // Only what is new is read on the next catch-up.
      await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, { name: 'Nia New', address: 'nia@example.org' }, 'Later'), 'Sent');
      expect(await history.refresh()).toBeNull();
      expect(history.status().messagesRead).toBe(5);
      expect(await history.wroteTo('nia@example.org')).not.toBeNull();
    } finally {
      await close();
    }
  });

  it('when IMAP cannot be read, says why and still answers from the index as it stood', async () => {
    const user = suite.sandbox.user('hist2');
    await suite.sandbox.deliver(user.address, await ordinaryMail(user.address, { name: 'Olga Old', address: 'olga@example.org' }, 'Before'), 'Sent');
    const prefix = `t-hist-${randomUUID().slice(0, 8)}`;
    const good = await historyFor('hist2', prefix);
    expect(await good.history.refresh()).toBeNull();
    await good.close();

    const broken = await historyFor('hist2', prefix, 'wrong-password');
    try {
      const trouble = await broken.history.catchUp();
      expect(trouble).toMatch(/^mailbox history could not be read: .*refused the login/);
      expect(await broken.history.wroteTo('olga@example.org')).not.toBeNull();
      expect(await broken.history.addressesFor('Olga Old')).toEqual(['olga@example.org']);
      // Within the backoff, a lookup does not wait on IMAP again: it gets the same reason at once.
      expect(await broken.history.catchUp()).toBe(trouble);
    } finally {
      await broken.close();
    }

    // A server that takes the connection and never answers: a lookup waits its bound, then goes
    // on with the index as it stood; it never throws and never waits on IMAP's own timeouts.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hung = await historyFor('hist2', prefix, undefined, { port: (silent.address() as AddressInfo).port, waitMs: 300 });
    try {
      expect(await hung.history.catchUp('sent')).toMatch(/^mailbox history is still being read/);
      expect(await hung.history.catchUp()).toMatch(/^mailbox history is still being read/);
      expect(await hung.history.wroteTo('olga@example.org')).not.toBeNull();
    } finally {
      await hung.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
