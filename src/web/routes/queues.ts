import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { QUEUE_NAMES } from '../../queues/queues.ts';
import { HttpError, type WebContext } from '../context.ts';
import { sessionGuards } from '../guards.ts';
import { CONTENT_SECURITY_POLICY, routeCsp, sameSecret } from '../security.ts';

/** Where the board lives; its pages, files and JSON calls are all below it. */
export const QUEUE_BOARD_PATH = '/queues';

/**
 * The cookie and header of the board's CSRF check. The board's page is a prebuilt app we cannot
 * put a form field into, but its HTTP client (axios) copies a cookie of this name into a header
 * of this name on every call to its own origin. The cookie holds the session's CSRF token; a
 * change is done only when the header repeats it. Another site can neither read the cookie nor
 * send a custom header here (that would need a CORS preflight we never grant), and the session
 * cookie itself is SameSite=Lax, so it is not sent with another site's PUT in the first place.
 */
export const BOARD_CSRF_COOKIE = 'XSRF-TOKEN';
export const BOARD_CSRF_HEADER = 'x-xsrf-token';

/** The only changes the board may make: retrying or removing one failed job. */
const ALLOWED_CHANGES = new Set(['/queues/api/queues/:queueName/:jobId/retry', '/queues/api/queues/:queueName/:jobId/clean']);

/**
 * The board's Content-Security-Policy: the dashboard's, plus its own script files and calls to
 * this origin, inline styles (the app sets style attributes and its loading screen has a style
 * element) and a <base> of this origin. Still no inline script, nothing from another origin and
 * no framing. Only responses below /queues get it.
 */
export const QUEUE_BOARD_POLICY = Object.freeze({
  ...CONTENT_SECURITY_POLICY,
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'connect-src': ["'self'"],
  // The page finds its files through <base href="/queues/">.
  'base-uri': ["'self'"],
});

/** The board's page links a web font from Google; it is dropped so that no third party learns who looks. */
const REMOTE_FONT_LINK = /<link href="https:\/\/fonts\.googleapis\.com\/[^"]*" rel="stylesheet">\s*/g;

/**
 * What the board shows of a job's data. Inbound and sent-copy jobs carry whole messages (base64 in
 * `source`), that is personal data of people who never chose to be shown here: the board shows
 * their size only. Everything else (mailbox, ids, flags) is what a failed job is recognised by.
 */
export function boardJobData(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('source' in data)) return data;
  const { source, ...rest } = data as { source: unknown };
  const size = typeof source === 'string' ? Math.floor((source.length * 3) / 4) : 0;
  return { ...rest, source: `(the message, about ${size} bytes, is not shown here)` };
}

/**
 * The queue board (bull-board) at /queues: every Winnow queue with its jobs, for the logged-in
 * user only. It looks without touching, except that a failed job may be retried or removed: the
 * one thing the health page's failed count calls for. Pause, clean, promote, add, edit and the
 * rest of the board's actions are refused here, whatever the page offers.
 */
export const queueBoardRoutes: FastifyPluginAsync<WebContext> = async (app, options) => {
  const { prefix: _prefix, ...context } = options as WebContext & { prefix?: string };
  const { deps } = context;
  const guards = sessionGuards(context);

  // The webhook queue is the webhooks' own producer (context.webhooks), closed with them.
  const queues = [...QUEUE_NAMES.map((name) => deps.queues[name] as Queue), context.webhooks.queue as Queue];
  const byName = new Map(queues.map((queue) => [queue.name, queue]));

  // Not read-only in bull-board's sense, which would refuse retries too; the guard below allows
  // exactly retry and remove of failed jobs. allowCompletedRetries (read by bull-board, missing
  // from its types) hides the retry button of completed jobs.
  const adapterOptions = { readOnlyMode: false, allowRetries: true, allowCompletedRetries: false };
  const boardQueues = queues.map((queue) => {
    const adapter = new BullMQAdapter(queue, adapterOptions);
    adapter.setFormatter('data', boardJobData);
    return adapter;
  });
  const server = new FastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: boardQueues,
    serverAdapter: server,
    options: { uiConfig: { boardTitle: 'Winnow queues', hideDocsLink: true, miscLinks: [{ text: 'Back to the dashboard', url: '/health' }] } },
  });

  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object | undefined), helmet: routeCsp(QUEUE_BOARD_POLICY) } as typeof route.config;
  });

  // As for every page: without a session, the page and the board's calls go to the login form.
  app.addHook('onRequest', guards.loadSession);
  app.addHook('onRequest', guards.requireSession);

  // The token for the board's calls, set whenever the page or its files are loaded with a session.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const session = request.session!;
    if (request.method === 'GET' && request.cookies[BOARD_CSRF_COOKIE] !== session.csrf) {
      // Readable by the page's script (that is the point); only sent to the board's paths.
      reply.setCookie(BOARD_CSRF_COOKIE, session.csrf, { path: QUEUE_BOARD_PATH, sameSite: 'strict', secure: request.protocol === 'https', httpOnly: false });
    }
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const given = request.headers[BOARD_CSRF_HEADER];
    if (typeof given !== 'string' || given === '' || !sameSecret(given, request.session!.csrf)) {
      throw new HttpError(403, 'This change did not come from the queue board. Reload the board and try again.');
    }
    if (request.method !== 'PUT' || !ALLOWED_CHANGES.has(request.routeOptions.url ?? '')) {
      throw new HttpError(403, 'The queue board only retries or removes failed jobs.');
    }
    const { queueName, jobId } = request.params as { queueName: string; jobId: string };
    const queue = byName.get(queueName);
    const state = queue ? await queue.getJobState(jobId) : 'unknown';
    if (state !== 'failed') throw new HttpError(403, `Only failed jobs can be retried or removed here; this one is ${state === 'unknown' ? 'not there' : state}.`);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof payload === 'string' && typeof type === 'string' && type.startsWith('text/html')) return payload.replace(REMOTE_FONT_LINK, '');
    return payload;
  });

  await app.register(server.registerPlugin());
};
