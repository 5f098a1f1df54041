import { z } from 'zod';
import { SCRIPT_KINDS } from '../../script/template.ts';
import { contactId, errorAnswer, formBody, time } from './common.ts';

/** The choice of the sample person (SAMPLE_PERSON) in the preview's list. */
export const SAMPLE_ID = 'sample';

export const kindParams = z.object({
  kind: z.enum(SCRIPT_KINDS, { error: `must be one of ${SCRIPT_KINDS.join(', ')}` }).describe('script: the mail that asks; reminder: the one reminder before the deadline.'),
});
export const versionParams = kindParams.extend({ version: z.coerce.number().int().min(1, 'is not a version number') });

// ---- The editor page ------------------------------------------------------------------------

const part = z.string({ error: 'must be given once, as text' }).max(100_000, 'is far too long for a template').default('');
/**
 * The editor form; templates themselves are checked by compileScript, which says where a problem is.
 * `format` says what the editor holds: one body, or the text and HTML parts apart. The intents
 * `separate` and `one-body` switch between the two without saving.
 */
export const editorForm = formBody({
  format: z.enum(['one-body', 'separate'], { error: 'must be one-body or separate' }).default('one-body'),
  subject: part,
  body: part,
  text: part,
  html: part,
  note: z.string().max(1000).default(''),
  person: z.string().max(100).default(SAMPLE_ID),
  intent: z.enum(['save', 'preview', 'test', 'separate', 'one-body'], { error: 'must be save, preview, test, separate or one-body' }).default('save'),
});
export type EditorForm = z.output<typeof editorForm>;

export const restoreForm = formBody({ version: z.coerce.number().int().min(1, 'is not a version number') });

export const editorQuery = z.object({
  person: z.string().max(100).optional(),
  saved: z.coerce.number().int().optional(),
  restored: z.coerce.number().int().optional(),
});

const templateError = z.object({
  part: z.enum(['subject', 'body', 'text', 'html']).describe('The part with the problem.'),
  line: z.number().int(),
  column: z.number().int(),
  problem: z.string().describe('What is wrong there, in words.'),
});

/** The editor's live preview (JSON for its script): the rendered draft, or where it is broken. */
export const editorPreviewAnswer = z.union([
  z.object({ ok: z.literal(false), error: templateError.extend({ message: z.string() }) }),
  z.object({ ok: z.literal(true), partsMatch: z.boolean(), subject: z.string(), text: z.string(), frameUrl: z.string() }),
]);

// ---- The API --------------------------------------------------------------------------------

const source = z
  .union([
    z.object({ subject: z.string(), body: z.string().describe('One body: the text part; the HTML part is made from it.') }),
    z.object({ subject: z.string(), text: z.string(), html: z.string() }).describe('The text and HTML parts written apart.'),
  ])
  .describe('A template as written, with {{variables}}.');
const parts = z.object({ subject: z.string(), text: z.string(), html: z.string() });
const format = z.enum(['one-body', 'separate']).describe('one-body: the HTML part is made from the body; separate: both parts written apart.');

export const templateVersion = z.object({
  version: z.number().int(),
  kind: z.enum(SCRIPT_KINDS),
  format,
  source,
  savedAt: time,
  note: z.string(),
});

const templateInUse = z.object({
  version: z.number().int().nullable().describe('The version in use; null for the default that comes with Winnow.'),
  format,
  source,
  parts: parts.describe('The parts that are sent (for one body, the HTML made from it).'),
  versions: z.array(templateVersion).describe('The newest saved versions, newest first.'),
});
export const templatesAnswer = z.object(Object.fromEntries(SCRIPT_KINDS.map((kind) => [kind, templateInUse])) as Record<(typeof SCRIPT_KINDS)[number], typeof templateInUse>);

/** One body ({subject, body}) or the parts apart ({subject, text, html}), as the editor's two ways. */
const apiFields = {
  subject: z.string({ error: 'must be text' }),
  body: z.string({ error: 'must be text' }).optional().describe('One body; the HTML part is made from it. Give either body, or text and html.'),
  text: z.string({ error: 'must be text' }).optional().describe('The text part, with html.'),
  html: z.string({ error: 'must be text' }).optional().describe('The HTML part, with text.'),
};
function oneWayOrTheOther(value: { body?: string; text?: string; html?: string }, context: z.RefinementCtx) {
  if (value.body !== undefined) {
    if (value.text !== undefined || value.html !== undefined) {
      context.addIssue({ code: 'custom', path: ['body'], message: 'give either body (one body; the HTML part is made from it) or text and html, not both' });
    }
    return;
  }
  if (value.text === undefined && value.html === undefined) {
    context.addIssue({ code: 'custom', path: ['body'], message: 'must be text (one body; the HTML part is made from it), or give text and html' });
    return;
  }
  for (const name of ['text', 'html'] as const) if (value[name] === undefined) context.addIssue({ code: 'custom', path: [name], message: 'must be text' });
}

export const apiSource = z.object({ ...apiFields, note: z.string({ error: 'must be text' }).max(1000).optional().describe('Why this version, for the list of versions.') }).superRefine(oneWayOrTheOther);
export const apiDraft = z.object({ ...apiFields, person: contactId.optional().describe('Render for this person; the sample person when not given.') }).superRefine(oneWayOrTheOther);
export type ApiDraft = z.output<typeof apiDraft>;

export const restoreBody = z.object(
  { version: z.number({ error: 'must be a version number' }).int('must be a version number').min(1, 'must be a version number').describe('The saved version to put back in force, as a new version.') },
  { error: 'must be a JSON object with "version"' },
);

export const renderedAnswer = parts.describe('The draft rendered for the person; nothing is saved.');
export const testSentAnswer = z.object({
  to: z.string().describe('The user\'s own address, where the test went.'),
  subject: z.string(),
  response: z.string().describe('The mail server\'s reply.'),
});

/** A broken template: which part, where, what; nothing is saved or sent. */
export const brokenTemplate = errorAnswer.extend({ template: templateError }).describe('The template does not compile: the part, line and column say where.');
export const notSent = errorAnswer.extend({ permanent: z.boolean().describe('Whether trying again would fail the same way.') }).describe('The mail server refused the test.');
