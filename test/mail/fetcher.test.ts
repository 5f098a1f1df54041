import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageFetcher, type MailboxAccount } from '../../src/mail/fetcher.ts';
import { createLogger } from '../../src/log.ts';
import { MAX_SOURCE_BYTES } from '../../src/mail/message.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { until } from '../support/winnow.ts';

/** Reading messages by UID on a real Dovecot, as the inbound worker does. */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ users: ['reader'] });
});
afterAll(async () => {
  await sandbox?.stop();
});

const logger = createLogger('silent', { format: 'json' });

function accountOf(mailbox: string): Promise<MailboxAccount> {
  if (mailbox !== 'primary') return Promise.reject(new Error(`no IMAP account for the mailbox "${mailbox}"`));
  const user = sandbox.user('reader');
  return Promise.resolve({ host: sandbox.imap.host, port: sandbox.imap.port, secure: false, requireTls: false, user: user.user, pass: user.pass, folder: 'INBOX' });
}

async function uidValidityOf(): Promise<string> {
  const fetcher = createMessageFetcher({ accountOf, logger });
  try {
    // Asked under a UIDVALIDITY that is not the folder's, the answer names the folder's.
    const answer = await fetcher.fetch({ mailbox: 'primary', uidValidity: 'unknown', uid: 1 });
    return /is now (\d+)/.exec('gone' in answer ? answer.gone : '')![1]!;
  } finally {
    await fetcher.close();
  }
}

describe('reading messages by UID', () => {
  it('gives each waiting request its own message, cut at the size cap, and logs out when idle', async () => {
    const address = sandbox.user('reader').address;
    const small = await Promise.all([1, 2, 3, 4, 5].map((n) => sandbox.deliver(address, `Subject: note ${n}\r\n\r\nNote number ${n}.\r\n`)));
    const large = await sandbox.deliver(address, `Subject: large\r\n\r\n${'x'.repeat(MAX_SOURCE_BYTES + 1000)}\r\n`);
    const uidValidity = await uidValidityOf();
    const fetcher = createMessageFetcher({ accountOf, logger, idleMs: 200 });
    try {
      // All at once, as a worker with several jobs in hand asks.
      const answers = await Promise.all([...small, large].map(({ uid }) => fetcher.fetch({ mailbox: 'primary', uidValidity, uid, size: 100 })));
      const texts = answers.map((answer) => ('raw' in answer ? answer.raw.toString().split('\r\n')[0] : answer.gone));
      expect(texts).toEqual(['Subject: note 1', 'Subject: note 2', 'Subject: note 3', 'Subject: note 4', 'Subject: note 5', 'Subject: large']);
      const last = answers.at(-1)!;
      expect('raw' in last && { bytes: last.raw.length, truncated: last.truncated }).toEqual({ bytes: MAX_SOURCE_BYTES, truncated: true });
      expect(answers.slice(0, 5).every((answer) => 'raw' in answer && !answer.truncated)).toBe(true);
      expect(fetcher.openConnections()).toBeGreaterThan(0);
      await until(() => fetcher.openConnections() === 0, 5_000, 'the idle connections to be logged out');
      // And opened again when needed.
      const again = await fetcher.fetch({ mailbox: 'primary', uidValidity, uid: small[0]!.uid });
      expect('raw' in again && again.raw.toString()).toContain('Note number 1.');
      // A message that arrives while a connection is open (and has not been told of it yet) is read, not taken for gone.
      const later = await sandbox.deliver(address, 'Subject: later\r\n\r\nCame while the connection was open.\r\n');
      const read = await fetcher.fetch({ mailbox: 'primary', uidValidity, uid: later.uid });
      expect('raw' in read && read.raw.toString()).toContain('Came while the connection was open.');
    } finally {
      await fetcher.close();
    }
    expect(fetcher.openConnections()).toBe(0);
  });

  it("says which mailbox it cannot read, in the account lookup's words", async () => {
    const fetcher = createMessageFetcher({ accountOf, logger });
    try {
      await expect(fetcher.fetch({ mailbox: 'work', uidValidity: '1', uid: 1 })).rejects.toThrow('no IMAP account for the mailbox "work"');
    } finally {
      await fetcher.close();
    }
  });
});
