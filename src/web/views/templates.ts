import type { TemplateVersion } from '../../script/store.ts';
import { formatOf, isOneBody, type TemplateFormat, type ScriptKind, type ScriptVariable, type TemplatePart, type TemplateSource } from '../../script/template.ts';
import { html, type Html } from '../html.ts';
import { formatTime } from './format.ts';
import { csrfField, layout, type View } from './layout.ts';

export const KIND_LABELS: Record<ScriptKind, string> = { script: 'Script', reminder: 'Reminder' };

const PART_LABELS: Record<TemplatePart, string> = { subject: 'Subject', body: 'Message', text: 'Text part', html: 'HTML part' };

/** What each variable holds, for the list below the editor. */
export const VARIABLE_MEANINGS: Record<ScriptVariable, string> = {
  greeting: '“Hi Sam,” or, when the request does not tell a first name, “Hi there,”.',
  name: "The person's name as the request gave it, such as Jane Doe.",
  firstName: 'Their first name; empty when the request does not tell it (use the greeting, or the snippet below, to cover both cases).',
  platform: 'Where they asked: LinkedIn, Facebook, XING, email and so on.',
  userName: 'Your own name, from MAIL_FROM.',
  originalSubject: 'The subject of the mail being answered, without Re: prefixes; empty when there was none.',
  onPlatform: 'The platform (LinkedIn…) when you paste the script into its message box yourself; empty when Winnow mails it. For {{#if onPlatform}}…{{else}}…{{/if}}.',
  replyWhere: '“to this email” when Winnow mails the script, “here on LinkedIn” when you paste it into the platform’s message box.',
};

/** The buttons above the editor, in the order a script uses them: what each inserts at the cursor. */
const INSERTS: ReadonlyArray<{ label: string; insert: string; title: string }> = [
  { label: 'Greeting', insert: '{{greeting}}', title: 'Inserts {{greeting}}: “Hi Sam,”, or “Hi there,” without a first name' },
  { label: 'First name', insert: '{{firstName}}', title: 'Inserts {{firstName}}' },
  { label: 'Full name', insert: '{{name}}', title: 'Inserts {{name}}' },
  { label: 'Platform', insert: '{{platform}}', title: 'Inserts {{platform}}: LinkedIn, Facebook, email…' },
  { label: 'Your name', insert: '{{userName}}', title: 'Inserts {{userName}}, your name from MAIL_FROM' },
  { label: 'Their subject', insert: '{{originalSubject}}', title: 'Inserts {{originalSubject}}, the subject of their mail' },
];

/** The one conditional a script needs, ready to edit: the words are the user's, the markup is ready-made. */
export const OWN_GREETING = '{{#if firstName}}Dear {{firstName}},{{else}}Hello,{{/if}}';

/** A template problem as the editor shows it: which part, where, what. */
export interface EditorError {
  part: TemplatePart;
  line: number;
  column: number;
  problem: string;
}

/** One person to preview against: a real one from the list, or the sample. */
export interface PreviewChoice {
  id: string;
  label: string;
}

export interface PreviewModel {
  /** Rendered subject and text part, shown as text. */
  subject: string;
  text: string;
  /** URL of the frame that shows the rendered HTML part under its own sandboxing CSP. */
  frameUrl: string;
}

export interface TemplatesPage {
  kind: ScriptKind;
  /** What the editor holds: the version in force, or what was posted. */
  source: TemplateSource;
  /** For parts written separately: whether the HTML part is still the one the text part would make. */
  partsMatch: boolean;
  note: string;
  /** The version in force, null for the default from templates/. */
  inForce: { version: number | null; savedAt: number | null; note: string | null };
  versions: TemplateVersion[];
  people: PreviewChoice[];
  person: string;
  /** Null when the editor holds a broken template: there is nothing to show. */
  preview: PreviewModel | null;
  error: EditorError | null;
  /** What the error is about: "not saved", "no preview", "no test sent". */
  errorAction?: string;
  notice?: Html | string | null;
  /** Something that did not work and is not about the template (a test the mail server refused). */
  failure?: string | null;
  /** Whether reminders are on in the settings (the reminder tab says so). */
  reminderOn: boolean;
  /** Whether "send a test to myself" is available (the web role has SMTP). */
  canSendTest: boolean;
  testAddress: string;
  /** True when the editor holds something else than the version in force. */
  draft: boolean;
}

export function templateUrl(kind: ScriptKind, params: Record<string, string | number | null | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  const query = search.toString();
  return `/templates/${kind}${query ? `?${query}` : ''}`;
}

function inForceLine(page: TemplatesPage): Html {
  const { inForce, kind } = page;
  if (inForce.version === null) return html`In use: <strong>the default</strong> from <code>templates/${kind}/</code>, until you save a version.`;
  return html`In use: <strong>version ${inForce.version}</strong>, saved ${formatTime(inForce.savedAt)}${inForce.note ? html` (“${inForce.note}”)` : null}.`;
}

function tabs(kind: ScriptKind): Html {
  return html`<nav class="tabs" aria-label="Templates">
  <ul>
    ${(['script', 'reminder'] as const).map((k) => html`<li><a href="${templateUrl(k)}"${k === kind ? html` aria-current="page"` : null}>${KIND_LABELS[k]}</a></li>`)}
  </ul>
</nav>`;
}

function errorText(error: EditorError): string {
  return `Line ${error.line}, column ${error.column}: ${error.problem}`;
}

const PART_HINTS: Partial<Record<TemplatePart, string>> = {
  body: 'Plain text, sent as it is, and as HTML made from it: a blank line starts a paragraph, lines starting with “- ” or “1. ” become a list, and web addresses become links.',
  html: 'Values are escaped here. Remote images are not loaded in the preview.',
};

function partField(page: TemplatesPage, part: TemplatePart): Html {
  const source = page.source as Partial<Record<TemplatePart, string>>;
  const error = page.error?.part === part ? page.error : null;
  const id = `${part}-error`;
  const rows = part === 'subject' ? 2 : part === 'body' ? 18 : 14;
  const hintText = PART_HINTS[part];
  const hint = hintText ? html`<p class="hint" id="${part}-hint">${hintText}</p>` : null;
  const describedBy = [hintText ? `${part}-hint` : null, id].filter(Boolean).join(' ');
  // The error paragraph is always there (empty and hidden when there is nothing to say), so the
  // live preview can fill it; aria-describedby then always points at something.
  return html`<div class="field">
  <label for="${part}">${PART_LABELS[part]}</label>
  ${hint}
  <textarea id="${part}" name="${part}" rows="${rows}" class="code" data-part spellcheck="${part === 'text' || part === 'body' ? 'true' : 'false'}" aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : null}>
${source[part] ?? ''}</textarea>
  <p class="field-error" id="${id}" data-part="${part}"${error ? html` data-line="${error.line}" data-column="${error.column}"` : html` hidden`}>${error ? errorText(error) : ''}</p>
</div>`;
}

function errorSummary(page: TemplatesPage): Html | null {
  const { error } = page;
  if (!error) return null;
  const stays = page.inForce.version === null ? 'The default stays in use.' : `Version ${page.inForce.version} stays in use.`;
  return html`<div class="error" role="alert" id="template-errors">
  <p><strong>The ${KIND_LABELS[page.kind].toLowerCase()} was ${page.errorAction ?? 'not saved'}: the ${PART_LABELS[error.part].toLowerCase()} has a problem.</strong> ${page.errorAction === undefined || page.errorAction === 'not saved' ? stays : null}</p>
  <p><a href="#${error.part}">${errorText(error)}</a></p>
</div>`;
}

/**
 * Buttons that insert a variable (or the greeting snippet) at the cursor of the field last used.
 * They need the page's script, so they stay hidden until it shows them; without it, the list of
 * variables below the editor says what to type.
 */
function insertBar(): Html {
  return html`<div class="insert-bar" id="insert-bar" role="group" aria-label="Insert at the cursor" hidden>
  <span class="label" aria-hidden="true">Insert:</span>
  ${INSERTS.map((item) => html`<button type="button" class="chip" data-insert="${item.insert}" title="${item.title}">${item.label}</button>`)}
  <button type="button" class="chip" data-insert="${OWN_GREETING}" title="Inserts a greeting in your own words: one text with a first name, another without">Greeting in your words</button>
</div>`;
}

/** One body: the message, and the way to write the HTML part apart. */
function oneBodyFields(page: TemplatesPage): Html {
  return html`${partField(page, 'body')}
  <p class="hint switch">Want different HTML (your own layout or styling)? <button type="submit" name="intent" value="separate" class="link">Edit the HTML part separately</button></p>`;
}

const PARTS_MATCH = 'They match for now, but a change to one no longer changes the other.';
const PARTS_DIFFER = 'The two parts differ: a change to the text part does not reach the HTML part, which is what most mail programs show.';

/** The parts apart, with the notice that they are apart (and whether they differ), and the way back to one message. */
function separateFields(page: TemplatesPage): Html {
  // The live preview says, as the user types, whether the parts still match (the data attributes hold both sentences).
  return html`<div class="parts-notice" id="parts-notice" role="note">
    <p><strong>The text and HTML parts are edited separately.</strong> <span id="parts-state" aria-live="polite" data-match="${PARTS_MATCH}" data-differ="${PARTS_DIFFER}">${page.partsMatch ? PARTS_MATCH : PARTS_DIFFER}</span></p>
    <p><button type="submit" name="intent" value="one-body" class="link">Use one message again</button> <span class="hint">(the text part becomes the message, and the HTML part is made from it again; nothing is saved until you save)</span></p>
  </div>
  ${partField(page, 'text')}
  ${partField(page, 'html')}`;
}

function editor(page: TemplatesPage, csrf: string): Html {
  const action = templateUrl(page.kind);
  const oneBody = isOneBody(page.source);
  // Enter in a one-line field (the note) presses the form's first button: the hidden Save at the
  // top keeps that a save, rather than the switch between one message and the parts apart.
  return html`<section class="editor" aria-labelledby="editor-heading">
<h2 id="editor-heading">Edit the ${KIND_LABELS[page.kind].toLowerCase()}</h2>
<form id="template-form" method="post" action="${action}" data-preview="/templates/${page.kind}/preview">
  ${csrfField(csrf)}
  <input type="hidden" name="format" value="${oneBody ? 'one-body' : 'separate'}">
  <button type="submit" name="intent" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">Save</button>
  ${insertBar()}
  ${partField(page, 'subject')}
  ${oneBody ? oneBodyFields(page) : separateFields(page)}
  <div class="field">
    <label for="note">Note for this version <span class="optional">(optional)</span></label>
    <input id="note" name="note" type="text" maxlength="200" value="${page.note}" placeholder="What changed, such as “shorter greeting”">
  </div>
  <div class="actions">
    <button type="submit" name="intent" value="save">Save as a new version</button>
    <button type="submit" name="intent" value="preview" class="secondary">Update the preview</button>
    ${page.canSendTest ? html`<button type="submit" name="intent" value="test" class="secondary">Send a test to myself</button>` : null}
  </div>
  ${page.canSendTest ? html`<p class="hint">The test goes to ${page.testAddress}, as this editor holds it (saved or not), for the person chosen in the preview.</p>` : null}
</form>
</section>`;
}

function previewPanel(page: TemplatesPage): Html {
  const { preview } = page;
  return html`<section class="preview" aria-labelledby="preview-heading">
<h2 id="preview-heading">Preview</h2>
<div class="field">
  <label for="person">As sent to</label>
  <select id="person" name="person" form="template-form">
    ${page.people.map((choice) => html`<option value="${choice.id}"${choice.id === page.person ? html` selected` : null}>${choice.label}</option>`)}
  </select>
</div>
<p class="preview-state" id="preview-state" aria-live="polite">${preview ? (page.draft ? 'Showing what the editor holds (not saved).' : 'Showing the version in use.') : 'No preview: the template has a problem (see above).'}</p>
<div class="mail-preview" id="mail-preview"${preview ? null : html` hidden`}>
  <div class="mail-subject"><span class="label">Subject</span> <output id="preview-subject" for="subject">${preview?.subject ?? ''}</output></div>
  <h3>Text part</h3>
  <pre id="preview-text" class="mail-text">
${preview?.text ?? ''}</pre>
  <h3>HTML part</h3>
  <div class="frame-holder" id="preview-frame-holder">
    ${preview ? html`<iframe class="mail-html" src="${preview.frameUrl}" sandbox="" referrerpolicy="no-referrer" title="The HTML part as the person will see it"></iframe>` : null}
  </div>
</div>
</section>`;
}

function versionsTable(page: TemplatesPage, csrf: string): Html {
  const { kind, versions, inForce } = page;
  if (versions.length === 0) {
    return html`<p class="empty">No saved versions yet. The default from <code>templates/${kind}/</code> is in use; your first save becomes version 1.</p>`;
  }
  return html`<div class="table-wrap">
<table class="versions">
  <caption class="visually-hidden">Saved versions of the ${KIND_LABELS[kind].toLowerCase()}, newest first</caption>
  <thead><tr><th scope="col">Version</th><th scope="col">Saved <span class="unit">(UTC)</span></th><th scope="col">Note</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
    ${versions.map(
      (version) => html`<tr>
      <th scope="row">${version.version}${version.version === inForce.version ? html` <span class="status status-accepted">in use</span>` : null}</th>
      <td>${formatTime(version.savedAt)}</td>
      <td>${version.note || html`<span class="none">—</span>`} <span class="format">${FORMAT_LABELS[formatOf(version.source)]}</span></td>
      <td class="row-actions">
        <a href="/templates/${kind}/versions/${version.version}">View<span class="visually-hidden"> version ${version.version}</span></a>
        ${version.version === inForce.version ? null : restoreForm(kind, version.version, csrf)}
      </td>
    </tr>`,
    )}
  </tbody>
</table>
</div>`;
}

const FORMAT_LABELS: Record<TemplateFormat, string> = { 'one-body': 'one message', separate: 'text and HTML apart' };

export function restoreForm(kind: ScriptKind, version: number, csrf: string): Html {
  return html`<form class="inline-form" method="post" action="/templates/${kind}/restore">
  ${csrfField(csrf)}
  <input type="hidden" name="version" value="${version}">
  <button type="submit" class="link">Restore<span class="visually-hidden"> version ${version}</span></button>
</form>`;
}

function variablesList(): Html {
  return html`<p class="hint">The buttons above the editor insert these at the cursor; you may also type them.</p>
<dl class="variables">
  ${(Object.keys(VARIABLE_MEANINGS) as ScriptVariable[]).map((name) => html`<div><dt><code>{{${name}}}</code></dt><dd>${VARIABLE_MEANINGS[name]}</dd></div>`)}
</dl>
<p class="hint">A greeting in your own words, with and without a first name: <code>${OWN_GREETING}</code> (“Greeting in your words” inserts it). Besides the variables, a template may use <code>{{#if variable}}…{{else}}…{{/if}}</code> and <code>{{#unless variable}}…{{/unless}}</code>, and comments <code>{{! … }}</code>. Nothing else: no helpers, partials or paths, so a template cannot do more than fill in these values.</p>`;
}

export function templatesPage(view: View, page: TemplatesPage, scripts: string[]): Html {
  const csrf = view.session?.csrf ?? '';
  const label = KIND_LABELS[page.kind];
  const reminderNote =
    page.kind === 'reminder'
      ? html`<p class="hint">${page.reminderOn ? 'Reminders are on' : 'Reminders are off'}: a single reminder goes to people who have not answered, if you turn it on under <a href="/settings">Settings</a>.</p>`
      : null;
  return layout(
    view,
    { title: `Templates: ${label}`, section: 'templates', notice: page.notice, scripts },
    html`<h1>Templates</h1>
${tabs(page.kind)}
<p class="lead">${inForceLine(page)}</p>
${reminderNote}
${errorSummary(page)}
${page.failure ? html`<p class="error" role="alert">${page.failure}</p>` : null}
<div class="template-workspace">
${editor(page, csrf)}
${previewPanel(page)}
</div>
<section aria-labelledby="versions-heading">
<h2 id="versions-heading">Versions</h2>
${versionsTable(page, csrf)}
</section>
<section aria-labelledby="variables-heading">
<h2 id="variables-heading">Variables</h2>
${variablesList()}
</section>`,
  );
}

export function versionPage(view: View, kind: ScriptKind, version: TemplateVersion, inForce: number | null): Html {
  const csrf = view.session?.csrf ?? '';
  return layout(
    view,
    { title: `${KIND_LABELS[kind]} version ${version.version}`, section: 'templates' },
    html`<p class="back"><a href="${templateUrl(kind)}">← ${KIND_LABELS[kind]}</a></p>
<h1>${KIND_LABELS[kind]}, version ${version.version}</h1>
<p class="lead">Saved ${formatTime(version.savedAt)}${version.note ? html` (“${version.note}”)` : null}.${version.version === inForce ? ' This version is in use.' : null}</p>
<p>${isOneBody(version.source) ? 'One message: the HTML part is made from it.' : 'The text and HTML parts written separately.'}</p>
${(isOneBody(version.source) ? (['subject', 'body'] as const) : (['subject', 'text', 'html'] as const)).map(
  (part) => html`<h2>${PART_LABELS[part]}</h2><pre class="source">
${(version.source as Partial<Record<TemplatePart, string>>)[part] ?? ''}</pre>`,
)}
${version.version === inForce ? null : html`<div class="actions">${restoreForm(kind, version.version, csrf)}</div><p class="hint">Restoring saves a copy of this version as the newest one; no version is ever removed.</p>`}`,
  );
}
