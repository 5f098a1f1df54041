import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createContactStore } from '../../src/contacts/store.ts';
import { createLogger } from '../../src/log.ts';
import { createWebhooks, type WebhookDeliveryOptions } from '../../src/webhooks/webhooks.ts';
import { createSealer } from '../../src/config/sealed.ts';
import { all, attribute, one, parseHtml, text } from '../support/dom.ts';
import { startWebhookReceiver, type ReceiverOptions, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/winnow.ts';
import { addPerson, API_TOKEN, form, hiddenCsrf, login, useWebTest } from './helpers.ts';

/**
 * Webhook endpoints from the user's side, on real parts: the API and the settings page of a real
 * app on a private Redis, the BullMQ delivery worker, and a real HTTP receiver on 127.0.0.1 that
 * verifies every signature with the standardwebhooks library (so private addresses are allowed
 * here, as WEBHOOK_ALLOW_PRIVATE=true does, except where the refusal is what is tested).
 */

const web = useWebTest();
/** Endpoint secrets are kept sealed under WINNOW_SECRET; without it adding one is refused (tested below). */
const WINNOW_SECRET = 'web-test-winnow-secret-0123456789';
const auth = { authorization: `Bearer ${API_TOKEN}` };
const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** An app whose webhooks are delivered (a worker on its own connection), and whose store reports every change to them. */
async function deliveringApp(delivery: Partial<WebhookDeliveryOptions> = {}) {
  const prefix = web.config.redis.prefix;
  const workerRedis = new Redis(web.config.redis.url, { maxRetriesPerRequest: null });
  const webhooks = createWebhooks({
    redis: web.redis,
    prefix,
    mailbox: 'primary',
    logger: createLogger('silent', { format: 'json' }),
    allowPrivate: true,
    sealer: createSealer(WINNOW_SECRET),
    readPerson: (id) => store.get(id),
    delivery: { backoffMs: 50, attempts: 2, ...delivery },
  });
  const store = createContactStore(web.redis, prefix, 'primary', { onStatusChange: webhooks.statusChanged });
  const worker = webhooks.startDelivery(workerRedis);
  cleanup.push(async () => {
    await worker.close();
    await webhooks.close();
    await workerRedis.quit();
  });
  const app = await web.app({ deps: { store, webhooks }, env: { WEBHOOK_ALLOW_PRIVATE: 'true', WINNOW_SECRET } });
  return { app, store, webhooks };
}

async function receiver(options: Partial<ReceiverOptions> & { secret?: string } = {}): Promise<WebhookReceiver> {
  // The secret is known only once the endpoint is added; the receiver reads it through a holder.
  const started = await startWebhookReceiver({ secret: options.secret ?? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', ...options });
  cleanup.push(() => started.close());
  return started;
}

async function addEndpoint(app: FastifyInstance, url: string, extra: Record<string, unknown> = {}) {
  const response = await app.inject({ method: 'POST', url: '/api/webhooks', headers: auth, payload: { url, ...extra } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ endpoint: { id: string; secretHint: string }; secret: string }>();
}

describe('webhook endpoints through the API', () => {
  it('adds an endpoint with a secret shown once, sends it a verified test event, lists it without the secret, and replays', async () => {
    const { app } = await deliveringApp();
    // A placeholder receiver learns the port; the real one is started with the secret the API makes.
    const placeholder = await receiver();
    const added = await addEndpoint(app, placeholder.url, { description: 'CRM' });
    expect(added.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await placeholder.close();
    const crm = await receiver({ secret: added.secret });
    await app.inject({ method: 'PATCH', url: `/api/webhooks/${added.endpoint.id}`, headers: auth, payload: { url: crm.url } });

    const test = await app.inject({ method: 'POST', url: `/api/webhooks/${added.endpoint.id}/test`, headers: auth, payload: {} });
    expect(test.statusCode, test.body).toBe(202);
    const [got] = await crm.waitFor(1);
    expect(got!.verifyError).toBeNull();
    expect(got!.event).toMatchObject({ type: 'webhook.test', data: { endpointId: added.endpoint.id } });
    expect(got!.id).toBe(test.json<{ eventId: string }>().eventId);

    const listed = await app.inject({ method: 'GET', url: '/api/webhooks', headers: auth });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(added.secret);
    expect(listed.body).not.toContain(added.secret.slice(10, 30));
    expect(listed.json()).toMatchObject({ endpoints: [{ id: added.endpoint.id, url: crm.url, description: 'CRM', enabled: true, secretHint: `${added.secret.slice(0, 10)}…` }], notices: [] });

    let log: Array<{ id: string; outcome: string; responseCode: number | null; replay: boolean }> = [];
    await until(async () => {
      log = (await app.inject({ method: 'GET', url: `/api/webhooks/${added.endpoint.id}/deliveries`, headers: auth })).json<{ deliveries: typeof log }>().deliveries;
      return log.length === 1;
    }, 5000, 'the test event in the log');
    expect(log[0]).toMatchObject({ outcome: 'delivered', responseCode: 200, replay: false });

    const replay = await app.inject({ method: 'POST', url: `/api/webhooks/${added.endpoint.id}/deliveries/${encodeURIComponent(log[0]!.id)}/replay`, headers: auth, payload: {} });
    expect(replay.statusCode, replay.body).toBe(202);
    const [, again] = await crm.waitFor(2);
    expect(again!.verifyError).toBeNull();
    expect(again!.id).toBe(got!.id);

    const rotated = await app.inject({ method: 'POST', url: `/api/webhooks/${added.endpoint.id}/rotate-secret`, headers: auth, payload: {} });
    expect(rotated.json<{ secret: string }>().secret).not.toBe(added.secret);
    const removed = await app.inject({ method: 'DELETE', url: `/api/webhooks/${added.endpoint.id}`, headers: auth });
    expect(removed.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/webhooks/${added.endpoint.id}/deliveries`, headers: auth })).statusCode).toBe(404);
  });

  it('refuses a URL on loopback or a private network with a 400 that says why, unless private addresses are allowed', async () => {
    const app = await web.app();
    for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://[fe80::1]/hook']) {
      const response = await app.inject({ method: 'POST', url: '/api/webhooks', headers: auth, payload: { url } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true/);
    }
    const unknownEvent = await app.inject({ method: 'POST', url: '/api/webhooks', headers: auth, payload: { url: 'http://127.0.0.1:9/hook', events: ['contact.sneezed'] } });
    expect(unknownEvent.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/webhooks', headers: auth })).json()).toMatchObject({ endpoints: [] });

    const allowing = await web.app({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WINNOW_SECRET } });
    expect((await allowing.inject({ method: 'POST', url: '/api/webhooks', headers: auth, payload: { url: 'http://127.0.0.1:9/hook' } })).statusCode).toBe(201);
  });

  it('leaves the URL and secret of the WEBHOOK_URL endpoint to the environment, which would put them back at the next start', async () => {
    const { app, webhooks } = await deliveringApp();
    await webhooks.endpoints.configure({ url: 'http://127.0.0.1:9/hook', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    const rotate = await app.inject({ method: 'POST', url: '/api/webhooks/env/rotate-secret', headers: auth, payload: {} });
    expect(rotate.statusCode).toBe(400);
    expect(rotate.json<{ message: string }>().message).toContain('WEBHOOK_SECRET');
    expect((await app.inject({ method: 'PATCH', url: '/api/webhooks/env', headers: auth, payload: { url: 'http://127.0.0.1:10/other' } })).statusCode).toBe(400);
    // Its events and whether it is on are the user's to change.
    const changed = await app.inject({ method: 'PATCH', url: '/api/webhooks/env', headers: auth, payload: { events: ['contact.answered'], enabled: false } });
    expect(changed.json()).toMatchObject({ id: 'env', url: 'http://127.0.0.1:9/hook', events: ['contact.answered'], enabled: false });
  });

  it('erasing a person removes the kept bodies of the webhooks about them', async () => {
    const { app, store, webhooks } = await deliveringApp();
    const crm = await receiver();
    await webhooks.endpoints.add({ url: crm.url, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    const id = await addPerson(store, { name: 'Bob Builder', email: 'bob@example.org' });
    const [received] = await crm.waitFor(1);
    expect(received!.event).toMatchObject({ type: 'request.received', data: { id, email: 'bob@example.org' } });
    expect(await webhooks.endpoints.event(received!.id)).toContain('bob@example.org');

    const erased = await app.inject({ method: 'DELETE', url: `/api/contacts/${id}`, headers: auth });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(await webhooks.endpoints.event(received!.id)).toBeNull();
    // Everything the webhooks keep beside the endpoints (bodies, logs, notices); the queue's jobs name only ids.
    const keys = await web.redis.keys(`${web.config.redis.prefix}:{primary}:webhook*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const type = await web.redis.type(key);
      const content = type === 'string' ? await web.redis.get(key) : type === 'list' ? (await web.redis.lrange(key, 0, -1)).join('\n') : type === 'hash' ? JSON.stringify(await web.redis.hgetall(key)) : (await web.redis.smembers(key)).join('\n');
      expect(content ?? '', key).not.toContain('bob@example.org');
      expect(key).not.toContain(id);
    }
    // Sending it again is refused with the reason, not sent empty.
    const [logged] = await webhooks.endpoints.deliveries((await webhooks.endpoints.list())[0]!.id);
    const replay = await app.inject({ method: 'POST', url: `/api/webhooks/${(await webhooks.endpoints.list())[0]!.id}/deliveries/${encodeURIComponent(logged!.id)}/replay`, headers: auth, payload: {} });
    expect(replay.statusCode).toBe(409);
    expect(replay.json<{ message: string }>().message).toContain('no longer kept');
  });
});

describe('webhook secrets without WINNOW_SECRET', () => {
  it('refuses to add an endpoint or give one a new secret, through the API and on the settings page, with the advice to set it', async () => {
    const app = await web.app({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    const added = await app.inject({ method: 'POST', url: '/api/webhooks', headers: auth, payload: { url: 'http://127.0.0.1:9/hook' } });
    expect(added.statusCode).toBe(400);
    expect(added.json<{ message: string }>().message).toMatch(/^A webhook endpoint's secret cannot be stored without WINNOW_SECRET.*Set WINNOW_SECRET in \.env .*openssl rand -base64 32/);
    expect(await web.redis.hlen(`${web.config.redis.prefix}:{primary}:webhook:endpoints`)).toBe(0);

    const session = await login(app);
    const settings = await app.inject({ method: 'GET', url: '/settings', cookies: { winnow_session: session } });
    const page = await app.inject({ method: 'POST', url: '/settings/webhooks', cookies: { winnow_session: session }, ...form({ _csrf: hiddenCsrf(settings.body), url: 'http://127.0.0.1:9/hook', description: 'CRM' }) });
    expect(page.statusCode).toBe(400);
    expect(text(one(parseHtml(page.body), '#webhook-error'))).toContain('cannot be stored without WINNOW_SECRET');

    // An endpoint added while WINNOW_SECRET was set keeps its secret, but gets no new one without it.
    const { webhooks } = await deliveringApp();
    const endpoint = await webhooks.endpoints.add({ url: 'http://127.0.0.1:9/hook' });
    const rotate = await app.inject({ method: 'POST', url: `/api/webhooks/${endpoint.id}/rotate-secret`, headers: auth, payload: {} });
    expect(rotate.statusCode).toBe(400);
    expect(rotate.json<{ message: string }>().message).toContain('without WINNOW_SECRET');
    expect((await webhooks.endpoints.get(endpoint.id))?.secret).toBe(endpoint.secret);
  });
});

describe('webhooks on the settings page', () => {
  it('adds an endpoint with the CSRF token and shows its secret once; refuses the form without the token', async () => {
    const app = await web.app({ env: { WINNOW_SECRET } });
    const session = await login(app);
    const settings = await app.inject({ method: 'GET', url: '/settings', cookies: { winnow_session: session } });
    const section = one(parseHtml(settings.body), 'section#webhooks');
    expect(text(section)).toContain('No endpoints yet.');
    const csrf = hiddenCsrf(settings.body);

    const refused = await app.inject({ method: 'POST', url: '/settings/webhooks', cookies: { winnow_session: session }, ...form({ url: 'https://hooks.example.com/winnow' }) });
    expect(refused.statusCode).toBe(403);
    expect(await web.redis.hlen(`${web.config.redis.prefix}:{primary}:webhook:endpoints`)).toBe(0);

    const privateUrl = await app.inject({ method: 'POST', url: '/settings/webhooks', cookies: { winnow_session: session }, ...form({ _csrf: csrf, url: 'http://192.168.1.20/hook', description: 'NAS' }) });
    expect(privateUrl.statusCode).toBe(400);
    const page = parseHtml(privateUrl.body);
    expect(text(one(page, '#webhook-url-error'))).toContain('192.168.1.20 is a private network address; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true');
    expect(attribute(one(page, 'input#webhook-url'), 'value')).toBe('http://192.168.1.20/hook');

    // A public address (a documentation range would be refused as special-purpose: this is a literal public one).
    const body = new URLSearchParams({ _csrf: csrf, url: 'http://93.184.215.14/hook', description: 'CRM' });
    body.append('events', 'contact.answered');
    body.append('events', 'script.sent');
    const added = await app.inject({ method: 'POST', url: '/settings/webhooks', cookies: { winnow_session: session }, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(added.statusCode, added.body).toBe(201);
    const secret = text(one(parseHtml(added.body), '#webhook-secret'));
    expect(secret).toMatch(/^whsec_/);

    const after = await app.inject({ method: 'GET', url: '/settings', cookies: { winnow_session: session } });
    expect(after.body).not.toContain(secret);
    const rows = all(one(parseHtml(after.body), 'section#webhooks'), 'tbody tr');
    expect(rows.map(text)).toEqual([expect.stringMatching(/CRM.*http:\/\/93\.184\.215\.14\/hook.*contact\.answered, script\.sent.*on.*whsec_/s)]);
    const link = attribute(one(rows[0]!, 'a'), 'href')!;
    const endpoint = await app.inject({ method: 'GET', url: link, cookies: { winnow_session: session } });
    expect(endpoint.statusCode).toBe(200);
    expect(endpoint.body).not.toContain(secret);
    expect(endpoint.body).toContain('Nothing sent yet.');
  });

  it('shows the log of an endpoint, sends a test from the page, and replays from the log', async () => {
    const { app, webhooks } = await deliveringApp();
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const crm = await receiver({ secret, answer: (n) => (n === 1 ? 503 : 200) });
    const endpoint = await webhooks.endpoints.add({ url: crm.url, secret });
    const session = await login(app);
    const open = () => app.inject({ method: 'GET', url: `/settings/webhooks/${endpoint.id}`, cookies: { winnow_session: session } });
    const csrf = hiddenCsrf((await open()).body);

    const test = await app.inject({ method: 'POST', url: `/settings/webhooks/${endpoint.id}/test`, cookies: { winnow_session: session }, ...form({ _csrf: csrf }) });
    expect(test.statusCode).toBe(303);
    await crm.waitFor(1);
    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 1, 5000, 'the test in the log');
    const page = parseHtml((await open()).body);
    const row = one(page, 'table.deliveries tbody tr');
    // A test is one attempt: no next try, and the endpoint stays on.
    expect(all(row, 'td').map(text).slice(1, 6)).toEqual(['webhook.test', expect.stringMatching(/^failed\s+the receiver answered 503$/), '503', expect.stringMatching(/^\d+ ms$/), '—']);

    const deliveryId = attribute(one(row, 'input[name="deliveryId"]'), 'value')!;
    const replay = await app.inject({ method: 'POST', url: `/settings/webhooks/${endpoint.id}/replay`, cookies: { winnow_session: session }, ...form({ _csrf: csrf, deliveryId }) });
    expect(replay.statusCode).toBe(303);
    const [, second] = await crm.waitFor(2);
    expect(second!.verifyError).toBeNull();
    expect(second!.event?.type).toBe('webhook.test');
    await until(async () => (await webhooks.endpoints.deliveries(endpoint.id)).length === 2, 5000, 'the replay in the log');
    const rows = all(parseHtml((await open()).body), 'table.deliveries tbody tr').map(text);
    expect(rows[0]).toMatch(/webhook\.test \(again\).*delivered.*200/s);
  });

  it('tells on the overview of an endpoint turned off after failing, until it is turned on again or the notice is dismissed', async () => {
    const { app, store, webhooks } = await deliveringApp({ attempts: 2, backoffMs: 20 });
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const broken = await receiver({ secret, answer: () => 500 });
    const endpoint = await webhooks.endpoints.add({ url: broken.url, secret, description: 'Broken CRM' });
    const session = await login(app);
    const overview = async () => parseHtml((await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } })).body);
    expect(all(await overview(), '#webhook-notices')).toEqual([]);

    await addPerson(store, { name: 'Ann Example', email: 'ann@example.org' });
    await until(async () => (await webhooks.endpoints.get(endpoint.id))?.enabled === false, 10_000, 'the endpoint to be turned off');
    let notice = one(await overview(), '#webhook-notices');
    expect(text(notice)).toContain(`A webhook endpoint was turned off`);
    expect(text(notice)).toContain(broken.url);
    expect(attribute(one(notice, 'a'), 'href')).toBe(`/settings/webhooks/${endpoint.id}`);

    // Turned on again from the API: the notice goes.
    expect((await app.inject({ method: 'PATCH', url: `/api/webhooks/${endpoint.id}`, headers: auth, payload: { enabled: true } })).json()).toMatchObject({ enabled: true, disabledAt: null });
    expect(all(await overview(), '#webhook-notices')).toEqual([]);

    await addPerson(store, { name: 'Cem Example', email: 'cem@example.org' });
    await until(async () => (await webhooks.endpoints.get(endpoint.id))?.enabled === false, 10_000, 'the endpoint to be turned off again');
    notice = one(await overview(), '#webhook-notices');
    const dismissForm = one(notice, 'form');
    const withoutToken = await app.inject({ method: 'POST', url: attribute(dismissForm, 'action')!, cookies: { winnow_session: session }, ...form({}) });
    expect(withoutToken.statusCode).toBe(403);
    const dismissed = await app.inject({ method: 'POST', url: attribute(dismissForm, 'action')!, cookies: { winnow_session: session }, ...form({ _csrf: attribute(one(dismissForm, 'input[name="_csrf"]'), 'value')! }) });
    expect(dismissed.statusCode).toBe(303);
    expect(all(await overview(), '#webhook-notices')).toEqual([]);
    expect((await webhooks.endpoints.get(endpoint.id))?.enabled).toBe(false);
  });
});
