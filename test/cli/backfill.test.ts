import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../../src/cli/backfill.ts';
import { mailboxKeys } from '../../src/store/keys.ts';
import { createLogger } from '../../src/log.ts';
import { PRIMARY_MAILBOX } from '../../src/runtime.ts';
import { testResolver } from '../support/dkim.ts';
import { buildMail, rawMail } from '../support/mail.ts';
import { oldLinkedInInvitation, personalRequest } from '../support/requests.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { liftVolumeLimits, sandboxConfig, until } from '../support/winnow.ts';

/**
 * `winnow backfill --days N` over a mailbox that already holds mail: every request among it is
 * answered once, newsletters and large attachments cost no script and no trouble, the progress is
 * told in plain lines when the output is no terminal, and an interrupted backfill goes on where
 * it stopped without answering anyone twice. Real Dovecot, Redis and SMTP peer.
 */

const logger = createLogger('silent');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ users: ['plain', 'halted'] });
});

afterAll(async () => {
  await sandbox.stop();
});

/** Message `n` of a full inbox: every 25th a request (LinkedIn or personal, by turns), every 100th a newsletter with a 1.5 MB attachment. */
async function message(n: number, to: string): Promise<{ raw: Buffer; requester: string | null }> {
  if (n % 25 === 3) {
    const person = { name: `Backfill Person${n}`, address: `backfill${n}.${to.split('@')[0]}@example.org` };
    const raw = n % 50 === 3 ? await oldLinkedInInvitation(person, to, `<bf-${n}@linkedin.example>`) : await personalRequest(person, to, `<bf-${n}@example.org>`);
    return { raw, requester: person.address };
  }
  if (n % 100 === 10) {
    const raw = await buildMail({ from: 'news@shop.example', to, subject: `Catalogue ${n}`, text: 'The new catalogue.', headers: { 'List-Id': '<news.shop.example>' }, attachments: [{ filename: 'catalogue.pdf', content: Buffer.alloc(1_500_000, 'catalogue ') }] });
    return { raw, requester: null };
  }
  const headers = n % 2 === 0 ? ['From: Shop <news@shop.example>', 'List-Unsubscribe: <https://shop.example/u>'] : [`From: Friend <friend${n % 7}@example.net>`];
  return { raw: rawMail([...headers, `To: ${to}`, `Subject: Mail ${n}`, `Message-ID: <mail-${n}@example.net>`, `Date: ${new Date().toUTCString()}`], `Mail number ${n}.\n`), requester: null };
}

/** Files `count` messages into a user's inbox over one connection; returns the requesters' addresses. */
async function fillInbox(address: string, count: number): Promise<string[]> {
  const user = sandbox.user(address);
  const client = new ImapFlow({ host: sandbox.imap.host, port: sandbox.imap.port, secure: false, auth: { user: user.user, pass: user.pass }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  const requesters: string[] = [];
  try {
    for (let n = 0; n < count; n += 1) {
      const { raw, requester } = await message(n, user.address);
      if (requester) requesters.push(requester);
      await client.append('INBOX', raw);
    }
  } finally {
    await client.logout();
  }
  return requesters;
}

async function configFor(user: string) {
  const config = sandboxConfig(sandbox, { user, prefix: `t-${randomUUID().slice(0, 8)}`, backfillDays: 7 });
  const redis = new Redis(sandbox.redisUrl);
  await liftVolumeLimits(redis, config.redis.prefix);
  return { config, redis, keys: mailboxKeys(config.redis.prefix, PRIMARY_MAILBOX) };
}

function scriptsTo(address: string): number {
  return sandbox.smtp.received.filter((mail) => mail.recipients.includes(address)).length;
}

describe('winnow backfill', () => {
  it('answers every request in the box once and tells its progress in plain lines when not on a terminal', async () => {
    const count = 600;
    const requesters = await fillInbox('plain', count);
    const { config, redis, keys } = await configFor('plain');
    try {
      let text = '';
      const code = await backfill(config, { write: (chunk) => (text += chunk), tty: false }, { logger, services: { resolver: testResolver() }, pollMs: 20, lineEveryMs: 0 });
      expect(code).toBe(0);
      for (const requester of requesters) expect(scriptsTo(requester), requester).toBe(1);
      expect(Number(await redis.hget(keys.cursor, 'lastUid'))).toBe(count);

      // Plain lines: no carriage returns or terminal codes, each a full sentence of figures.
      expect(text).not.toContain('\r');
      expect(text).not.toContain('\u001b');
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toBe(`Reading the last 7 days of mail in INBOX and answering the requests among it.`);
      const figures = lines.filter((line) => / messages \(\d+ %\) · [\d,]+ msg\/s · /.test(line));
      expect(figures.length).toBeGreaterThan(1);
      expect(figures.at(-1)).toMatch(/^600 of 600 messages \(100 %\) · [\d,]+ msg\/s · done in \d+ s, \d+ read in full$/);
      // Only the mail that may matter was read in full: the requests and the personal mail, not the newsletters.
      const full = Number(/(\d+) read in full/.exec(figures.at(-1)!)![1]);
      expect(full).toBeGreaterThanOrEqual(requesters.length);
      expect(full).toBeLessThan(count / 2 + requesters.length);
      expect(lines.at(-1)).toBe('Done: every mail is read and every script it called for is sent.');

      // The same figures are the dashboard's: the mailbox health holds the finished backlog.
      const health = await redis.hgetall(keys.health);
      expect({ total: health.backlogTotal, done: health.backlogDone }).toEqual({ total: '600', done: '600' });
    } finally {
      await redis.quit();
    }
  }, 120_000);

  it('interrupted, goes on from the last batch read at the next run, and answers no one twice', async () => {
    const count = 750;
    const requesters = await fillInbox('halted', count);
    const { config, redis, keys } = await configFor('halted');
    try {
      // Stop as soon as the first batch is safe in Redis: the cursor has moved, the box is not read yet.
      let halt: () => void = () => undefined;
      const interrupted = new Promise<void>((resolve) => (halt = resolve));
      const watching = until(
        async () => {
          const lastUid = Number((await redis.hget(keys.cursor, 'lastUid')) ?? 0);
          return lastUid > 0 && lastUid < count;
        },
        60_000,
        'the first batch to be read',
      ).then(halt);
      let first = '';
      const stopped = await backfill(config, { write: (chunk) => (first += chunk), tty: false }, { logger, services: { resolver: testResolver() }, pollMs: 20, interrupted });
      await watching;
      expect(stopped).toBe(130);
      expect(first).toContain('Stopped. The next start goes on from the last batch read');
      const halfway = Number(await redis.hget(keys.cursor, 'lastUid'));
      expect(halfway).toBeLessThan(count);

      let second = '';
      expect(await backfill(config, { write: (chunk) => (second += chunk), tty: false }, { logger, services: { resolver: testResolver() }, pollMs: 20 })).toBe(0);
      expect(second).toContain('Winnow has read this mailbox before');
      expect(Number(await redis.hget(keys.cursor, 'lastUid'))).toBe(count);
      for (const requester of requesters) expect(scriptsTo(requester), requester).toBe(1);
    } finally {
      await redis.quit();
    }
  }, 180_000);
});
