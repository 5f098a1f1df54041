import type { FastifyPluginAsync } from 'fastify';
import { composeDigest } from '../../digest/gather.ts';
import { wakeWaitingScripts } from '../../queues/queues.ts';
import { SettingsError, settingsProblems, type Settings, type SettingsProblem } from '../../settings/settings.ts';
import type { WebContext } from '../context.ts';
import { digestPreviewPage } from '../views/digest.ts';
import { suggestAuthservId } from '../../detect/authentication.ts';
import { apiErrors } from '../schemas/common.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';
import { settingsAnswer, settingsForm, settingsPageQuery, settingsPatch, settingsRefused } from '../schemas/settings.ts';
import { pagePolicy, PREVIEW_POLICY, routeCsp } from '../security.ts';
import { settingsWebhooksSection } from './webhooks.ts';
import { fieldOfProblem, formFromBody, readSettingsForm, settingsPage, settingsToForm, type FieldErrors, type ReceivingServer, type SettingsForm } from '../views/settings.ts';

/** The settings page, in the pages scope (scopes.ts): a session for every route, the CSRF token for every POST. */
export const settingsRoutes: FastifyPluginAsync<WebContext> = async (plain, context) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { deps } = context;

  const withScript = { helmet: routeCsp(pagePolicy({ scripts: true })) };
  const script = context.assets.settings.url;

  app.get('/settings', { ...withScript, schema: { querystring: settingsPageQuery } }, async (request, reply) => {
    const saved = request.query.saved === '1';
    const form = settingsToForm(await deps.settings.get());
    const receivingServer = await receivingServerOf(deps);
    return reply.type('text/html; charset=utf-8').send(settingsPage(context.view(request), { form, errors: {}, notice: saved ? 'Settings saved. They apply from the next mail on.' : null, receivingServer, script, webhooks: await settingsWebhooksSection(context, request) }).value);
  });

  /** What the digest would say now, built as the workers build it; sends nothing. */
  async function digestNow() {
    const [settings, state] = await Promise.all([deps.settings.get(), deps.store.digestState()]);
    const since = state.lastSentAt ? Number(state.lastSentAt) : null;
    const now = (deps.now ?? Date.now)();
    const mail = await composeDigest({ store: deps.store, templates: deps.templates, userName: deps.config.mailFrom.name, dashboardUrl: deps.config.dashboardUrl }, settings, now, since);
    return { mail, every: settings.digest.every, since };
  }

  app.get('/settings/digest', { helmet: routeCsp(pagePolicy({ frames: true })) }, async (request, reply) => {
    return reply.type('text/html; charset=utf-8').send(digestPreviewPage(context.view(request), { ...(await digestNow()), frameUrl: '/settings/digest/html' }).value);
  });

  /** The digest's HTML part as its own document, for the preview's frame, under the preview's sandboxing policy. */
  app.get('/settings/digest/html', { helmet: routeCsp(PREVIEW_POLICY) }, async (_request, reply) => {
    const { mail } = await digestNow();
    return reply.type('text/html; charset=utf-8').send(mail?.html ?? '<!doctype html><p>Nothing new: no digest would go now.</p>');
  });

  app.post('/settings', { ...withScript, schema: { body: settingsForm } }, async (request, reply) => {
    const form = formFromBody(request.body);
    const { candidate, errors: formErrors } = readSettingsForm(form, await deps.settings.get());
    // The form's own problems and the store's, together: one post shows all of them.
    const errors: FieldErrors = { ...problemsOnForm(settingsProblems(candidate), form, formErrors), ...formErrors };
    if (Object.keys(errors).length === 0) {
      try {
        await saveSettings(deps, candidate);
        request.log.info('settings saved');
        // Post/redirect/get: a reload does not post the form again.
        return reply.redirect('/settings?saved=1', 303);
      } catch (error) {
        if (!(error instanceof SettingsError)) throw error;
        Object.assign(errors, problemsOnForm(error.problems, form, {}));
      }
    }
    // The values stay as typed, so nothing has to be entered twice.
    return reply.code(400).type('text/html; charset=utf-8').send(settingsPage(context.view(request), { form, errors, receivingServer: await receivingServerOf(deps), script }).value);
  });
};

/** AUTHSERV_ID as set, or the authserv-id recent mail suggests (src/detect/authentication.ts). */
async function receivingServerOf(deps: WebContext['deps']): Promise<ReceivingServer> {
  if (deps.config.authservId) return { configured: deps.config.authservId, suggestion: null };
  return { configured: null, suggestion: suggestAuthservId(await deps.store.recentAuthservIds()) };
}

/**
 * The store's problems beside their form fields. A field the form could not read was checked with
 * its saved value, so what the store says of it (or of a rule it is part of) is left out.
 */
function problemsOnForm(problems: SettingsProblem[], form: SettingsForm, formErrors: FieldErrors): FieldErrors {
  const errors: FieldErrors = {};
  const unread = (field: string) => field in formErrors;
  for (const problem of problems) {
    const { field, message } = fieldOfProblem(problem, form);
    if (unread(field)) continue;
    if (problem.field === 'reminderAfterMs' && problem.message === 'must come before the deadline' && unread('deadline')) continue;
    // The first problem of a field is the one to fix first.
    errors[field] ??= message;
  }
  return errors;
}

/**
 * GET and PUT /api/settings, in the API scope (scopes.ts). PUT takes a settings object as GET
 * returns it; fields left out keep their current values. A problem answers 400 with every field named.
 */
export const settingsApiRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();

  app.get('/settings', { schema: { description: 'The settings in force.', response: { 200: settingsAnswer, ...apiErrors } } }, async () => deps.settings.get());

  app.put('/settings', { schema: { description: 'Changes some or all of the settings.', body: settingsPatch, response: { 200: settingsAnswer.describe('The settings as saved.'), ...apiErrors, 400: settingsRefused } } }, async (request, reply) => {
    const current = await deps.settings.get();
    const patch = request.body as Partial<Settings>;
    const candidate = { ...current, ...patch, platforms: { ...current.platforms, ...(isObject(patch.platforms) ? patch.platforms : {}) } };
    if (patch.platforms !== undefined && !isObject(patch.platforms)) candidate.platforms = patch.platforms as Settings['platforms'];
    try {
      return await saveSettings(deps, candidate);
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: error.message, problems: error.problems });
    }
  });
};

/**
 * Saves the settings; scripts held back by the send window or the daily cap then look again at
 * once, instead of at their next check (up to 30 minutes later).
 */
async function saveSettings(deps: WebContext['deps'], candidate: unknown): Promise<Settings> {
  const saved = await deps.settings.save(candidate);
  await wakeWaitingScripts(deps.queues);
  return saved;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
