import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Contact } from '../../vocabulary/contact.ts';
import { personVariables, SAMPLE_PERSON } from '../../script/render.ts';
import { platformLabel } from '../../vocabulary/platforms.ts';
import { TestSendError } from '../../script/test-send.ts';
import { TemplateVersionNotFound } from '../../script/store.ts';
import { isContactId } from '../../text/ids.ts';
import { htmlFromBody } from '../../script/body.ts';
import { compileScript, formatOf, isOneBody, SCRIPT_KINDS, TemplateError, type CompiledScript, type ScriptKind, type ScriptVariables, type TemplateSource } from '../../script/template.ts';
import { HttpError, type WebContext } from '../context.ts';
import { pagePolicy, PREVIEW_POLICY, routeCsp } from '../security.ts';
import type { Session } from '../session.ts';
import { nameOf } from '../views/format.ts';
import { KIND_LABELS, templatesPage, templateUrl, versionPage, type EditorError, type PreviewChoice, type TemplatesPage } from '../views/templates.ts';
import { apiErrors, errorAnswer, notFound } from '../schemas/common.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';
import {
  apiDraft,
  apiSource,
  brokenTemplate,
  editorForm,
  editorPreviewAnswer,
  editorQuery,
  kindParams,
  notSent,
  renderedAnswer,
  restoreBody,
  restoreForm,
  SAMPLE_ID,
  templatesAnswer,
  templateVersion,
  testSentAnswer,
  versionParams,
  type ApiDraft,
  type EditorForm,
} from '../schemas/templates.ts';

/** People offered in the preview's list: the most recently changed ones. */
const RECENT_PEOPLE = 20;

/** What the page says was not done when the template has a problem, by the button pressed. */
const ERROR_ACTIONS: Record<EditorForm['intent'], string> = {
  save: 'not saved',
  test: 'not sent as a test',
  preview: 'not previewed',
  separate: 'not split into separate parts',
  'one-body': 'not previewed',
};

/** Browsers send textarea lines with CRLF; templates keep the plain LF they were written with. */
function sourceOf(form: Pick<EditorForm, 'format' | 'subject' | 'body' | 'text' | 'html'>): TemplateSource {
  const lf = (value: string) => value.replace(/\r\n?/g, '\n');
  if (form.format === 'one-body') return { subject: lf(form.subject), body: lf(form.body) };
  return { subject: lf(form.subject), text: lf(form.text), html: lf(form.html) };
}

/**
 * Whether the HTML part of a separately written script is still the one its text part would make:
 * the page then says the two parts match for now, and otherwise that they differ.
 */
function partsMatch(source: TemplateSource): boolean {
  return isOneBody(source) || source.html.trim() === htmlFromBody(source.text).trim();
}

function editorError(error: TemplateError): EditorError {
  return { part: error.part, line: error.line, column: error.column, problem: error.problem };
}

/**
 * The HTML part as its own document, for the preview frame. A fragment (as the default is) gets
 * a plain page around it; a whole document is served as written. Either way the response carries
 * PREVIEW_POLICY, so nothing in it can run or load.
 */
export function previewDocument(renderedHtml: string): string {
  if (/<html[\s>]/i.test(renderedHtml)) return renderedHtml;
  return `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:1rem;font:16px/1.5 system-ui,sans-serif;color:#1d1f21;background:#fff}</style></head><body>${renderedHtml}</body></html>`;
}

/** Puts an old version back in force; a version that is missing or breaks today's rules is an HttpError. */
async function restoreVersion(deps: WebContext['deps'], kind: ScriptKind, version: number) {
  try {
    return await deps.templates.restore(kind, version);
  } catch (error) {
    if (error instanceof TemplateVersionNotFound) throw new HttpError(404, `There is no version ${version} of the ${kind}.`);
    if (error instanceof TemplateError) throw new HttpError(400, `Version ${version} no longer passes the template rules (${error.message}); the ${kind} in use is unchanged.`);
    throw error;
  }
}

/** The templates pages, in the pages scope (scopes.ts); the JSON API is templatesApiRoutes below. */
export const templatesRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { deps, sessions } = context;

  const pageCsp = routeCsp(pagePolicy({ scripts: true, fetch: true, frames: true }));
  const scripts = [context.assets.templates.url];
  // The rendered HTML part waits with the session for the frame that shows it.
  const previewName = (kind: ScriptKind) => `preview:${kind}`;

  /** People to preview against: the sample first, then recent people, and the chosen one even if older. */
  async function previewPeople(chosen: string): Promise<{ choices: PreviewChoice[]; person: Contact | null }> {
    const page = await deps.store.list({ limit: RECENT_PEOPLE });
    let person = page.contacts.find((contact) => contact.id === chosen) ?? null;
    if (!person && chosen !== SAMPLE_ID && isContactId(chosen)) person = await deps.store.get(chosen);
    const people = person && !page.contacts.some((contact) => contact.id === person!.id) ? [person, ...page.contacts] : page.contacts;
    const choices = [
      { id: SAMPLE_ID, label: `Sample person: ${SAMPLE_PERSON.name} (${platformLabel(SAMPLE_PERSON.platform)})` },
      ...people.map((contact) => ({ id: contact.id, label: `${nameOf(contact.name)}${contact.email ? ` <${contact.email}>` : ''}` })),
    ];
    return { choices, person };
  }

  const variablesFor = (person: Contact | null): ScriptVariables => personVariables(person ?? SAMPLE_PERSON, deps.config.mailFrom.name);

  /** Renders for the frame and keeps the HTML part where the frame route finds it. */
  async function renderPreview(session: Session, kind: ScriptKind, compiled: CompiledScript, person: Contact | null) {
    const rendered = compiled.render(variablesFor(person));
    await sessions.putData(session, previewName(kind), rendered.html);
    // The frame reads the newest preview of this session; the parameter only makes each one a new URL.
    const frameUrl = `/templates/${kind}/preview-frame?v=${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    return { subject: rendered.subject, text: rendered.text, frameUrl };
  }

  async function showPage(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: ScriptKind,
    options: {
      status?: number;
      source?: TemplateSource;
      note?: string;
      person?: string;
      error?: EditorError | null;
      errorAction?: string;
      notice?: TemplatesPage['notice'];
      failure?: string;
    } = {},
  ) {
    const session = request.session!;
    const [current, versions, settings, people] = await Promise.all([
      deps.templates.current(kind),
      deps.templates.versions(kind, 20),
      deps.settings.get(),
      previewPeople(options.person ?? SAMPLE_ID),
    ]);
    const inForceVersion = current.version === null ? undefined : versions.find((v) => v.version === current.version);
    const source = options.source ?? current.compiled.source;
    const draft = options.source !== undefined && JSON.stringify(options.source) !== JSON.stringify(current.compiled.source);
    let preview: TemplatesPage['preview'] = null;
    if (!options.error) {
      // The draft compiled already when there is no error; compiling again here is cheap and keeps one path.
      const compiled = options.source ? compileScript(options.source) : current.compiled;
      preview = await renderPreview(session, kind, compiled, people.person);
    }
    const page: TemplatesPage = {
      kind,
      source,
      partsMatch: partsMatch(source),
      note: options.note ?? '',
      inForce: { version: current.version, savedAt: inForceVersion?.savedAt ?? null, note: inForceVersion?.note ?? null },
      versions,
      people: people.choices,
      person: people.person?.id ?? SAMPLE_ID,
      preview,
      error: options.error ?? null,
      errorAction: options.errorAction,
      notice: options.notice,
      failure: options.failure ?? null,
      reminderOn: settings.reminderAfterMs !== null,
      canSendTest: deps.sendTest !== undefined,
      testAddress: deps.config.mailFrom.address,
      draft,
    };
    return reply
      .code(options.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(templatesPage(context.view(request), page, scripts).value);
  }

  app.get('/templates', async (_request, reply) => reply.redirect(templateUrl('script'), 303));

  app.get('/templates/:kind', { schema: { params: kindParams, querystring: editorQuery }, helmet: pageCsp }, async (request, reply) => {
    const { kind } = request.params;
    const { saved, restored, person } = request.query;
    const label = KIND_LABELS[kind];
    const notice = saved ? `${label} saved as version ${saved}. The next ${kind === 'script' ? 'script' : 'reminder'} sent uses it.` : restored ? `Restored: the ${label.toLowerCase()} in use is now version ${restored}.` : null;
    return showPage(request, reply, kind, { person, notice });
  });

  app.post('/templates/:kind', { schema: { params: kindParams, body: editorForm }, helmet: pageCsp }, async (request, reply) => {
    const { kind } = request.params;
    const form = request.body;
    let source = sourceOf(form);
    let notice: string | null = null;
    if (form.intent === 'one-body' && !isOneBody(source)) {
      // Back to one body: the text part becomes the body, and the HTML part is made from it again.
      source = { subject: source.subject, body: source.text };
      notice = 'One message again: the HTML part is made from the message, as the preview shows. The HTML part you wrote separately is dropped when you save (saved versions keep it). Nothing is saved yet.';
    }
    const keep = { source, note: form.note, person: form.person };
    let compiled: CompiledScript;
    try {
      compiled = compileScript(source);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      const errorAction = ERROR_ACTIONS[form.intent];
      // 400 for a refused save; a preview of a broken draft is a normal answer.
      return showPage(request, reply, kind, { ...keep, status: form.intent === 'preview' ? 200 : 400, error: editorError(error), errorAction });
    }

    if (form.intent === 'preview' || form.intent === 'one-body') return showPage(request, reply, kind, { ...keep, notice });
    if (form.intent === 'separate') {
      // The parts start as exactly what one body sends: the body as the text part, the HTML made from it.
      const parts = compiled.parts;
      return showPage(request, reply, kind, {
        ...keep,
        source: { subject: parts.subject, text: parts.text, html: parts.html },
        notice: 'You now edit the text and HTML parts separately, starting from what the message made. Nothing is saved yet.',
      });
    }

    if (form.intent === 'test') {
      if (!deps.sendTest) throw new HttpError(400, 'Sending a test needs SMTP, which this web process does not have.');
      const { person } = await previewPeople(form.person);
      try {
        const sent = await deps.sendTest(compiled, person ?? SAMPLE_PERSON);
        request.log.info({ kind }, 'test script sent');
        return showPage(request, reply, kind, { ...keep, notice: `A test went to ${sent.to} with the subject “${sent.subject}” (the mail server said: ${sent.response}). Nothing was saved.` });
      } catch (error) {
        if (!(error instanceof TestSendError)) throw error;
        request.log.warn({ err: error, kind }, 'test script not sent');
        return showPage(request, reply, kind, { ...keep, status: 502, notice: null, failure: `The test was not sent: ${error.reason}` });
      }
    }

    const version = await deps.templates.save(kind, source, form.note);
    request.log.info({ kind, version: version.version }, 'template saved');
    await sessions.deleteData(request.session!, previewName(kind));
    return reply.redirect(templateUrl(kind, { saved: version.version, person: form.person === SAMPLE_ID ? null : form.person }), 303);
  });

  /** The live preview: JSON for the editor's script; a broken draft answers 200 with the error. */
  app.post('/templates/:kind/preview', { schema: { params: kindParams, body: editorForm, response: { 200: editorPreviewAnswer } } }, async (request, reply) => {
    const { kind } = request.params;
    const form = request.body;
    let compiled: CompiledScript;
    try {
      compiled = compileScript(sourceOf(form));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return reply.send({ ok: false, error: { ...editorError(error), message: error.message } });
    }
    const { person } = await previewPeople(form.person);
    return reply.send({ ok: true, partsMatch: partsMatch(compiled.source), ...(await renderPreview(request.session!, kind, compiled, person)) });
  });

  app.get('/templates/:kind/preview-frame', { schema: { params: kindParams }, helmet: routeCsp(PREVIEW_POLICY) }, async (request, reply) => {
    const { kind } = request.params;
    let rendered = await sessions.getData(request.session!, previewName(kind));
    if (rendered === null) rendered = (await deps.templates.current(kind)).compiled.render(variablesFor(null)).html;
    return reply.type('text/html; charset=utf-8').send(previewDocument(rendered));
  });

  app.get('/templates/:kind/versions/:version', { schema: { params: versionParams } }, async (request, reply) => {
    const { kind, version } = request.params;
    const [versions, current] = await Promise.all([deps.templates.versions(kind, Number.MAX_SAFE_INTEGER), deps.templates.current(kind)]);
    const found = versions.find((v) => v.version === version);
    if (!found) throw new HttpError(404, `There is no version ${version} of the ${kind}.`);
    return reply.type('text/html; charset=utf-8').send(versionPage(context.view(request), kind, found, current.version).value);
  });

  app.post('/templates/:kind/restore', { schema: { params: kindParams, body: restoreForm } }, async (request, reply) => {
    const { kind } = request.params;
    const restored = await restoreVersion(deps, kind, request.body.version);
    request.log.info({ kind, from: request.body.version, version: restored.version }, 'template version restored');
    return reply.redirect(templateUrl(kind, { restored: restored.version }), 303);
  });
};

/**
 * The templates over the JSON API, what the page does:
 * - GET /api/templates: both kinds, the version in use, its format and source, the parts it sends
 *   (for one body, the HTML made from it), and the saved versions;
 * - PUT /api/templates/:kind: a new version from { subject, body, note? } (one body) or
 *   { subject, text, html, note? } (the parts written apart);
 * - POST /api/templates/:kind/preview: the same without note, with person?, rendered for that person
 *   (a contact id) or the sample one, as { subject, text, html }; nothing is saved;
 * - POST /api/templates/:kind/test: the same draft sent to the user's own address;
 * - POST /api/templates/:kind/restore: { version } put back in force as a new version.
 * A broken template answers 400 with the part, line and column, and nothing is saved or sent.
 */
export const templatesApiRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();

  app.get('/templates', { schema: { description: 'Both templates: the version in use, its source and parts, and the saved versions.', response: { 200: templatesAnswer, ...apiErrors } } }, async () => {
    const entries = await Promise.all(
      SCRIPT_KINDS.map(async (kind) => {
        const [current, versions] = await Promise.all([deps.templates.current(kind), deps.templates.versions(kind, 20)]);
        const { source, parts } = current.compiled;
        return [kind, { version: current.version, format: formatOf(source), source, parts, versions }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<ScriptKind, (typeof entries)[number][1]>;
  });

  const sourceFrom = (value: { subject: string; body?: string; text?: string; html?: string }): TemplateSource =>
    value.body !== undefined ? { subject: value.subject, body: value.body } : { subject: value.subject, text: value.text ?? '', html: value.html ?? '' };

  /** A broken template's answer: which part, where, what. */
  const templateProblem = (reply: FastifyReply, outcome: string, error: TemplateError) =>
    reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `${outcome}: ${error.message}`, template: editorError(error) });

  const saveSchema = { description: 'Saves a new version and puts it in force.', params: kindParams, body: apiSource, response: { 200: templateVersion, ...apiErrors, 400: brokenTemplate.or(errorAnswer) } };
  app.put('/templates/:kind', { schema: saveSchema }, async (request, reply) => {
    const { kind } = request.params;
    const { note } = request.body;
    try {
      return await deps.templates.save(kind, sourceFrom(request.body), note ?? '');
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return templateProblem(reply, 'Not saved', error);
    }
  });

  /** The draft compiled, and the person it is for (the sample when none is named); null after answering 400. */
  async function draftFor(body: ApiDraft, reply: FastifyReply, outcome: string) {
    const id = body.person;
    let compiled: CompiledScript;
    try {
      compiled = compileScript(sourceFrom(body));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      templateProblem(reply, outcome, error);
      return null;
    }
    const person = id === undefined ? SAMPLE_PERSON : await deps.store.get(id);
    if (!person) throw new HttpError(404, `No contact with id ${id}.`);
    return { compiled, person };
  }

  const draftAnswers = { ...apiErrors, 400: brokenTemplate.or(errorAnswer), 404: notFound.describe('There is no person with that id.') };

  const previewSchema = { description: 'Renders a draft for a person (or the sample one); nothing is saved.', params: kindParams, body: apiDraft, response: { 200: renderedAnswer, ...draftAnswers } };
  app.post('/templates/:kind/preview', { schema: previewSchema }, async (request, reply) => {
    const draft = await draftFor(request.body, reply, 'Not previewed');
    if (!draft) return reply;
    return draft.compiled.render(personVariables(draft.person, deps.config.mailFrom.name));
  });

  const testSchema = { description: 'Sends a draft, rendered for a person, to the user\'s own address; nothing is saved.', params: kindParams, body: apiDraft, response: { 200: testSentAnswer, ...draftAnswers, 502: notSent } };
  app.post('/templates/:kind/test', { schema: testSchema }, async (request, reply) => {
    if (!deps.sendTest) throw new HttpError(400, 'Sending a test needs SMTP, which this web process does not have.');
    const draft = await draftFor(request.body, reply, 'Not sent as a test');
    if (!draft) return reply;
    try {
      const sent = await deps.sendTest(draft.compiled, draft.person);
      request.log.info({ kind: request.params.kind }, 'test script sent through the API');
      return sent;
    } catch (error) {
      if (!(error instanceof TestSendError)) throw error;
      // Answered here: the error handler hides the message of a 5xx, and this one is the user's to read.
      return reply.code(502).send({ statusCode: 502, error: 'Bad Gateway', message: error.message, permanent: error.permanent });
    }
  });

  const restoreSchema = { description: 'Puts a saved version back in force, as a new version.', params: kindParams, body: restoreBody, response: { 200: templateVersion, ...apiErrors, 400: brokenTemplate.or(errorAnswer), 404: notFound } };
  app.post('/templates/:kind/restore', { schema: restoreSchema }, async (request) => {
    const restored = await restoreVersion(deps, request.params.kind, request.body.version);
    request.log.info({ kind: request.params.kind, from: request.body.version, version: restored.version }, 'template version restored through the API');
    return restored;
  });
};
