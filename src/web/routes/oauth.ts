import { PROVIDER_LABELS } from '../../mailboxes/oauth-providers.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CALLBACK_PATH, SignInRefused } from '../../mailboxes/oauth.ts';
import { wakeWaitingScripts } from '../../queues/queues.ts';
import { MAILBOX_ID } from '../../mailboxes/records.ts';
import { HttpError, type WebContext } from '../context.ts';
import { connectPage, continueToProviderPage } from '../views/connect.ts';

/**
 * Connecting a mailbox by signing in with Google or Microsoft (src/mailboxes/oauth.ts), in the
 * pages scope: every route needs the session, and every POST its CSRF token. The callback is a GET
 * the provider sends the browser to; the session cookie (SameSite=Lax) comes with it, and the
 * sign-in is checked against that session. Whatever goes wrong ends on the Mailboxes page with a
 * message, never an error page, and no token is ever put in an address or a log line.
 */

const MAILBOXES_PAGE = '/mailboxes';

type Form = Record<string, string | undefined>;

function serverOf(form: Form, side: 'imap' | 'smtp') {
  const port = Number(form[`${side}Port`]);
  return { host: form[`${side}Host`] ?? '', port: Number.isInteger(port) ? port : Number.NaN, secure: form[`${side}Security`] !== 'starttls' };
}

export const oauthRoutes: FastifyPluginAsync<WebContext> = async (app, context) => {
  const flow = context.deps.signInFlow;
  const { flash } = context.people;

  async function back(request: FastifyRequest, reply: FastifyReply, kind: 'done' | 'refused', text: string) {
    if (request.session) await flash.set(request.session, { kind, text });
    return reply.redirect(MAILBOXES_PAGE, 303);
  }

  async function toProvider(request: FastifyRequest, reply: FastifyReply, label: string, start: () => Promise<URL>) {
    try {
      const url = (await start()).href;
      reply.header('Refresh', `0;url=${url}`);
      return reply.type('text/html; charset=utf-8').send(continueToProviderPage(context.view(request), label, url).value);
    } catch (error) {
      if (error instanceof SignInRefused) return back(request, reply, 'refused', `Not connected: ${error.message}`);
      throw error;
    }
  }

  app.get('/mailboxes/connect', async (request, reply) => {
    const message = await flash.take(request.session);
    return reply.type('text/html; charset=utf-8').send(connectPage(context.view(request), flow?.providers ?? [], message).value);
  });

  app.post<{ Params: { provider: string }; Body: Form }>('/mailboxes/oauth/:provider', async (request, reply) => {
    if (!request.session) throw new HttpError(401, 'Log in first.');
    const session = request.session;
    if (!flow) return back(request, reply, 'refused', 'Not connected: signing in with a provider needs WINNOW_SECRET, to keep its tokens encrypted.');
    const form = request.body ?? {};
    const provider = flow.providers.find((each) => each.id === request.params.provider);
    return toProvider(request, reply, provider?.label ?? request.params.provider, () => flow.start(session.id, request.params.provider, { name: form.name ?? '', imap: serverOf(form, 'imap'), smtp: serverOf(form, 'smtp') }));
  });

  app.post<{ Params: { id: string } }>('/mailboxes/:id/sign-in', async (request, reply) => {
    if (!request.session) throw new HttpError(401, 'Log in first.');
    const session = request.session;
    if (!MAILBOX_ID.test(request.params.id)) throw new HttpError(404, 'There is no such mailbox.');
    if (!flow) return back(request, reply, 'refused', 'Not signed in: signing in with a provider needs WINNOW_SECRET, to keep its tokens encrypted.');
    const mailbox = await flow.mailbox(request.params.id);
    return toProvider(request, reply, PROVIDER_LABELS[mailbox?.auth === 'microsoft' ? 'microsoft' : 'google'], () => flow.startAgain(session.id, request.params.id));
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    if (!request.session) throw new HttpError(401, 'Log in first.');
    if (!flow) return back(request, reply, 'refused', 'Not connected: signing in with a provider is not set up here.');
    const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
    try {
      const result = await flow.complete(request.session.id, query);
      // Scripts that waited for this mailbox go now rather than at their next try.
      if (result.again) await wakeWaitingScripts(context.deps.queues);
      return await back(
        request,
        reply,
        'done',
        result.again ? `Signed in again: ${result.name} (${result.address}) is connected, and what waited for it goes now.` : `Connected: ${result.name} (${result.address}). Winnow watches it from now on.`,
      );
    } catch (error) {
      if (error instanceof SignInRefused) return back(request, reply, 'refused', `Not connected: ${error.message}`);
      context.deps.logger.error({ err: error instanceof Error ? { name: error.name, message: error.message } : undefined }, 'the sign-in could not be finished');
      return back(request, reply, 'refused', 'Not connected: the sign-in could not be finished because of an error on our side (see the log). Try again.');
    }
  });
};
