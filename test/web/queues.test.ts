import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { jobId } from '../../src/queues/queues.ts';
import { BOARD_CSRF_COOKIE, BOARD_CSRF_HEADER } from '../../src/web/routes/queues.ts';
import { failInboundJob } from '../support/failed-job.ts';
import { cookie, login, useWebTest } from './helpers.ts';

const web = useWebTest();

const MAIL = Buffer.from('From: Ada Lovelace <ada@example.org>\r\nSubject: connect?\r\n\r\nHello, this is private.').toString('base64');

/** One inbound job, failed for real by a worker. */
async function failedInboundJob(uid: number): Promise<string> {
  const id = await failInboundJob(web.queues, web.config.redis, uid, MAIL, 'the message could not be stored');
  expect(await web.queues.inbound.getJobState(id)).toBe('failed');
  return id;
}

/** A logged-in visitor who has opened the board: the session cookie and the token the board's calls repeat. */
async function openBoard(app: FastifyInstance) {
  const session = await login(app);
  const page = await app.inject({ method: 'GET', url: '/queues', cookies: { winnow_session: session } });
  expect(page.statusCode).toBe(200);
  const token = cookie(page, BOARD_CSRF_COOKIE);
  expect(token?.path).toBe('/queues');
  expect(token?.sameSite).toBe('Strict');
  return { session, token: token!.value };
}

function call(app: FastifyInstance, method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, visitor: { session?: string; token?: string } = {}, payload?: object) {
  return app.inject({
    method,
    url,
    ...(payload ? { payload } : {}),
    cookies: visitor.session ? { winnow_session: visitor.session } : {},
    headers: visitor.token ? { [BOARD_CSRF_HEADER]: visitor.token } : {},
  });
}

interface BoardJob {
  id: string;
  failedReason?: string;
  data: Record<string, unknown>;
}

async function failedJobsOnBoard(app: FastifyInstance, session: string, queue: string): Promise<BoardJob[]> {
  const response = await call(app, 'GET', `/queues/api/queues?activeQueue=${queue}&status=failed&page=1&jobsPerPage=50`, { session });
  expect(response.statusCode).toBe(200);
  const body = response.json<{ queues: Array<{ name: string; jobs: BoardJob[] }> }>();
  return body.queues.find((entry) => entry.name === queue)!.jobs;
}

describe('the queue board at /queues', () => {
  it('is refused without a session: the page and its calls send to the login form', async () => {
    const app = await web.app();
    const page = await call(app, 'GET', '/queues');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fqueues');
    const list = await call(app, 'GET', '/queues/api/queues');
    expect(list.statusCode).toBe(303);
    expect(list.headers.location).toBe('/login?next=%2Fqueues%2Fapi%2Fqueues');
    expect(list.body).not.toContain('inbound');
    expect((await call(app, 'GET', '/queues/static/js/main.f10757109b.js')).statusCode).toBe(303);
    expect((await call(app, 'GET', '/queues', { session: 'not-a-session' })).statusCode).toBe(303);
  });

  it('shows the board to a logged-in user under its own policy, with no font from another site', async () => {
    const app = await web.app();
    const session = await login(app);
    const page = await call(app, 'GET', '/queues', { session });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Winnow queues</title>');
    expect(page.body).toContain('static/js/main.');
    expect(page.body).not.toContain('googleapis');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    const script = await call(app, 'GET', '/queues/static/js/main.f10757109b.js', { session });
    expect(script.statusCode).toBe(200);
    // The relaxation stays below /queues: the dashboard keeps its own policy.
    const overview = await call(app, 'GET', '/health', { session });
    expect(String(overview.headers['content-security-policy'])).not.toContain('script-src');
    expect(String(overview.headers['content-security-policy'])).not.toContain('unsafe-inline');
    expect(overview.body).toContain('href="/queues"');
  });

  it('lists a failed job of every queue with its reason, but not the mail it carries', async () => {
    const app = await web.app();
    const id = await failedInboundJob(1);
    const { session } = await openBoard(app);
    const list = await call(app, 'GET', '/queues/api/queues', { session });
    expect(list.json<{ queues: Array<{ name: string }> }>().queues.map((queue) => queue.name).sort()).toEqual(['deadline', 'inbound', 'send', 'sent-copy', 'webhook']);
    const jobs = await failedJobsOnBoard(app, session, 'inbound');
    expect(jobs.map((job) => job.id)).toEqual([id]);
    expect(jobs[0]!.failedReason).toBe('the message could not be stored');
    expect(jobs[0]!.data.mailbox).toBe('INBOX');
    expect(jobs[0]!.data.source).toMatch(/^\(the message, about \d+ bytes, is not shown here\)$/);
    const single = await call(app, 'GET', `/queues/api/queues/inbound/${encodeURIComponent(id)}`, { session });
    expect(single.statusCode).toBe(200);
    expect(single.body).not.toContain(MAIL);
    expect(single.body).not.toContain('Lovelace');
  });

  it('retries a failed job with the session and the board token, and refuses it without either', async () => {
    const app = await web.app();
    const id = await failedInboundJob(2);
    const { session, token } = await openBoard(app);
    const url = `/queues/api/queues/inbound/${encodeURIComponent(id)}/retry`;

    for (const visitor of [{}, { token }]) {
      const refused = await call(app, 'PUT', url, visitor);
      expect(refused.statusCode).toBe(303);
      expect(refused.headers.location).toBe('/login');
    }
    const noToken = await call(app, 'PUT', url, { session });
    expect(noToken.statusCode).toBe(403);
    expect((await call(app, 'PUT', url, { session, token: 'forged-token' })).statusCode).toBe(403);
    // Another session's token is not this one's.
    const other = await openBoard(app);
    expect((await call(app, 'PUT', url, { session, token: other.token })).statusCode).toBe(403);
    expect(await web.queues.inbound.getJobState(id)).toBe('failed');

    const retried = await call(app, 'PUT', url, { session, token });
    expect(retried.statusCode).toBe(204);
    expect(await web.queues.inbound.getJobState(id)).toBe('waiting');
    // Only failed jobs: the same call on the now waiting job is refused.
    expect((await call(app, 'PUT', url, { session, token })).statusCode).toBe(403);
  });

  it('removes a failed job, and nothing that is not failed', async () => {
    const app = await web.app();
    const id = await failedInboundJob(3);
    await web.queues.send.add('send', { mailbox: 'INBOX', contactId: 'c-1' }, { jobId: jobId.send('INBOX', 'c-1') });
    const { session, token } = await openBoard(app);

    const waiting = await call(app, 'PUT', `/queues/api/queues/send/${encodeURIComponent(jobId.send('INBOX', 'c-1'))}/clean`, { session, token });
    expect(waiting.statusCode).toBe(403);
    expect(await web.queues.send.getJobState(jobId.send('INBOX', 'c-1'))).toBe('waiting');

    const removed = await call(app, 'PUT', `/queues/api/queues/inbound/${encodeURIComponent(id)}/clean`, { session, token });
    expect(removed.statusCode).toBe(204);
    expect(await web.queues.inbound.getJob(id)).toBeUndefined();
    expect(await failedJobsOnBoard(app, session, 'inbound')).toEqual([]);
  });

  it('refuses every other change, with the session and the token', async () => {
    const app = await web.app();
    const id = await failedInboundJob(4);
    const { session, token } = await openBoard(app);
    const job = encodeURIComponent(id);
    const changes: Array<['PUT' | 'POST' | 'PATCH', string, object?]> = [
      ['PUT', '/queues/api/queues/pause'],
      ['PUT', '/queues/api/queues/inbound/pause'],
      ['PUT', '/queues/api/queues/inbound/clean/failed'],
      ['PUT', '/queues/api/queues/inbound/retry/failed'],
      ['PUT', '/queues/api/queues/inbound/empty'],
      ['PUT', '/queues/api/queues/inbound/obliterate', {}],
      ['PUT', '/queues/api/queues/inbound/promote'],
      ['PUT', `/queues/api/queues/inbound/${job}/promote`],
      ['POST', '/queues/api/queues/inbound/add', { name: 'inbound', data: {} }],
      ['PATCH', `/queues/api/queues/inbound/${job}/update-data`, { data: { source: 'x' } }],
    ];
    for (const [method, url, payload] of changes) {
      const response = await call(app, method, url, { session, token }, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
    expect(await web.queues.inbound.isPaused()).toBe(false);
    expect(await web.queues.inbound.getJobState(id)).toBe('failed');
    expect((await web.queues.inbound.getJob(id))!.data.source).toBe(MAIL);
    expect(await web.queues.inbound.count()).toBe(0);
  });
});
