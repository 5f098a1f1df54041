import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { adviceText } from '../../config/advice.ts';
import { checkMailbox, type Outcome } from '../../mailboxes/check.ts';
import { MailboxError, type MailboxWithState } from '../../mailboxes/records.ts';
import { capitalised, HttpError, type WebContext } from '../context.ts';
import type { Html } from '../html.ts';
import { apiErrors } from '../schemas/common.ts';
import {
  createdAnswer,
  mailboxActionForm,
  mailboxAnswer,
  mailboxConflict,
  mailboxesAnswer,
  mailboxForm,
  mailboxNotFound,
  mailboxPageParams,
  mailboxParams,
  mailboxPatch,
  mailboxRefused,
  newMailboxBody,
  noBody,
  removedAnswer,
  removeForm,
  testAnswer,
  type MailboxFormBody,
} from '../schemas/mailboxes.ts';
import { validatorCompiler, type ZodTypeProvider } from '../schemas/provider.ts';
import { editMailboxPage, fromText, mailboxesPage, removeMailboxPage, type FormProblem, type MailboxFormValues } from '../views/mailboxes.ts';

/**
 * The user's mailboxes, on the Mailboxes page and through the API; both go through the mailbox
 * store (src/mailboxes/records.ts), which checks the settings and keeps passwords only sealed.
 * Neither ever answers with a password or token. The watchers in the worker processes see every
 * change within a poll (src/runtime/mailboxes.ts): nothing here starts or stops one.
 */

const STATUS_OF_PROBLEM = { invalid: 400, missing: 404, state: 409, no_key: 409 } as const;

/** A refusal of the store as the HTTP error it is; anything else goes on as it was. */
function asHttpError(error: unknown): never {
  if (error instanceof MailboxError) throw new HttpError(STATUS_OF_PROBLEM[error.problem], capitalised(error.message));
  throw error;
}

/** A mailbox as the API shows it: every field named, so nothing else (no secret) can slip into an answer. */
export function listedMailbox(mailbox: MailboxWithState): z.output<typeof mailboxAnswer> {
  return {
    id: mailbox.id,
    name: mailbox.name,
    from: fromText(mailbox.from),
    state: mailbox.state,
    connectedSince: mailbox.connectedSince,
    lastError: mailbox.lastError,
    lastErrorAt: mailbox.lastErrorAt,
    lastMailAt: mailbox.lastMailAt,
    paused: mailbox.paused,
    auth: mailbox.auth,
    source: mailbox.source,
    imap: { host: mailbox.imap.host, port: mailbox.imap.port, secure: mailbox.imap.secure, user: mailbox.imap.user, folder: mailbox.imap.folder },
    smtp: { host: mailbox.smtp.host, port: mailbox.smtp.port, secure: mailbox.smtp.secure, user: mailbox.smtp.user },
  };
}

/**
 * The store checks a mailbox's settings itself and names every problem in one message ("imap.port:
 * must be …; smtp.host: is required"), with words a route schema's types would not give. So the
 * body of these routes is only required to be a JSON object; its schema documents it.
 */
// Typed loosely for the route option, which expects a compiler of the whole route schema.
const storeChecksBody: FastifySchemaCompiler<unknown> = (route) => {
  const part = route as unknown as Parameters<typeof validatorCompiler>[0];
  if (part.httpPart !== 'body') return validatorCompiler(part);
  return (data: unknown) =>
    data !== null && typeof data === 'object' && !Array.isArray(data) ? { value: data } : { error: new HttpError(400, 'The body must be a JSON object with the mailbox\'s settings.') };
};

async function mailboxWithState(context: WebContext, id: string): Promise<MailboxWithState> {
  const found = (await context.mailboxes.withState()).find((mailbox) => mailbox.id === id);
  if (!found) throw new HttpError(404, 'There is no such mailbox; it may have been removed.');
  return found;
}

/** How one side of a mailbox answered a test: `detail` says what was done, or what is wrong and what to change. */
interface MailboxCheckSide {
  ok: boolean;
  detail: string;
}

/** One side of a check as the page and the API say it: a warning still works, with what to change. */
function checkSide(outcome: Outcome): MailboxCheckSide {
  switch (outcome.state) {
    case 'ok':
      return { ok: true, detail: outcome.summary };
    case 'warn':
      return { ok: true, detail: `${outcome.summary}. ${outcome.fix}` };
    case 'fail':
      return { ok: false, detail: adviceText(outcome.advice) };
    case 'skipped':
      return { ok: false, detail: `not checked: ${outcome.reason}` };
  }
}

/**
 * Logs in to the mailbox's IMAP and SMTP now, with the checks of `winnow doctor`
 * (src/mailboxes/check.ts): with its password, or with a current access token for one that signs
 * in with Google or Microsoft.
 */
async function testMailbox(context: WebContext, id: string): Promise<{ imap: MailboxCheckSide; smtp: MailboxCheckSide }> {
  const access = await context.mailboxes.access(id).catch(asHttpError);
  if (!access) throw new HttpError(404, 'There is no such mailbox; it may have been removed.');
  const { imap, smtp } = await checkMailbox(access, context.deps.config, context.deps.signIn);
  return { imap: checkSide(imap), smtp: checkSide(smtp) };
}

/** /api/mailboxes…, in the API scope (bearer token). */
export const mailboxesApiRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { mailboxes } = context;

  app.get('/mailboxes', { schema: { description: 'Every mailbox and where it stands; never a password or token.', response: { 200: mailboxesAnswer, ...apiErrors } } }, async () => ({
    mailboxes: (await mailboxes.withState()).map(listedMailbox),
  }));

  app.post(
    '/mailboxes',
    {
      schema: { description: 'Adds a mailbox that logs in with a password; it is watched from now on. A bad setting is refused with every problem named; an unreachable server is not: its state says why later.', body: newMailboxBody, response: { 201: createdAnswer, ...apiErrors, 400: mailboxRefused, 409: mailboxConflict } },
      validatorCompiler: storeChecksBody,
    },
    async (request, reply) => {
      const added = await mailboxes.add(request.body).catch(asHttpError);
      request.log.info({ mailbox: added.id }, 'mailbox added');
      return reply.code(201).send({ id: added.id });
    },
  );

  app.get('/mailboxes/:id', { schema: { description: 'A mailbox and where it stands.', params: mailboxParams, response: { 200: mailboxAnswer, ...apiErrors, 404: mailboxNotFound } } }, async (request) =>
    listedMailbox(await mailboxWithState(context, request.params.id)),
  );

  app.patch(
    '/mailboxes/:id',
    {
      schema: { description: 'Changes an added mailbox\'s settings; passwords left out stay. The main mailbox is changed in the environment.', params: mailboxParams, body: mailboxPatch, response: { 200: mailboxAnswer, ...apiErrors, 400: mailboxRefused, 404: mailboxNotFound, 409: mailboxConflict } },
      validatorCompiler: storeChecksBody,
    },
    async (request) => {
      await mailboxes.update(request.params.id, request.body).catch(asHttpError);
      request.log.info({ mailbox: request.params.id }, 'mailbox changed');
      return listedMailbox(await mailboxWithState(context, request.params.id));
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(
      `/mailboxes/:id/${action}`,
      {
        schema: {
          description: paused ? 'Stops watching the mailbox (the main one too); its settings stay.' : 'Watches a paused mailbox again.',
          params: mailboxParams,
          body: noBody,
          response: { 200: mailboxAnswer, ...apiErrors, 404: mailboxNotFound },
        },
      },
      async (request) => {
        await mailboxes.setPaused(request.params.id, paused).catch(asHttpError);
        request.log.info({ mailbox: request.params.id }, paused ? 'mailbox paused' : 'mailbox resumed');
        return listedMailbox(await mailboxWithState(context, request.params.id));
      },
    );
  }

  app.delete(
    '/mailboxes/:id',
    { schema: { description: 'Removes an added mailbox: it is no longer watched, and its settings and passwords are gone. The people whose requests came to it stay.', params: mailboxParams, response: { 200: removedAnswer, ...apiErrors, 404: mailboxNotFound, 409: mailboxConflict } } },
    async (request) => {
      const removed = await mailboxes.remove(request.params.id).catch(asHttpError);
      if (!removed) throw new HttpError(404, 'There is no such mailbox.');
      request.log.info({ mailbox: removed.id }, 'mailbox removed');
      return { id: removed.id };
    },
  );

  app.post(
    '/mailboxes/:id/test',
    {
      schema: {
        description: 'Logs in to the mailbox\'s IMAP server (opening its folder) and SMTP server now, and says how each went, with advice on failure.',
        params: mailboxParams,
        body: noBody,
        response: { 200: testAnswer, ...apiErrors, 404: mailboxNotFound, 409: mailboxConflict },
      },
    },
    async (request) => testMailbox(context, request.params.id),
  );
};

// ---- The Mailboxes page ----------------------------------------------------------------------

/** A store path ("imap.port") as the form's field and the words a user reads. */
const FIELDS: Record<string, { field: FormProblem['field']; label: string }> = {
  name: { field: 'name', label: 'Name' },
  from: { field: 'from', label: 'From' },
  'imap.host': { field: 'imapHost', label: 'IMAP server' },
  'imap.port': { field: 'imapPort', label: 'IMAP port' },
  'imap.secure': { field: 'imapSecurity', label: 'IMAP encryption' },
  'imap.user': { field: 'imapUser', label: 'IMAP user' },
  'imap.pass': { field: 'imapPass', label: 'IMAP password' },
  'imap.folder': { field: 'imapFolder', label: 'IMAP folder' },
  'smtp.host': { field: 'smtpHost', label: 'SMTP server' },
  'smtp.port': { field: 'smtpPort', label: 'SMTP port' },
  'smtp.secure': { field: 'smtpSecurity', label: 'SMTP encryption' },
  'smtp.user': { field: 'smtpUser', label: 'SMTP user' },
  'smtp.pass': { field: 'smtpPass', label: 'SMTP password' },
};

/** The store's refusal as problems of the form's fields; one that names no field stays whole. */
export function formProblems(error: MailboxError): FormProblem[] {
  if (error.problem !== 'invalid') return [{ field: null, text: capitalised(error.message) }];
  const problems = error.message.split('; ').map((part): FormProblem => {
    const at = part.indexOf(': ');
    const known = at > 0 ? FIELDS[part.slice(0, at)] : undefined;
    return known ? { field: known.field, text: `${known.label} ${part.slice(at + 2)}` } : { field: null, text: capitalised(part) };
  });
  // One problem per field, the first: an empty host is "required", and saying it is no host name too adds nothing.
  return problems.filter((problem, index) => problem.field === null || problems.findIndex((other) => other.field === problem.field) === index);
}

/** What the form sends, as the store takes it. A port that is no number stays text, so the store says so. */
export function mailboxInput(body: MailboxFormBody, editing: boolean) {
  const port = (value: string) => (value.trim() === '' ? undefined : /^\d+$/.test(value.trim()) ? Number(value.trim()) : value);
  const secure = (value: string) => (value === 'tls' ? true : value === 'starttls' ? false : undefined);
  // On the edit form an empty password keeps the one Winnow has.
  const pass = (value: string) => (editing && value === '' ? undefined : value);
  const folder = body.imapFolder.trim() === '' ? undefined : body.imapFolder;
  return {
    name: body.name,
    from: body.from,
    imap: { host: body.imapHost, port: port(body.imapPort), secure: secure(body.imapSecurity), user: body.imapUser, pass: pass(body.imapPass), folder },
    smtp: { host: body.smtpHost, port: port(body.smtpPort), secure: secure(body.smtpSecurity), user: body.smtpUser, pass: pass(body.smtpPass) },
  };
}

function formValues(body: MailboxFormBody): MailboxFormValues {
  const { name, from, imapHost, imapPort, imapSecurity, imapUser, imapFolder, smtpHost, smtpPort, smtpSecurity, smtpUser } = body;
  return { name, from, imapHost, imapPort, imapSecurity, imapUser, imapFolder, smtpHost, smtpPort, smtpSecurity, smtpUser };
}

function valuesOf(mailbox: MailboxWithState): MailboxFormValues {
  return {
    name: mailbox.name,
    from: fromText(mailbox.from),
    imapHost: mailbox.imap.host,
    imapPort: String(mailbox.imap.port),
    imapSecurity: mailbox.imap.secure ? 'tls' : 'starttls',
    imapUser: mailbox.imap.user,
    imapFolder: mailbox.imap.folder,
    smtpHost: mailbox.smtp.host,
    smtpPort: String(mailbox.smtp.port),
    smtpSecurity: mailbox.smtp.secure ? 'tls' : 'starttls',
    smtpUser: mailbox.smtp.user,
  };
}

/** The Mailboxes page and its forms, in the pages scope (session for every route, CSRF token for every POST). */
export const mailboxesRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { mailboxes } = context;
  const { flash } = context.people;
  const page = (reply: FastifyReply, body: Html, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body.value);
  const done = async (request: FastifyRequest, text: string, kind: 'done' | 'refused' = 'done') => {
    if (request.session) await flash.set(request.session, { kind, text });
  };
  app.get('/mailboxes', async (request, reply) => {
    const [all, message] = await Promise.all([mailboxes.withState(), flash.take(request.session)]);
    return page(reply, mailboxesPage(context.view(request), { mailboxes: all, flash: message, providers: context.deps.signInFlow?.providers ?? [] }));
  });

  app.post('/mailboxes', { schema: { body: mailboxForm } }, async (request, reply) => {
    try {
      const added = await mailboxes.add(mailboxInput(request.body, false));
      request.log.info({ mailbox: added.id }, 'mailbox added');
      await done(request, `Mailbox ${added.name} added. Winnow connects to it in a moment; its state shows here.`);
      return reply.redirect(`/mailboxes#mailbox-${added.id}`, 303);
    } catch (error) {
      if (!(error instanceof MailboxError)) throw error;
      const all = await mailboxes.withState();
      return page(reply, mailboxesPage(context.view(request), { mailboxes: all, flash: null, values: formValues(request.body), problems: formProblems(error), providers: context.deps.signInFlow?.providers ?? [] }), error.problem === 'no_key' ? 409 : 400);
    }
  });

  app.get('/mailboxes/:id', { schema: { params: mailboxPageParams } }, async (request, reply) => {
    const mailbox = await mailboxWithState(context, request.params.id);
    if (mailbox.source === 'env') throw new HttpError(409, 'The main mailbox is set in the environment (IMAP_*, SMTP_*, MAIL_FROM): change it there and restart Winnow. Here it can only be paused.');
    return page(reply, editMailboxPage(context.view(request), mailbox, valuesOf(mailbox)));
  });

  app.post('/mailboxes/:id', { schema: { params: mailboxPageParams, body: mailboxForm } }, async (request, reply) => {
    const mailbox = await mailboxWithState(context, request.params.id);
    try {
      await mailboxes.update(mailbox.id, mailboxInput(request.body, true));
    } catch (error) {
      // Removed meanwhile: a 404 page, not the form again.
      if (!(error instanceof MailboxError) || error.problem === 'missing') return asHttpError(error);
      return page(reply, editMailboxPage(context.view(request), mailbox, formValues(request.body), formProblems(error)), STATUS_OF_PROBLEM[error.problem]);
    }
    request.log.info({ mailbox: mailbox.id }, 'mailbox changed');
    await done(request, `Mailbox ${request.body.name || mailbox.name} saved. Winnow connects to it again with the new settings.`);
    return reply.redirect('/mailboxes', 303);
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/mailboxes/:id/${action}`, { schema: { params: mailboxPageParams, body: mailboxActionForm } }, async (request, reply) => {
      const changed = await mailboxes.setPaused(request.params.id, paused).catch(asHttpError);
      request.log.info({ mailbox: changed.id }, paused ? 'mailbox paused' : 'mailbox resumed');
      await done(request, paused ? `Mailbox ${changed.name} paused: Winnow no longer watches it.` : `Mailbox ${changed.name} resumed: Winnow watches it again.`);
      return reply.redirect('/mailboxes', 303);
    });
  }

  app.post('/mailboxes/:id/test', { schema: { params: mailboxPageParams, body: mailboxActionForm } }, async (request, reply) => {
    const mailbox = await mailboxWithState(context, request.params.id);
    const outcome = await testMailbox(context, mailbox.id);
    const side = (name: string, result: { ok: boolean; detail: string }) => `${name}: ${result.ok ? 'works' : 'fails'}, ${result.detail}`;
    await done(request, `Test of ${mailbox.name}. ${side('IMAP', outcome.imap)} ${side('SMTP', outcome.smtp)}`, outcome.imap.ok && outcome.smtp.ok ? 'done' : 'refused');
    return reply.redirect('/mailboxes', 303);
  });

  app.get('/mailboxes/:id/remove', { schema: { params: mailboxPageParams } }, async (request, reply) => {
    const mailbox = await mailboxWithState(context, request.params.id);
    if (mailbox.source === 'env') throw new HttpError(409, 'The main mailbox is set in the environment and cannot be removed here: pause it instead, or change IMAP_* there.');
    return page(reply, removeMailboxPage(context.view(request), mailbox));
  });

  app.post('/mailboxes/:id/remove', { schema: { params: mailboxPageParams, body: removeForm } }, async (request, reply) => {
    // Without the confirmation page's field, the confirmation page is where this goes.
    if (request.body.confirm !== 'yes') return reply.redirect(`/mailboxes/${request.params.id}/remove`, 303);
    const removed = await mailboxes.remove(request.params.id).catch(asHttpError);
    if (!removed) throw new HttpError(404, 'There is no such mailbox; it may have been removed already.');
    request.log.info({ mailbox: removed.id }, 'mailbox removed');
    await done(request, `Mailbox ${removed.name} removed: Winnow no longer watches it.`);
    return reply.redirect('/mailboxes', 303);
  });
};
