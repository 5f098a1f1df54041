import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, ContactEvent } from '../../src/contacts/types.ts';
import { addPerson, API_TOKEN, askAndAnswer, BASE_TIME, startWebTest, type WebTest } from './helpers.ts';

const auth = { authorization: `Bearer ${API_TOKEN}` };
const MINUTE = 60_000;

describe('probes and JSON API', () => {
  let web: WebTest;
  let app: FastifyInstance;
  const ids: string[] = [];
  let answeredId = '';

  beforeAll(async () => {
    web = await startWebTest();
    app = await web.app();
    // Seven people, one minute apart, the newest last; two share a timestamp to test the cursor on ties.
    for (let i = 0; i < 7; i++) {
      const at = BASE_TIME + (i === 6 ? 5 : i) * MINUTE;
      ids.push(await addPerson(web.store, { name: `Requester ${i}`, email: `requester${i}@example.org` }, at));
    }
    answeredId = await addPerson(web.store, { name: 'Ada Answer', email: 'ada@example.org', platform: 'linkedin', profileUrl: 'https://www.linkedin.com/in/ada' }, BASE_TIME + 10 * MINUTE);
    await askAndAnswer(web.store, answeredId, BASE_TIME + 10 * MINUTE, 'I run a small bakery and would like to swap notes on suppliers.');
  });

  afterAll(async () => {
    await web?.stop();
  });

  it('GET /healthz answers while the process lives', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when Redis answers and the extra checks pass', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { redis: 'ok' } });
  });

  it('GET /readyz is 503 and names the failing check', async () => {
    const notReady = await web.app({ deps: { readiness: async () => ({ ok: false, checks: { mailbox: 'not connected: connection refused' } }) } });
    const response = await notReady.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', checks: { redis: 'ok', mailbox: 'not connected: connection refused' } });
  });

  it('GET /readyz is 503 when Redis does not answer', async () => {
    // A client for a port where nothing listens: commands fail at once instead of queueing.
    const deadRedis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const down = await web.app({ deps: { redis: deadRedis } });
      const response = await down.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      const body = response.json() as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('unavailable');
      expect(body.checks.redis).toMatch(/^failed: /);
      // Liveness does not depend on Redis.
      expect((await down.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      deadRedis.disconnect();
    }
  });

  it('refuses the API without a bearer token', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/contacts' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('refuses a wrong token, and a token sent another way', async () => {
    for (const authorization of [`Bearer ${API_TOKEN}x`, `Bearer ${API_TOKEN.slice(0, -1)}`, `Basic ${API_TOKEN}`, API_TOKEN, 'Bearer']) {
      const response = await app.inject({ method: 'GET', url: '/api/contacts', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
    }
    // Unknown API paths are not revealed to strangers either; with the token they are a JSON 404.
    const unknownRoute = await app.inject({ method: 'GET', url: '/api/contacts/x/secrets' });
    expect(unknownRoute.statusCode).toBe(401);
    const unknownWithToken = await app.inject({ method: 'GET', url: '/api/contacts/x/secrets', headers: auth });
    expect(unknownWithToken.statusCode).toBe(404);
    expect(unknownWithToken.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('refuses everyone, and says why, when API_TOKEN is not set', async () => {
    const closed = await web.app({ env: { API_TOKEN: '' } });
    const response = await closed.inject({ method: 'GET', url: '/api/contacts', headers: auth });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(response.json().message).toContain('API_TOKEN is not set');
  });

  it('lists people newest first with the token', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/contacts', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json() as { contacts: Contact[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.contacts).toHaveLength(8);
    expect(body.contacts[0]!.name).toBe('Ada Answer');
    expect(new Set(body.contacts.map((c) => c.id))).toEqual(new Set([...ids, answeredId]));
  });

  it('filters by status, and treats an empty status as any', async () => {
    const answered = (await app.inject({ method: 'GET', url: '/api/contacts?status=answered', headers: auth })).json() as { contacts: Contact[] };
    expect(answered.contacts.map((c) => c.id)).toEqual([answeredId]);
    expect(answered.contacts[0]!.answerText).toContain('bakery');

    const detected = (await app.inject({ method: 'GET', url: '/api/contacts?status=detected', headers: auth })).json() as { contacts: Contact[] };
    expect(detected.contacts).toHaveLength(7);

    const any = (await app.inject({ method: 'GET', url: '/api/contacts?status=&q=&cursor=', headers: auth })).json() as { contacts: Contact[] };
    expect(any.contacts).toHaveLength(8);
  });

  it('searches with q', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/contacts?q=REQUESTER3', headers: auth });
    expect((response.json() as { contacts: Contact[] }).contacts.map((c) => c.email)).toEqual(['requester3@example.org']);
  });

  it('answers 400 with a clear message for a status that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/contacts?status=maybe', headers: auth });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { message: string };
    expect(body.message).toContain('status: must be one of detected, awaiting_address');
    expect(body.message).toContain('answered');
  });

  it('answers 400 for a limit outside 1..200', async () => {
    for (const limit of ['0', '201', 'ten', '1.5']) {
      const response = await app.inject({ method: 'GET', url: `/api/contacts?limit=${limit}`, headers: auth });
      expect(response.statusCode, limit).toBe(400);
      expect(response.json().message).toContain('limit: must be a whole number from 1 to 200');
    }
  });

  it('pages with the cursor: every person once, no overlap, null at the end', async () => {
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/contacts?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await app.inject({ method: 'GET', url, headers: auth });
      expect(response.statusCode).toBe(200);
      const body = response.json() as { contacts: Contact[]; nextCursor: string | null };
      pages.push(body.contacts.length);
      seen.push(...body.contacts.map((c) => c.id));
      cursor = body.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([3, 3, 2]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set([...ids, answeredId]));
  });

  it('GET /api/contacts/:id gives the person and their timeline', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/contacts/${answeredId}`, headers: auth });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { contact: Contact; timeline: ContactEvent[] };
    expect(body.contact).toMatchObject({ id: answeredId, name: 'Ada Answer', status: 'answered', email: 'ada@example.org' });
    expect(body.timeline.map((e) => e.type)).toEqual(['requested', 'queued', 'asked', 'answered']);
    expect(body.timeline[2]).toMatchObject({ detail: 'script sent: 250 OK', messageId: `<script-${answeredId}@winnow.test>` });
  });

  it('GET /api/contacts/:id is 404 for someone unknown', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/contacts/nobody-here', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const malformed = await app.inject({ method: 'GET', url: '/api/contacts/a%20b', headers: auth });
    expect(malformed.statusCode).toBe(400);
  });
});
