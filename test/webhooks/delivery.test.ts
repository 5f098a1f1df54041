import { everythingStored } from '../support/redis-scan.ts';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore } from '../../src/contacts/store.ts';
import { createLogger } from '../../src/log.ts';
import { COUNT_FIELDS, metricsKey } from '../../src/metrics/counts.ts';
import type { HostLookup } from '../../src/webhooks/address.ts';
import { newWebhookSecret } from '../../src/webhooks/signature.ts';
import { createSealer, isSealed, type Sealer } from '../../src/config/sealed.ts';
import { CONFIGURED_SECRET } from '../../src/webhooks/endpoints.ts';
import { createWebhooks, type WebhookDeliveryOptions } from '../../src/webhooks/webhooks.ts';
import { recordPerson } from '../contacts/constructed.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/winnow.ts';

/**
 * Delivery on real parts: a private Redis, the BullMQ queue and worker, and a real HTTP receiver
 * on 127.0.0.1 that checks each signature with the standardwebhooks library. The backoff base is
 * milliseconds here (a queue option), so a day of retries takes a moment.
 */

let sandbox: Sandbox;
let redis: Redis;
let workerRedis: Redis;
let counter = 0;
/** Endpoint secrets are kept sealed under WINNOW_SECRET. */
const sealer = createSealer('delivery-test-winnow-secret-0123');
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl);
  workerRedis = new Redis(sandbox.redisUrl, { maxRetriesPerRequest: null });
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

afterAll(async () => {
  await workerRedis?.quit();
  await redis?.quit();
  await sandbox?.stop();
});

interface Setup {
  delivery?: Partial<WebhookDeliveryOptions>;
  /** From WINNOW_SECRET; null as without it. */
  sealer?: Sealer | null;
  allowPrivate?: boolean;
  lookup?: HostLookup;
}

/** Webhooks and a contact store that tells them of every change, on a key prefix of their own. */
function start(setup: Setup = {}) {
  counter += 1;
  const prefix = `webhook-test-${counter}-${process.pid}`;
  const webhooks = createWebhooks({
    redis,
    prefix,
    mailbox: 'primary',
    logger: createLogger('silent', { format: 'json' }),
    allowPrivate: setup.allowPrivate ?? true,
    sealer: setup.sealer === undefined ? sealer : setup.sealer,
    lookup: setup.lookup,
    readPerson: (id) => store.get(id),
    delivery: { backoffMs: 50, attempts: 3, ...setup.delivery },
  });
  const store = createContactStore(redis, prefix, 'primary', { onStatusChange: webhooks.statusChanged });
  const delivery = webhooks.startDelivery(workerRedis);
  cleanup.push(async () => {
    await delivery.close();
    await webhooks.close();
  });
  return { webhooks, store, prefix };
}

async function receiver(options: Parameters<typeof startWebhookReceiver>[0]): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(options);
  cleanup.push(() => started.close());
  return started;
}

/** A person asked by mail who then answers: the change every CRM wants to hear of. */
async function personAnswers(store: ReturnType<typeof start>['store']): Promise<string> {
  const { id } = await recordPerson(store, 'asked', Date.now(), { email: 'bob@example.org', name: 'Bob Builder' });
  const moved = await store.transition(id, 'answered', { answerText: 'We build in timber.', score: { why: true, business: true, benefit: true }, answeredAt: Date.now() }, { at: Date.now(), detail: 'the script' });
  expect(moved.moved).toBe(true);
  return id;
}

describe('webhook delivery', () => {
  it('tries again after two 500s and delivers on the third try; the log shows all three, signed alike', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret, answer: (n) => (n <= 2 ? 500 : 204) });
    const { webhooks, store, prefix } = start();
    const endpoint = await webhooks.endpoints.add({ url: hook.url, secret, events: ['contact.answered'] });
    const id = await personAnswers(store);

    const received = await hook.waitFor(3);
    expect(received.map((webhook) => webhook.status)).toEqual([500, 500, 204]);
    // Each try is signed anew and verifies; all carry the one event id, so the receiver can drop repeats.
    expect(received.map((webhook) => webhook.verifyError)).toEqual([null, null, null]);
    expect(new Set(received.map((webhook) => webhook.id)).size).toBe(1);
    expect(received[2]!.event).toMatchObject({ type: 'contact.answered', data: { id, status: 'answered', name: 'Bob Builder', email: 'bob@example.org', answer: { text: 'We build in timber.' } } });

    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 3, 5000, 'three entries in the log');
    const log = await webhooks.endpoints.deliveries(endpoint.id);
    expect(log.map((entry) => [entry.attempt, entry.outcome, entry.responseCode])).toEqual([
      [3, 'delivered', 204],
      [2, 'failed', 500],
      [1, 'failed', 500],
    ]);
    expect(log[0]!.nextRetryAt).toBeNull();
    // The second wait is twice the first (50 ms, then 100 ms).
    expect(log[2]!.nextRetryAt! - log[2]!.at).toBeGreaterThanOrEqual(50);
    expect(log[1]!.nextRetryAt! - log[1]!.at).toBeGreaterThanOrEqual(100);
    expect(log[1]!.error).toBe('the receiver answered 500');
    // /metrics counts the tries by outcome: two failed (tried again), one delivered.
    const counts = await redis.hgetall(metricsKey(prefix));
    expect([counts[COUNT_FIELDS.webhookDeliveries('failed')], counts[COUNT_FIELDS.webhookDeliveries('delivered')], counts[COUNT_FIELDS.webhookDeliveries('given_up')]]).toEqual(['2', '1', undefined]);
    // The filter held: the request itself was not sent to this endpoint.
    expect(received.every((webhook) => webhook.event?.type === 'contact.answered')).toBe(true);
  });

  it('turns off an endpoint that fails every try, with a notice, and sends it nothing more until it is on again', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret, answer: () => 503 });
    const { webhooks, store } = start();
    const endpoint = await webhooks.endpoints.add({ url: hook.url, secret });
    await recordPerson(store, 'queued', Date.now());

    await hook.waitFor(3);
    await until(async () => (await webhooks.endpoints.get(endpoint.id))?.enabled === false, 5000, 'the endpoint to be turned off');
    const notices = await webhooks.endpoints.notices();
    expect(notices).toEqual([{ endpointId: endpoint.id, url: hook.url, at: expect.any(Number), reason: '3 tries of request.received failed, the last: the receiver answered 503' }]);
    expect(await webhooks.endpoints.receiving('request.received')).toEqual([]);

    await webhooks.endpoints.enable(endpoint.id);
    expect(await webhooks.endpoints.notices()).toEqual([]);
    expect((await webhooks.endpoints.receiving('request.received')).map((on) => on.id)).toEqual([endpoint.id]);
  });

  it('sends a logged delivery again on request, with the same event id', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret });
    const { webhooks, store } = start();
    const endpoint = await webhooks.endpoints.add({ url: hook.url, secret, events: ['request.received'] });
    await recordPerson(store, 'queued', Date.now());
    await hook.waitFor(1);
    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 1, 5000, 'the delivery in the log');
    const [first] = await webhooks.endpoints.deliveries(endpoint.id);

    await webhooks.replay(endpoint.id, first!.id);
    const received = await hook.waitFor(2);
    expect(received[1]!.id).toBe(received[0]!.id);
    expect(received[1]!.verifyError).toBeNull();
    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 2, 5000, 'the replay in the log');
    expect((await webhooks.endpoints.deliveries(endpoint.id))[0]).toMatchObject({ replay: true, outcome: 'delivered', attempt: 1, eventId: first!.eventId });
    await expect(webhooks.replay(endpoint.id, 'msg_none.1')).rejects.toThrow("there is no such delivery in the endpoint's log");
  });

  it('reads at most the first bytes of an answer, and gives up on a receiver that does not answer in time', async () => {
    const secret = newWebhookSecret();
    const chatty = await receiver({ secret, body: () => 'x'.repeat(1_000_000) });
    const silent = await receiver({ secret, silent: true });
    const { webhooks, store } = start({ delivery: { maxResponseBytes: 1024, timeoutMs: 300, attempts: 1 } });
    const toChatty = await webhooks.endpoints.add({ url: chatty.url, secret });
    const toSilent = await webhooks.endpoints.add({ url: silent.url, secret });
    await recordPerson(store, 'queued', Date.now());

    await until(async () => (await webhooks.endpoints.deliveries(toChatty.id)).length === 1 && (await webhooks.endpoints.deliveries(toSilent.id)).length === 1, 10_000, 'both deliveries in the log');
    const [answered] = await webhooks.endpoints.deliveries(toChatty.id);
    expect(answered).toMatchObject({ outcome: 'delivered', responseCode: 200 });
    expect(answered!.response!.length).toBe(1024);
    const [unanswered] = await webhooks.endpoints.deliveries(toSilent.id);
    expect(unanswered).toMatchObject({ outcome: 'failed', responseCode: null, error: 'no answer within 0.3 s' });
    expect(unanswered!.durationMs).toBeGreaterThanOrEqual(300);
  });
});

describe('telling a status change', () => {
  it('never fails or holds up the change itself: when the webhooks cannot be queued, the person moves on and a line is logged', async () => {
    const lines: string[] = [];
    // Webhooks on a Redis that is not there (port 1: nothing listens), the people on the real one.
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unreachable.on('error', () => {});
    const prefix = `webhook-test-down-${process.pid}`;
    const webhooks = createWebhooks({
      redis: unreachable,
      prefix,
      mailbox: 'primary',
      logger: createLogger('warn', { format: 'json', destination: { write: (line: string) => lines.push(line) } }),
      allowPrivate: true,
      sealer,
      readPerson: (id) => store.get(id),
    });
    const store = createContactStore(redis, prefix, 'primary', { onStatusChange: webhooks.statusChanged });
    cleanup.push(async () => {
      await webhooks.close();
      unreachable.disconnect();
    });

    const { id } = await recordPerson(store, 'asked', Date.now());
    expect(await store.transition(id, 'declined', {}, { at: Date.now(), detail: 'a refusal' })).toEqual({ moved: true, from: 'asked' });
    expect((await store.get(id))?.status).toBe('declined');
    await until(() => lines.length >= 2, 5000, 'the log lines');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'could not queue the webhooks of a status change; they are not sent',
      'could not queue the webhooks of a status change; they are not sent',
    ]);
  });
});

describe('the address check at delivery', () => {
  it('stops a name that resolved to a public address when the endpoint was added and to a private one now (DNS rebinding)', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret });
    const answers: Record<string, string> = { 'crm.example.org': '93.184.215.14' };
    const lookup: HostLookup = async (host) => [{ address: answers[host]!, family: 4 }];
    const { webhooks, store } = start({ allowPrivate: false, lookup, delivery: { attempts: 1 } });
    const endpoint = await webhooks.endpoints.add({ url: `http://crm.example.org:${hook.port}/hooks/winnow`, secret });
    // The name now points at the machine itself, where the receiver listens.
    answers['crm.example.org'] = '127.0.0.1';
    await recordPerson(store, 'queued', Date.now());

    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 1, 5000, 'the delivery in the log');
    expect((await webhooks.endpoints.deliveries(endpoint.id))[0]).toMatchObject({
      outcome: 'failed',
      responseCode: null,
      error: 'crm.example.org resolves to 127.0.0.1, which is a loopback address; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true',
    });
    expect(hook.received).toEqual([]);
  });

  it('connects to the address the name resolves to when private addresses are allowed', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret });
    const lookup: HostLookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const { webhooks, store } = start({ allowPrivate: true, lookup });
    await webhooks.endpoints.add({ url: `http://crm.example.org:${hook.port}/hooks/winnow`, secret });
    await recordPerson(store, 'queued', Date.now());
    const [webhook] = await hook.waitFor(1);
    expect(webhook!.event).toMatchObject({ type: 'request.received' });
  });

  it('refuses to add an endpoint at a private address unless allowed', async () => {
    const { webhooks } = start({ allowPrivate: false });
    await expect(webhooks.endpoints.add({ url: 'http://192.168.1.20/hook' })).rejects.toThrow('192.168.1.20 is a private network address; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true');
    await expect(webhooks.endpoints.add({ url: 'http://localhost/hook' })).rejects.toThrow(/^localhost resolves to .*, which is a loopback address/);
    expect(await webhooks.endpoints.list()).toEqual([]);
  });
});


/** Where `secret` (or its key's base64 without whsec_) shows in clear under the prefix. */
async function whereInClear(prefix: string, secret: string): Promise<string[]> {
  const key = secret.slice('whsec_'.length, 'whsec_'.length + 24);
  return (await everythingStored(redis, prefix)).filter(([, value]) => value.includes(secret) || value.includes(key)).map(([where]) => where);
}

describe('webhook secrets at rest', () => {
  it('with WINNOW_SECRET, no endpoint secret is anywhere in Redis in clear, after adding, rotating and delivering', async () => {
    const given = newWebhookSecret();
    const hook = await receiver({ secret: given });
    const { webhooks, store, prefix } = start();
    const configured = newWebhookSecret();
    const configuredHook = await receiver({ secret: configured });
    await webhooks.endpoints.configure({ url: configuredHook.url, secret: configured });
    const added = await webhooks.endpoints.add({ url: hook.url, secret: given });
    const made = await webhooks.endpoints.add({ url: 'http://127.0.0.1:9/hook', description: 'made here' });
    const rotated = await webhooks.endpoints.rotateSecret(made.id);
    await personAnswers(store);
    const [delivered] = await hook.waitFor(2);
    expect(delivered!.verifyError).toBeNull();
    expect((await configuredHook.waitFor(2)).map((webhook) => webhook.verifyError)).toEqual([null, null]);
    await until(async () => (await webhooks.endpoints.deliveries(added.id)).length === 2, 5000, 'the deliveries logged');

    for (const secret of [given, configured, made.secret, rotated!.secret]) expect(await whereInClear(prefix, secret)).toEqual([]);
    // Sealed in the secrets hash, except the WEBHOOK_URL one, which stays in the environment.
    const kept = await redis.hgetall(webhooks.endpoints.keys.secrets);
    expect(isSealed(kept[added.id]!)).toBe(true);
    expect(sealer.open(kept[made.id]!)).toBe(rotated!.secret);
    expect(kept.env).toBe(CONFIGURED_SECRET);
  });

  it('without WINNOW_SECRET, refuses to add an endpoint or give one a new secret, with the advice', async () => {
    const { webhooks } = start({ sealer: null });
    await expect(webhooks.endpoints.add({ url: 'http://127.0.0.1:9/hook' })).rejects.toThrow(/cannot be stored without WINNOW_SECRET.*openssl rand -base64 32/);
    expect(await webhooks.endpoints.list()).toEqual([]);
  });

  it('without WINNOW_SECRET, delivers to the WEBHOOK_URL endpoint signed with WEBHOOK_SECRET, which is never written to Redis', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret });
    const { webhooks, store, prefix } = start({ sealer: null });
    const { endpoint, warnings } = await webhooks.endpoints.configure({ url: hook.url, secret });
    expect(warnings).toEqual([]);
    expect(endpoint?.secret).toBe(secret);
    await personAnswers(store);
    expect((await hook.waitFor(2)).map((webhook) => webhook.verifyError)).toEqual([null, null]);
    expect(await whereInClear(prefix, secret)).toEqual([]);
    // The endpoint's secret, as the settings list shows it: its first characters, from the environment.
    expect((await webhooks.endpoints.list())[0]).toMatchObject({ id: 'env', secret, secretProblem: null });
  });

  it('seals in place the secrets earlier versions kept in clear once WINNOW_SECRET is set, and says so at start until then', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret });
    const without = start({ sealer: null });
    const { prefix } = without;
    // An endpoint as an earlier version stored it: the secret in its JSON.
    const legacy = { id: 'old-1', url: hook.url, secret, events: [], enabled: true, description: 'CRM', createdAt: Date.now(), disabledAt: null, disabledReason: null };
    await redis.hset(without.webhooks.endpoints.keys.endpoints, legacy.id, JSON.stringify(legacy));
    const unsealed = await without.webhooks.endpoints.configure(null);
    expect(unsealed.warnings).toEqual([expect.stringMatching(/^1 webhook endpoint secret is stored in clear in Redis until WINNOW_SECRET is set: set it/)]);
    // It keeps working meanwhile.
    expect((await without.webhooks.endpoints.get(legacy.id))?.secret).toBe(secret);

    // The next start, with WINNOW_SECRET set.
    const same = createWebhooks({ redis, prefix, mailbox: 'primary', logger: createLogger('silent', { format: 'json' }), allowPrivate: true, sealer, readPerson: (id) => without.store.get(id) });
    cleanup.push(() => same.close());
    expect((await same.endpoints.configure(null)).warnings).toEqual([]);
    expect(await whereInClear(prefix, secret)).toEqual([]);
    expect(JSON.parse((await redis.hget(same.endpoints.keys.endpoints, legacy.id))!)).not.toHaveProperty('secret');
    expect((await same.endpoints.get(legacy.id))).toMatchObject({ secret, secretProblem: null, description: 'CRM' });
  });

  it('skips a delivery whose endpoint secret cannot be opened, with the reason in the log, rather than sending it unsigned', async () => {
    const secret = newWebhookSecret();
    const hook = await receiver({ secret });
    const { webhooks, store } = start();
    const endpoint = await webhooks.endpoints.add({ url: hook.url, secret });
    await redis.hset(webhooks.endpoints.keys.secrets, endpoint.id, createSealer('some-other-winnow-secret-000').seal(secret));
    await recordPerson(store, 'queued', Date.now());
    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 1, 5000, 'the skipped delivery logged');
    const [logged] = await webhooks.endpoints.deliveries(endpoint.id);
    expect(logged).toMatchObject({ outcome: 'skipped' });
    expect(logged!.error).toMatch(/^not sent: its secret cannot be opened: the value was sealed under another WINNOW_SECRET/);
    expect(hook.received).toEqual([]);
  });
});
