import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxKeys } from '../../src/store/keys.ts';
import { createMailboxWatcher } from '../../src/mailbox/watcher.ts';
import { closeQueues, createQueues } from '../../src/queues/queues.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { until } from '../support/winnow.ts';

/** A logger whose lines land in an array, parsed, as a log collector would read them. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string; [field: string]: unknown }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('the mailbox watcher with a wrong password', () => {
  let sandbox: Sandbox;
  let redis: Redis;
  beforeAll(async () => {
    sandbox = await startSandbox({ users: ['wa'], smtp: false });
    redis = new Redis(sandbox.redisUrl);
  });
  afterAll(async () => {
    redis?.disconnect();
    await sandbox?.stop();
  });

  it('logs the refused login once, with the setting to fix, however often it retries; the health record carries the same advice', async () => {
    const { logger, lines } = capturingLogger();
    const keys = mailboxKeys('t-watcher-advice', 'primary');
    const queues = createQueues(redis, 't-watcher-advice');
    const user = sandbox.user('wa');
    const watcher = createMailboxWatcher({
      mailbox: 'primary',
      imap: { host: sandbox.imap.host, port: sandbox.imap.port, secure: false, requireTls: false, user: user.user, pass: 'not-the-password', folder: 'INBOX' },
      redis,
      keys,
      queues,
      logger,
      // Retries come quickly, so a few of them happen within the test.
      maxBackoffMs: 200,
    });
    watcher.start();
    try {
      const retries = () => lines.filter((line) => line.msg.includes('still failing')).length;
      await until(() => retries() >= 2, 30_000, 'two more failed logins');
    } finally {
      await watcher.stop();
      await closeQueues(queues);
    }
    const warnings = lines.filter((line) => line.level >= 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/^mailbox: The IMAP server at 127\.0\.0\.1:\d+ refused the login of wa@example\.test .*Check IMAP_USER and IMAP_PASS\. .*app password/);
    expect(JSON.stringify(lines)).not.toContain('not-the-password');
    // What the overview shows as the mailbox's last error.
    expect(await redis.hget(keys.health, 'lastError')).toBe(watcher.status().lastError);
    expect(watcher.status().lastError).toContain('Check IMAP_USER and IMAP_PASS');
    await redis.del(keys.health, keys.lease, keys.cursor);
  });
});
