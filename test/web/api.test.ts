import type { FastifyInstance, RouteOptions } from 'fastify';
import { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Contact, ContactEvent } from '../../src/vocabulary/contact.ts';
import { jobId } from '../../src/queues/queues.ts';
import { addPerson, API_TOKEN, askAndAnswer, BASE_TIME, useWebTest } from './helpers.ts';

const auth = { authorization: `Bearer ${API_TOKEN}` };
const MINUTE = 60_000;

describe('probes and JSON API', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  const ids: string[] = [];
  let answeredId = '';

  beforeEach(async () => {
    app = await web.app();
    // Seven people, one minute apart, the newest last; two share a timestamp to test the cursor on ties.
    for (let i = 0; i < 7; i++) {
      const at = BASE_TIME + (i === 6 ? 5 : i) * MINUTE;
      ids.push(await addPerson(web.store, { name: `Requester ${i}`, email: `requester${i}@example.org` }, at));
    }
    answeredId = await addPerson(web.store, { name: 'Ada Answer', email: 'ada@example.org', platform: 'linkedin', profileUrl: 'https://www.linkedin.com/in/ada' }, BASE_TIME + 10 * MINUTE);
    await askAndAnswer(web.store, answeredId, BASE_TIME + 10 * MINUTE, 'I run a small bakery and would like to swap notes on suppliers.');
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

  it('documents every API route: what it does, its parameters and body, and every answer it gives', async () => {
    const routes: RouteOptions[] = [];
    await web.app({ onRoute: (route) => routes.push(route) });
    const api = routes.filter((route) => route.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(20);
    for (const route of api) {
      const name = `${[route.method].flat().join(',')} ${route.url}`;
      const schema = route.schema as { description?: string; params?: unknown; body?: unknown; response?: Record<string, unknown> } | undefined;
      expect(schema?.description, name).toEqual(expect.any(String));
      // Path parameters are checked, and a refused token or a failure answers as documented.
      if (route.url.includes('/:')) expect(schema?.params, name).toBeDefined();
      if (['POST', 'PUT'].includes(String(route.method)) && !/\/(accept|reject|approve|send-again|handled|sent-on-platform|export|resume)$/.test(route.url)) expect(schema?.body, name).toBeDefined();
      expect(Object.keys(schema?.response ?? {}), name).toEqual(expect.arrayContaining(['400', '401', '500']));
    }
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
  describe('people: lists, actions and figures', () => {
    const json = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
    let waitingId = '';
    let hostileId = '';

    beforeEach(async () => {
      waitingId = await addPerson(web.store, { name: 'Wanda Waiting', email: null, status: 'awaiting_address', platform: 'linkedin', invitationId: 'inv-wanda' }, BASE_TIME + 20 * MINUTE);
      hostileId = await addPerson(web.store, { name: '@SUM(1+1)*cmd|calc', email: 'formula@example.org', headline: '-2+3' }, BASE_TIME + 21 * MINUTE);
    });

    it('refuses every people route without the token', async () => {
      const routes: Array<['GET' | 'POST' | 'DELETE', string]> = [
        ['GET', '/api/contacts.csv'],
        ['GET', '/api/overview'],
        ['GET', '/api/awaiting'],
        ['POST', '/api/contacts/decide'],
        ['POST', `/api/contacts/${answeredId}/accept`],
        ['POST', `/api/contacts/${waitingId}/address`],
        ['DELETE', `/api/contacts/${answeredId}`],
        ['POST', `/api/contacts/${answeredId}/export`],
      ];
      for (const [method, url] of routes) expect((await app.inject({ method, url })).statusCode, url).toBe(401);
    });

    it('filters and sorts like the dashboard, with the total', async () => {
      const body = (await json('GET', '/api/contacts?platform=linkedin&sort=name')).json() as { contacts: Contact[]; total: number };
      expect(body.contacts.map((c) => c.name)).toEqual(['Ada Answer', 'Wanda Waiting']);
      expect(body.total).toBe(2);
      expect((await json('GET', '/api/contacts?sort=popularity')).statusCode).toBe(400);
    });

    it('accepts: 200 with the outcome; 409 when the status does not allow it; 404 for no one', async () => {
      const accepted = await json('POST', `/api/contacts/${answeredId}/accept`);
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toMatchObject({ ok: true, id: answeredId, status: 'accepted', message: 'Ada Answer is accepted.' });
      const notYet = await json('POST', `/api/contacts/${ids[0]}/accept`);
      expect(notYet.statusCode).toBe(409);
      expect(notYet.json()).toMatchObject({ ok: false, problem: 'not_allowed', status: 'detected' });
      expect((await json('POST', '/api/contacts/nobody/reject')).statusCode).toBe(404);
    });

    it('decides in bulk', async () => {
      const response = await json('POST', '/api/contacts/decide', { ids: [answeredId, ids[1]], decision: 'rejected' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ decision: 'rejected', moved: 1, refused: 1 });
      expect((await json('POST', '/api/contacts/decide', { ids: [], decision: 'rejected' })).statusCode).toBe(400);
      expect((await json('POST', '/api/contacts/decide', { ids: [answeredId], decision: 'maybe' })).statusCode).toBe(400);
      // What is wrong, in words, as JSON.
      expect((await json('POST', '/api/contacts/decide', { decision: 'accepted' })).json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'ids: must be a list of contact ids' });
    });

    it('lists the people awaiting an address with their rendered script', async () => {
      const body = (await json('GET', '/api/awaiting')).json() as { people: Array<{ contact: Contact; script: { subject: string; text: string } }>; total: number };
      expect(body.total).toBe(1);
      expect(body.people[0]!.contact.id).toBe(waitingId);
      expect(body.people[0]!.script.text).toContain('Morgan Example');
    });

    it('sets an address: 400 for a bad one, then the script is queued with its job', async () => {
      expect((await json('POST', `/api/contacts/${waitingId}/address`, { email: 'no' })).statusCode).toBe(400);
      expect((await json('POST', `/api/contacts/${waitingId}/address`, {})).statusCode).toBe(400);
      const response = await json('POST', `/api/contacts/${waitingId}/address`, { email: 'wanda@example.org' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ ok: true, status: 'queued' });
      expect(await web.queues.send.getJob(jobId.send('primary', waitingId, 1))).toBeTruthy();
      // Send again is for people who were asked; a queued script is already on its way.
      expect((await json('POST', `/api/contacts/${waitingId}/send-again`)).json()).toMatchObject({ ok: true, message: expect.stringContaining('already on its way') });
      expect((await json('POST', `/api/contacts/${waitingId}/handled`)).statusCode).toBe(409);
    });

    it('gives the CSV of a filter, formulas defused', async () => {
      const response = await json('GET', '/api/contacts.csv?q=formula');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      const lines = response.body.split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(`"'@SUM(1+1)*cmd|calc","formula@example.org"`);
      expect(lines[1]).toContain(`"'-2+3"`);
    });

    it('lists the mail that could not be used, newest first', async () => {
      expect((await app.inject({ method: 'GET', url: '/api/skipped-mail' })).statusCode).toBe(401);
      await web.store.recordSkippedMail({ at: BASE_TIME, uid: 7, messageId: '<broken@example.org>', reason: 'the message could not be parsed' });
      const response = await json('GET', '/api/skipped-mail?limit=10');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ mails: [{ at: BASE_TIME, uid: 7, messageId: '<broken@example.org>', reason: 'the message could not be parsed' }] });
      expect((await json('GET', '/api/skipped-mail?limit=0')).statusCode).toBe(400);
    });

    it('gives the overview figures', async () => {
      const response = await json('GET', '/api/overview?period=all');
      expect(response.statusCode).toBe(200);
      const body = response.json() as { period: string; needsYou: Record<string, number>; funnel: { requests: number; answered: number; answeredUndecided: number }; series: Array<{ start: string }>; queues: Array<{ name: string }> };
      expect(body.period).toBe('all');
      // What waits for the user, as the overview opens with it.
      expect(Object.keys(body.needsYou).sort()).toEqual(['answers', 'awaitingAddress', 'awaitingApproval', 'bounced', 'failed']);
      expect(body.needsYou.answers).toBe(body.funnel.answeredUndecided);
      expect(body.funnel.requests).toBe(10);
      expect(body.funnel.answered).toBe(1);
      expect(body.series[0]!.start).toMatch(/^2024-05-01T00:00:00.000Z$/);
      expect(body.queues.map((q) => q.name)).toEqual(['inbound', 'send', 'deadline', 'sent-copy']);
    });

    it('exports a person, then erases them: 404 afterwards, and a second erase is 404', async () => {
      // The export is noted on the person's timeline, so it is a POST: a GET changes nothing.
      expect((await json('GET', `/api/contacts/${hostileId}/export`)).statusCode).toBe(404);
      expect((await web.store.timeline(hostileId)).map((entry) => entry.type)).not.toContain('exported');
      const exported = await json('POST', `/api/contacts/${hostileId}/export`);
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-disposition']).toBe(`attachment; filename="winnow-person-${hostileId}.json"`);
      expect((await web.store.timeline(hostileId)).map((entry) => entry.type)).toContain('exported');
      expect(exported.json()).toMatchObject({ format: 'winnow-person-export', contact: { id: hostileId } });
      const erased = await json('DELETE', `/api/contacts/${hostileId}?forget=false`);
      expect(erased.statusCode).toBe(200);
      expect(erased.json().message).toContain('Nothing of them is kept');
      expect((await json('GET', `/api/contacts/${hostileId}`)).statusCode).toBe(404);
      expect((await json('DELETE', `/api/contacts/${hostileId}`)).statusCode).toBe(404);
      expect(((await json('GET', '/api/contacts?q=formula')).json() as { total: number }).total).toBe(0);
    });
  });
});
