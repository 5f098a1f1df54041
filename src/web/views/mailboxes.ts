import { connectSection } from './connect.ts';
import type { OAuthProvider } from '../../mailboxes/oauth-providers.ts';
import type { MailboxState, MailboxWithState } from '../../mailboxes/records.ts';
import type { Flash } from '../flash.ts';
import { html, type Html } from '../html.ts';
import { formatTime, type Tone } from './format.ts';
import { csrfField, layout, type View } from './layout.ts';
import { flashMessage } from './people.ts';

/**
 * The Mailboxes page: every mailbox with where it stands and its buttons (test, pause or resume,
 * edit, remove), the form to add one, the edit page of an added mailbox and the page that confirms
 * a removal. No script: every button is a form that POSTs with the CSRF token.
 */

/** The add and edit forms as typed; passwords are never written back into a page. */
export interface MailboxFormValues {
  name: string;
  from: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: string;
  imapUser: string;
  imapFolder: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: string;
  smtpUser: string;
}

export const EMPTY_MAILBOX_FORM: MailboxFormValues = { name: '', from: '', imapHost: '', imapPort: '', imapSecurity: '', imapUser: '', imapFolder: '', smtpHost: '', smtpPort: '', smtpSecurity: '', smtpUser: '' };

/** One problem of the settings, as the store names it ("imap.port: must be …"), and the field it belongs to. */
export interface FormProblem {
  field: keyof MailboxFormValues | 'imapPass' | 'smtpPass' | null;
  text: string;
}

const STATE_WORDS: Record<MailboxState, { label: string; tone: Tone }> = {
  connected: { label: 'connected', tone: 'good' },
  connecting: { label: 'connecting', tone: 'wait' },
  failing: { label: 'not connecting', tone: 'bad' },
  paused: { label: 'paused', tone: 'neutral' },
  needs_sign_in: { label: 'needs sign-in', tone: 'bad' },
};

/** A From identity as a mail's From header shows it. */
export function fromText(from: { name: string; address: string }): string {
  if (!from.name) return from.address;
  const name = /^[\p{L}\p{N} .'-]*$/u.test(from.name) ? from.name : `"${from.name.replace(/["\\]/g, '\\$&')}"`;
  return `${name} <${from.address}>`;
}

function stateCell(mailbox: MailboxWithState): Html {
  const words = STATE_WORDS[mailbox.state];
  return html`<span class="status tone-${words.tone}">${words.label}</span>${mailbox.connectedSince ? html` <span class="hint">since ${formatTime(mailbox.connectedSince)}</span>` : null}${
    mailbox.lastError ? html`<p class="field-error mailbox-error">${mailbox.lastError}${mailbox.lastErrorAt ? html` <span class="hint">(${formatTime(mailbox.lastErrorAt)})</span>` : null}</p>` : null
  }`;
}

/** A row's button; its name says which mailbox, for a screen reader that lists every button of the page. */
function actionButton(csrf: string, action: string, label: string, mailbox: string, secondary = false): Html {
  return html`<form class="inline" method="post" action="${action}">${csrfField(csrf)}<button type="submit" class="small${secondary ? ' secondary' : ''}">${label}<span class="visually-hidden"> ${mailbox}</span></button></form>`;
}

function row(csrf: string, mailbox: MailboxWithState): Html {
  const base = `/mailboxes/${mailbox.id}`;
  return html`<tr id="mailbox-${mailbox.id}">
  <th scope="row" data-label="Mailbox">${mailbox.name}${mailbox.source === 'env' ? html`<span class="hint">set in the environment</span>` : null}</th>
  <td data-label="From">${fromText(mailbox.from)}</td>
  <td data-label="State">${stateCell(mailbox)}</td>
  <td data-label="Paused">${mailbox.paused ? 'yes' : 'no'}</td>
  <td data-label="Actions" class="row-actions"><div class="actions">
    ${actionButton(csrf, `${base}/test`, 'Test', mailbox.name)}
    ${mailbox.paused ? actionButton(csrf, `${base}/resume`, 'Resume', mailbox.name) : actionButton(csrf, `${base}/pause`, 'Pause', mailbox.name, true)}
    ${mailbox.source === 'added' ? html`<a href="${base}">Edit<span class="visually-hidden"> ${mailbox.name}</span></a> <a href="${base}/remove">Remove<span class="visually-hidden"> ${mailbox.name}</span></a>` : null}
  </div></td>
</tr>`;
}

function problemOf(problems: readonly FormProblem[], field: FormProblem['field']): FormProblem | undefined {
  return problems.find((problem) => problem.field === field);
}

function input(id: keyof MailboxFormValues | 'imapPass' | 'smtpPass', label: string, value: string, problems: readonly FormProblem[], options: { type?: string; hint?: string; autocomplete?: string; placeholder?: string } = {}): Html {
  const problem = problemOf(problems, id);
  const described = [problem ? `${id}-error` : null, options.hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input id="${id}" name="${id}" type="${options.type ?? 'text'}" value="${value}"${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : null}${options.placeholder ? html` placeholder="${options.placeholder}"` : null}${problem ? html` aria-invalid="true"` : null}${described ? html` aria-describedby="${described}"` : null}>
    ${problem ? html`<p class="field-error" id="${id}-error">${problem.text}</p>` : null}
    ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : null}
  </div>`;
}

function security(id: 'imapSecurity' | 'smtpSecurity', value: string, ports: { tls: number; plain: number }): Html {
  const option = (choice: string, label: string) => html`<option value="${choice}"${value === choice ? html` selected` : null}>${label}</option>`;
  return html`<div class="field">
    <label for="${id}">Encryption</label>
    <select id="${id}" name="${id}">
      ${option('', `by the port (STARTTLS on ${ports.plain})`)}
      ${option('tls', `TLS from the first byte (port ${ports.tls})`)}
      ${option('starttls', `STARTTLS (port ${ports.plain})`)}
    </select>
  </div>`;
}

/** The settings of a mailbox; on the edit form, passwords left empty stay as they are. */
function mailboxFields(values: MailboxFormValues, problems: readonly FormProblem[], editing: boolean): Html {
  const passHint = editing ? 'Leave empty to keep the password Winnow has.' : 'An app password where the provider has them. Kept only encrypted; never shown again.';
  return html`${input('name', 'Name', values.name, problems, { hint: 'What you call this mailbox, such as "Work".' })}
  ${input('from', 'From', values.from, problems, { hint: 'The address scripts from this mailbox come from: Ada Lovelace <ada@example.com>', autocomplete: 'off' })}
  <fieldset>
    <legend>IMAP: where requests arrive</legend>
    ${input('imapHost', 'Server', values.imapHost, problems, { placeholder: 'imap.example.com', autocomplete: 'off' })}
    ${input('imapPort', 'Port', values.imapPort, problems, { type: 'text', hint: 'Empty: 993 with TLS, 143 with STARTTLS.' })}
    ${security('imapSecurity', values.imapSecurity, { tls: 993, plain: 143 })}
    ${input('imapUser', 'User', values.imapUser, problems, { autocomplete: 'off' })}
    ${input('imapPass', 'Password', '', problems, { type: 'password', hint: passHint, autocomplete: 'new-password' })}
    ${input('imapFolder', 'Folder', values.imapFolder, problems, { hint: 'Empty: INBOX.' })}
  </fieldset>
  <fieldset>
    <legend>SMTP: where scripts go out from</legend>
    ${input('smtpHost', 'Server', values.smtpHost, problems, { placeholder: 'smtp.example.com', autocomplete: 'off' })}
    ${input('smtpPort', 'Port', values.smtpPort, problems, { type: 'text', hint: 'Empty: 465 with TLS, 587 with STARTTLS.' })}
    ${security('smtpSecurity', values.smtpSecurity, { tls: 465, plain: 587 })}
    ${input('smtpUser', 'User', values.smtpUser, problems, { autocomplete: 'off' })}
    ${input('smtpPass', 'Password', '', problems, { type: 'password', hint: passHint, autocomplete: 'new-password' })}
  </fieldset>`;
}

/** Problems that belong to no one field (no key to keep passwords with, say), above the form. */
function problemsBox(heading: string, problems: readonly FormProblem[]): Html | null {
  if (problems.length === 0) return null;
  return html`<div class="error" role="alert" id="mailbox-problems">
  <p><strong>${heading}</strong> ${problems.length === 1 ? 'One problem:' : `${problems.length} problems:`}</p>
  <ul>${problems.map((problem) => html`<li>${problem.field ? html`<a href="#${problem.field}">${problem.text}</a>` : problem.text}</li>`)}</ul>
</div>`;
}

export interface MailboxesModel {
  mailboxes: readonly MailboxWithState[];
  flash: Flash | null;
  /** The add form as typed, when it was refused; empty otherwise. */
  values?: MailboxFormValues;
  problems?: readonly FormProblem[];
  /** The providers a mailbox can be connected with by signing in (Google, Microsoft): those set up. */
  providers?: readonly OAuthProvider[];
}

export function mailboxesPage(view: View, model: MailboxesModel): Html {
  const csrf = view.session?.csrf ?? '';
  const problems = model.problems ?? [];
  const several = model.mailboxes.length > 1;
  return layout(
    view,
    { title: 'Mailboxes', section: 'mailboxes' },
    html`<h1>Mailboxes</h1>
${flashMessage(model.flash)}
<p class="lead">Winnow watches every mailbox that is not paused and answers each request from the mailbox it came to.${several ? ' Settings and templates are shared; each mailbox has its own From.' : ''}</p>
<div class="table-wrap">
<table class="mailboxes">
  <caption class="visually-hidden">Your mailboxes and where each stands</caption>
  <thead><tr><th scope="col">Mailbox</th><th scope="col">From</th><th scope="col">State</th><th scope="col">Paused</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${model.mailboxes.map((mailbox) => row(csrf, mailbox))}</tbody>
</table>
</div>
${connectSection(csrf, model.providers ?? [])}
<section id="add-mailbox" aria-labelledby="add-heading">
  <h2 id="add-heading">Add a mailbox</h2>
  ${problemsBox('The mailbox was not added.', problems)}
  <form class="settings mailbox-form" method="post" action="/mailboxes" novalidate>
    ${csrfField(csrf)}
    ${mailboxFields(model.values ?? EMPTY_MAILBOX_FORM, problems, false)}
    <div class="actions"><button type="submit">Add mailbox</button></div>
  </form>
</section>`,
  );
}

/** The edit page of an added mailbox: its settings, passwords left empty to keep them. */
export function editMailboxPage(view: View, mailbox: MailboxWithState, values: MailboxFormValues, problems: readonly FormProblem[] = []): Html {
  return layout(
    view,
    { title: `Mailbox ${mailbox.name}`, section: 'mailboxes' },
    html`<h1>Mailbox ${mailbox.name}</h1>
<p>${stateCell(mailbox)}</p>
${problemsBox('Not saved.', problems)}
<form class="settings mailbox-form" method="post" action="/mailboxes/${mailbox.id}" novalidate>
  ${csrfField(view.session?.csrf ?? '')}
  ${mailboxFields(values, problems, true)}
  <div class="actions"><button type="submit">Save mailbox</button></div>
</form>
<p><a href="/mailboxes">Back to the mailboxes</a></p>`,
  );
}

/** Removing a mailbox asks once more, on a page of its own. */
export function removeMailboxPage(view: View, mailbox: MailboxWithState): Html {
  return layout(
    view,
    { title: `Remove ${mailbox.name}`, section: 'mailboxes' },
    html`<h1>Remove the mailbox ${mailbox.name}?</h1>
<p>Winnow stops watching ${fromText(mailbox.from)} and forgets its settings and passwords. The people whose requests came to it stay, but no script or reminder can go out to them from it any more. To stop watching it for a while instead, pause it.</p>
<form method="post" action="/mailboxes/${mailbox.id}/remove">
  ${csrfField(view.session?.csrf ?? '')}
  <input type="hidden" name="confirm" value="yes">
  <div class="actions"><button type="submit" class="danger">Remove mailbox</button> <a href="/mailboxes">Keep it</a></div>
</form>`,
  );
}
