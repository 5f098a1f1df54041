import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/vocabulary/contact.ts';
import { createLogger } from '../../src/log.ts';
import { createMailboxHistory } from '../../src/mailbox/history.ts';
import { PRIMARY_MAILBOX } from '../../src/runtime.ts';
import { rawMail } from '../support/mail.ts';
import { until, useSandbox, type TestWinnow } from '../support/winnow.ts';

/**
 * "Erase" means gone, on real servers: after a person asked to connect, was sent the script,
 * answered, and the user wrote to them, erasing them leaves no Redis key, no value, no index
 * entry, no job in any queue (finished ones included) and no queue event that names them. Every
 * key of the installation is read, whatever its type. Every mail here is constructed.
 */

const suite = useSandbox(['e1', 'e2']);

/** A person of one test; the SMTP peer is shared by the file's tests. */
function personOf(tag: string) {
  return { name: `Ada Quillfeather${tag}`, address: `ada.quillfeather.${tag.toLowerCase()}@example.org`, requestId: `ada.request.${tag.toLowerCase()}@example.org` };
}
type Person = ReturnType<typeof personOf>;

/** Every key of the prefix with everything it holds, as text (job sources decoded), lower-cased. */
async function dumpAll(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let values: string[] = [];
      if (type === 'string') values = [(await redis.getBuffer(key))?.toString('latin1') ?? ''];
      else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
      else if (type === 'list') values = await redis.lrange(key, 0, -1);
      else if (type === 'set') values = await redis.smembers(key);
      else if (type === 'zset') values = await redis.zrange(key, 0, -1);
      else if (type === 'stream') values = (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
      // A job's data holds an incoming mail's source in base64: read it as the mail it is.
      for (const value of [...values]) {
        try {
          const parsed = JSON.parse(value) as { source?: unknown };
          if (typeof parsed?.source === 'string') values.push(Buffer.from(parsed.source, 'base64').toString('latin1'));
        } catch {
          // Not JSON: taken as it is.
        }
      }
      dump.set(key, [key, ...values].join('\n').toLowerCase());
    }
  } while (cursor !== '0');
  return dump;
}

/** The keys whose name or content mentions any of `needles`. */
function naming(dump: Map<string, string>, needles: string[]): string[] {
  return [...dump].filter(([, text]) => needles.some((needle) => text.includes(needle.toLowerCase()))).map(([key]) => key);
}

/** The mailbox history on this Winnow's keys, as the worker keeps it, read up to now. */
function historyOf(winnow: TestWinnow) {
  return createMailboxHistory({
    imap: winnow.config.imap,
    inbox: 'INBOX',
    redis: winnow.runtime.redis,
    prefix: winnow.config.redis.prefix,
    mailbox: PRIMARY_MAILBOX,
    context: { ownAddresses: [winnow.user.address], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' },
    logger: createLogger('silent'),
    forgotten: (addresses) => winnow.store.forgottenAddresses(addresses),
  });
}

async function api(winnow: TestWinnow, method: 'POST' | 'DELETE', url: string) {
  return winnow.runtime.app!.inject({ method, url, headers: { authorization: `Bearer ${winnow.config.web.apiToken}` } });
}

/** A request from Ada, scripted (approved first where Winnow waits for approval) and answered. */
async function askedAndAnswered(winnow: TestWinnow, ada: Person): Promise<{ person: Contact; scriptId: string }> {
  await suite.sandbox.deliver(
    winnow.user.address,
    rawMail([`From: ${ada.name} <${ada.address}>`, `To: ${winnow.user.address}`, "Subject: I'd like to connect", `Message-ID: <${ada.requestId}>`, 'Date: Thu, 03 Dec 2026 09:00:00 +0000'], "Hi Morgan,\n\nI'd like to connect.\n\nAda\n"),
  );
  const recorded = await winnow.waitForContact((contact) => contact.email === ada.address && !['detected', 'queued'].includes(contact.status));
  if (recorded.status === 'awaiting_approval') expect((await api(winnow, 'POST', `/api/contacts/${recorded.id}/approve`)).statusCode).toBe(200);
  const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(ada.address));
  const scriptId = script.messageId!.replace(/^<|>$/g, '');
  await suite.sandbox.deliver(
    winnow.user.address,
    rawMail(
      [`From: ${ada.name} <${ada.address}>`, `To: ${winnow.user.address}`, "Subject: Re: I'd like to connect", 'Message-ID: <ada.answer.1@example.org>', `In-Reply-To: <${scriptId}>`, `References: <${scriptId}>`, 'Date: Thu, 03 Dec 2026 09:30:00 +0000'],
      'I run a design studio in Lisbon and would like to work together on accessible type.\n',
    ),
  );
  const person = await winnow.waitForContact((contact) => contact.email === ada.address && contact.status === 'answered');
  // The user writes to her in person: the history then knows the user wrote to her.
  await suite.sandbox.deliver(
    winnow.user.address,
    rawMail([`From: ${winnow.user.address}`, `To: ${ada.name} <${ada.address}>`, 'Subject: Lunch?', 'Message-ID: <lunch.1@example.test>', 'Date: Thu, 03 Dec 2026 10:00:00 +0000'], 'Lunch next week?\n'),
    'Sent',
  );
  // Every job done, the copy of the script in Sent included.
  await until(async () => Object.values(await winnow.runtime.queueCounts()).every((count) => count === 0), 15_000, 'every job to finish');
  return { person, scriptId };
}

describe('erasing a person', () => {
  it('leaves no key, value, history entry, job or queue event naming them', async () => {
    const winnow = await suite.winnow('e1', { roles: { worker: true, web: true } });
    const ada = personOf('Alpha');
    const { person, scriptId } = await askedAndAnswered(winnow, ada);
    const history = historyOf(winnow);
    try {
      await history.refresh('all');
      // Before: the person is everywhere a scan can see (so the scan below can fail).
      expect(await history.addressesFor(ada.name)).toEqual([ada.address]);
      expect(await history.wroteTo(ada.address)).not.toBeNull();
      const needles = [person.id, ada.address, ada.name, ada.requestId, scriptId, 'ada.answer.1@example.org'];
      const before = await dumpAll(winnow.runtime.redis, winnow.config.redis.prefix);
      const keysBefore = naming(before, needles);
      expect(keysBefore.some((key) => key.includes(':history:name:'))).toBe(true);
      expect(keysBefore.some((key) => key.endsWith(':history:written'))).toBe(true);
      expect(keysBefore.some((key) => key.includes(':q:inbound:') && !key.endsWith(':events'))).toBe(true);
      expect(keysBefore.some((key) => key.includes(':q:sent-copy:'))).toBe(true);
      expect(keysBefore.some((key) => key.endsWith(':events'))).toBe(true);

      const erased = await api(winnow, 'DELETE', `/api/contacts/${person.id}`);
      expect(erased.statusCode, erased.body).toBe(200);

      const after = await dumpAll(winnow.runtime.redis, winnow.config.redis.prefix);
      expect(naming(after, needles)).toEqual([]);
      expect(await history.addressesFor(ada.name)).toEqual([]);
      expect(await history.wroteTo(ada.address)).toBeNull();
      // What is kept is one keyed marker per dedupe key, which names no one.
      expect([...after.keys()].filter((key) => key.includes(':forgotten:')).length).toBeGreaterThan(0);
    } finally {
      await history.close();
    }
  });

  it('a forgotten person is not filed again from mail the history reads later, nor recorded again', async () => {
    const winnow = await suite.winnow('e2', { roles: { worker: true, web: true } });
    const ada = personOf('Beta');
    const { person } = await askedAndAnswered(winnow, ada);
    expect((await api(winnow, 'DELETE', `/api/contacts/${person.id}`)).statusCode).toBe(200);
    // Mail the history had not read yet: another request of hers, and another mail the user sent her.
    await suite.sandbox.deliver(
      winnow.user.address,
      rawMail([`From: ${ada.name} <${ada.address}>`, `To: ${winnow.user.address}`, 'Subject: Connect?', 'Message-ID: <ada.request.2@example.org>', 'Date: Thu, 03 Dec 2026 11:00:00 +0000'], "I'd like to connect.\n"),
    );
    await suite.sandbox.deliver(
      winnow.user.address,
      rawMail([`From: ${winnow.user.address}`, `To: ${ada.name} <${ada.address}>`, 'Subject: Again', 'Message-ID: <again.1@example.test>', 'Date: Thu, 03 Dec 2026 11:05:00 +0000'], 'Hello again.\n'),
      'Sent',
    );
    const history = historyOf(winnow);
    try {
      await until(async () => Object.values(await winnow.runtime.queueCounts()).every((count) => count === 0), 15_000, 'every job to finish');
      expect(await history.refresh('all')).toBeNull();
      expect(await history.addressesFor(ada.name)).toEqual([]);
      expect(await history.wroteTo(ada.address)).toBeNull();
      expect((await winnow.store.list({ q: ada.name })).contacts).toEqual([]);
      expect(suite.scriptsTo(ada.address)).toHaveLength(1);
    } finally {
      await history.close();
    }
  });
});
