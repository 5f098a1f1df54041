import type { FastifyPluginAsync } from 'fastify';
import { wakeWaitingScripts } from '../../queues/queues.ts';
import { HttpError, type WebContext } from '../context.ts';
import { apiErrors } from '../schemas/common.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';
import { resumedAnswer, sendingAnswer } from '../schemas/sending.ts';

/**
 * The circuit breaker, from the user's side: whether sending is paused, and resuming it. Resuming
 * starts the hour's count afresh and wakes every held script at once (each checks the limits
 * again as it goes, so a flood that is still running trips the breaker again).
 */
async function resume(context: WebContext) {
  const { deps } = context;
  const lifted = await deps.store.resumeSending();
  await wakeWaitingScripts(deps.queues);
  if (lifted) deps.logger.info({ trippedAt: new Date(lifted.trippedAt).toISOString() }, 'sending resumed by the user');
  return lifted;
}

/** POST /sending/resume: the banner's button. In the pages scope (session and CSRF checked there). */
export const sendingRoutes: FastifyPluginAsync<WebContext> = async (app, context) => {
  app.post('/sending/resume', async (request, reply) => {
    if (!request.session) throw new HttpError(401, 'Log in first.');
    const lifted = await resume(context);
    await context.people.flash.set(request.session, { kind: 'done', text: lifted ? 'Sending resumed: the scripts that waited go out now.' : 'Sending was not paused.' });
    return reply.redirect('/', 303);
  });
};

/** GET /api/sending and POST /api/sending/resume, in the API scope (scopes.ts). */
export const sendingApiRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();

  /** `{ paused: false }`, or `{ paused: true, trippedAt, limit, notifiedAt, notifyError }` while the breaker holds sending. */
  app.get('/sending', { schema: { description: 'Whether the circuit breaker holds sending, and since when.', response: { 200: sendingAnswer, ...apiErrors } } }, async () => {
    const pause = await context.deps.store.sendingPause();
    return pause ? { paused: true as const, ...pause } : { paused: false as const };
  });

  /** Lifts the pause: `{ resumed: true }`, or `{ resumed: false }` when sending was not paused. */
  app.post('/sending/resume', { schema: { description: 'Lifts the pause: the held scripts go out, each checking the limits again.', response: { 200: resumedAnswer, ...apiErrors } } }, async () => ({ resumed: (await resume(context)) !== null }));
};
