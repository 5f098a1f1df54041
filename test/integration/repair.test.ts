import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createContactStore } from '../../src/contacts/store.ts';
import { PRIMARY_MAILBOX } from '../../src/runtime.ts';
import { recordPerson } from '../contacts/constructed.ts';
import { useSandbox } from '../support/winnow.ts';

/**
 * A process killed between moving a person and adding their job leaves them waiting for nothing.
 * Constructed here by writing the person straight into Redis with no job, as such a crash leaves
 * them; the workers put the job back when they start.
 */
const suite = useSandbox(['r1', 'r2']);

describe('people left without their job by a stopped process', () => {
  it('a queued person whose send job was never added gets their script when the workers start', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const redis = new Redis(suite.sandbox.redisUrl);
    try {
      const store = createContactStore(redis, prefix, PRIMARY_MAILBOX);
      const { id } = await recordPerson(store, 'queued', Date.now(), { email: 'left.behind@example.org', name: 'Lee Behind', firstName: 'Lee' });

      const winnow = await suite.winnow('r1', { prefix });
      const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes('left.behind@example.org'));
      expect(script.raw.toString('utf8')).toContain('Lee');
      await winnow.waitForContact((c) => c.id === id && c.status === 'asked');
      expect(suite.scriptsTo('left.behind@example.org')).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('an asked person whose deadline job was lost still falls silent at their deadline', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const redis = new Redis(suite.sandbox.redisUrl);
    try {
      const store = createContactStore(redis, prefix, PRIMARY_MAILBOX);
      const now = Date.now();
      const { id } = await recordPerson(store, 'asked', now - 3_600_000, { email: 'silent@example.org', attempts: 1, askedAt: now - 3_600_000, deadlineAt: now - 1000 });

      const winnow = await suite.winnow('r2', { prefix });
      const person = await winnow.waitForContact((c) => c.id === id && c.status === 'no_response');
      expect(person.status).toBe('no_response');
      // Nothing was sent: the script had gone out before the crash.
      expect(suite.scriptsTo('silent@example.org')).toHaveLength(0);
    } finally {
      redis.disconnect();
    }
  });
});
