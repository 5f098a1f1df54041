import { keysHolding } from '../support/redis-scan.ts';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';
import { until, useSandbox } from '../support/winnow.ts';
import { newWebhookSecret } from '../../src/webhooks/signature.ts';
import { CONFIGURED_ENDPOINT_ID } from '../../src/webhooks/endpoints.ts';
import type { Redis } from 'ioredis';

/** The keys under `prefix` holding any of `needles` in clear: in a string, a hash field or value, a list, set or sorted set, a stream, or the key's name. */
function whereInRedis(redis: Redis, prefix: string, needles: string[]): Promise<string[]> {
  return keysHolding(redis, prefix, (value) => needles.some((needle) => value.includes(needle)));
}

/**
 * Webhooks from Winnow as it runs: a request and an answer flow through a real Dovecot mailbox,
 * a real SMTP peer and Redis, and a real HTTP receiver on 127.0.0.1 (hence
 * WEBHOOK_ALLOW_PRIVATE=true) verifies each webhook with the standardwebhooks library.
 */

const suite = useSandbox(['me1', 'me2', 'me3', 'bob', 'carol']);

describe('webhooks set by WEBHOOK_URL and WEBHOOK_SECRET', () => {
  it('tell a receiver of the request, the script and the answer, each signed', async () => {
    const secret = newWebhookSecret();
    const hook = await startWebhookReceiver({ secret });
    try {
      const winnow = await suite.winnow('me1', { env: { WEBHOOK_URL: hook.url, WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: 'true' } });
      const bob = suite.sandbox.user('bob');
      await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation({ name: 'Bob Builder', address: bob.address }, winnow.user.address, '<invite-hook@linkedin.example>'));
      const script = await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(bob.address));
      await suite.sandbox.deliver(
        winnow.user.address,
        await buildMail({
          from: { name: 'Bob Builder', address: bob.address },
          to: winnow.user.address,
          subject: 'Re: Invitation to connect on LinkedIn',
          inReplyTo: script.messageId!,
          references: [script.messageId!],
          text: 'Hi Morgan,\n\nI run a small structural engineering firm and we look for partners in timber construction;\nwe could send each other work.\n',
        }),
      );
      const contact = await winnow.waitForContact((c) => c.email === bob.address && c.status === 'answered');

      const received = await hook.waitFor(3);
      expect(received.map((webhook) => webhook.verifyError)).toEqual([null, null, null]);
      // Webhooks make no promise of order (each goes on its own); each event came once, with its own id.
      const byType = new Map(received.map((webhook) => [webhook.event!.type, webhook]));
      expect([...byType.keys()].sort()).toEqual(['contact.answered', 'request.received', 'script.sent']);
      expect(new Set(received.map((webhook) => webhook.id)).size).toBe(3);
      expect(byType.get('request.received')!.event!.data).toMatchObject({ id: contact.id, status: 'queued', platform: 'linkedin', name: 'Bob Builder', email: bob.address, answer: null });
      expect(byType.get('script.sent')!.event!.data).toMatchObject({ id: contact.id, status: 'asked', channel: 'email', askedAt: expect.any(String) });
      expect(byType.get('contact.answered')!.event!.data).toMatchObject({
        id: contact.id,
        status: 'answered',
        answer: { text: expect.stringContaining('structural engineering firm'), score: contact.score },
      });
      await until(async () => (await winnow.runtime.webhooks.endpoints.deliveries(CONFIGURED_ENDPOINT_ID)).length === 3, 5000, 'three deliveries in the log');
      const log = await winnow.runtime.webhooks.endpoints.deliveries(CONFIGURED_ENDPOINT_ID);
      expect(log.map((entry) => [entry.type, entry.outcome, entry.responseCode]).sort()).toEqual([
        ['contact.answered', 'delivered', 200],
        ['request.received', 'delivered', 200],
        ['script.sent', 'delivered', 200],
      ]);
      // Without WINNOW_SECRET nothing can be sealed, so WEBHOOK_SECRET stays in the environment: Redis never held it.
      expect(winnow.runtime.sealer).toBeNull();
      expect(await whereInRedis(winnow.runtime.redis, winnow.config.redis.prefix, [secret])).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('refuses to start with a WEBHOOK_URL at a private address unless WEBHOOK_ALLOW_PRIVATE=true, saying why', async () => {
    const secret = newWebhookSecret();
    await expect(suite.winnow('me2', { env: { WEBHOOK_URL: 'http://localhost:9/hooks', WEBHOOK_SECRET: secret } })).rejects.toThrow(
      /^WEBHOOK_URL: localhost resolves to .*, which is a loopback address; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true$/,
    );
  });
});

describe('webhook secrets with WINNOW_SECRET', () => {
  it('are nowhere in Redis in clear once endpoints are added and events delivered, and WINNOW_SECRET is not either', async () => {
    const configured = newWebhookSecret();
    const added = newWebhookSecret();
    const configuredHook = await startWebhookReceiver({ secret: configured });
    const addedHook = await startWebhookReceiver({ secret: added });
    const winnowSecret = 'integration-winnow-secret-0123456789';
    try {
      const winnow = await suite.winnow('me3', { env: { WEBHOOK_URL: configuredHook.url, WEBHOOK_SECRET: configured, WEBHOOK_ALLOW_PRIVATE: 'true', WINNOW_SECRET: winnowSecret } });
      expect(winnow.runtime.sealer).not.toBeNull();
      const endpoint = await winnow.runtime.webhooks.endpoints.add({ url: addedHook.url, secret: added });
      const made = await winnow.runtime.webhooks.endpoints.add({ url: addedHook.url, description: 'made by Winnow' });
      const carol = suite.sandbox.user('carol');
      await suite.sandbox.deliver(winnow.user.address, await oldLinkedInInvitation({ name: 'Carol Carter', address: carol.address }, winnow.user.address, '<invite-sealed@linkedin.example>'));
      await suite.sandbox.smtp.waitFor((mail) => mail.recipients.includes(carol.address));
      expect((await configuredHook.waitFor(2)).map((webhook) => webhook.verifyError)).toEqual([null, null]);
      // Two events to each endpoint there: the ones signed with the secret given verify, the others are signed with the one Winnow made.
      expect((await addedHook.waitFor(4)).filter((webhook) => webhook.verifyError === null)).toHaveLength(2);
      await until(async () => (await winnow.runtime.webhooks.endpoints.deliveries(endpoint.id)).length === 2, 5000, 'two deliveries in the log');

      const keyParts = [configured, added, made.secret].map((secret) => secret.slice('whsec_'.length, 'whsec_'.length + 24));
      expect(await whereInRedis(winnow.runtime.redis, winnow.config.redis.prefix, [configured, added, made.secret, ...keyParts, winnowSecret])).toEqual([]);
    } finally {
      await configuredHook.close();
      await addedHook.close();
    }
  });
});
