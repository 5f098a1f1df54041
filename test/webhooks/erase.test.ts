import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore } from '../../src/contacts/store.ts';
import { createLogger } from '../../src/log.ts';
import { closeQueues, createQueues } from '../../src/queues/queues.ts';
import { createSettingsStore } from '../../src/settings/settings.ts';
import { newWebhookSecret } from '../../src/webhooks/signature.ts';
import { createSealer } from '../../src/config/sealed.ts';
import { createWebhooks } from '../../src/webhooks/webhooks.ts';
import { createExpirySweep } from '../../src/workers/expire.ts';
import { recordPerson } from '../contacts/constructed.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { until } from '../support/winnow.ts';
import { configFor } from '../web/helpers.ts';

/**
 * A webhook's body names the person (name, address, answer) and is kept a week for retries and
 * replay. The expiry sweep erases people nobody acted on; their kept bodies go with them. On a
 * real Redis, with the sweep the worker runs.
 */

const DAY = 86_400_000;
let sandbox: Sandbox;
let redis: Redis;

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl);
});

afterAll(async () => {
  await redis?.quit();
  await sandbox?.stop();
});

describe('erasing a person', () => {
  it('through the expiry sweep removes the kept bodies of the webhooks about them, and only theirs', async () => {
    const prefix = `webhook-erase-${process.pid}`;
    const config = configFor(sandbox.redisUrl, prefix, { WEBHOOK_ALLOW_PRIVATE: 'true' });
    const webhooks = createWebhooks({ redis, prefix, mailbox: 'primary', logger: createLogger('silent', { format: 'json' }), allowPrivate: true, sealer: createSealer('erase-test-winnow-secret-0123'), readPerson: (id) => store.get(id) });
    const store = createContactStore(redis, prefix, 'primary', { onStatusChange: webhooks.statusChanged });
    const queues = createQueues(redis, prefix);
    try {
      // No worker delivers here: the bodies are kept as soon as an endpoint is to receive them.
      await webhooks.endpoints.add({ url: 'http://127.0.0.1:9/hook', secret: newWebhookSecret() });
      const longAgo = Date.now() - 200 * DAY;
      const old = await recordPerson(store, 'skipped', longAgo, { name: 'Olga Old', email: 'olga@example.org' });
      const fresh = await recordPerson(store, 'skipped', Date.now(), { name: 'Finn Fresh', email: 'finn@example.org' });
      const kept = async () => {
        const bodies = await redis.keys(`${prefix}:{primary}:webhook:event:*`);
        return Promise.all(bodies.map(async (key) => (await redis.get(key)) ?? ''));
      };
      await until(async () => (await kept()).length === 2, 5000, 'both request.received bodies kept');

      const settings = createSettingsStore(redis, store.keys.settings, config);
      const sweep = createExpirySweep({ store, queues, redis, secret: 'sweep-secret', settings, logger: createLogger('silent'), now: Date.now, config });
      expect(await sweep()).toMatchObject({ erased: { skipped: 1 } });
      expect(await store.get(old.id)).toBeNull();

      const left = await kept();
      expect(left).toHaveLength(1);
      expect(left[0]).toContain('finn@example.org');
      expect(left.join('')).not.toContain('olga@example.org');
      expect(await redis.keys(`${prefix}:*${old.id}*`)).toEqual([]);
      expect(await store.get(fresh.id)).not.toBeNull();
    } finally {
      await webhooks.close();
      await closeQueues(queues);
    }
  });
});
