import { canMove } from '../../contacts/lifecycle.ts';
import { platformLabelOf, platformPages } from '../../detect/platform.ts';
import { type Contact, type ContactEvent, type Status, statusLabel } from '../../vocabulary/contact.ts';
import type { RenderedScript } from '../../script/template.ts';
import type { Flash } from '../flash.ts';
import { html, type Html, type Interpolation } from '../html.ts';
import { safeHttpUrl } from '../security.ts';
import { flagBadges, formatCount, formatTime, nameOf, profileLink, scoreSummary, statusBadge } from './format.ts';
import { platformLabel } from '../../vocabulary/platforms.ts';
import { csrfField, layout, type View } from './layout.ts';
import { sentOnPlatformForm } from './awaiting.ts';
import { contactUrl, flashMessage } from './people.ts';
import { mailOfEvents } from './timeline.ts';

export interface PersonModel {
  contact: Contact;
  timeline: ContactEvent[];
  csrf: string;
  flash: Flash | null;
  /** The script as the template in force renders it for this person, with that template's version. */
  script: { rendered: RenderedScript; version: number | null } | null;
  /** The name of the mailbox the request came to (which answers it). */
  mailbox?: string | null;
}

function field(label: string, value: Interpolation): Html {
  return html`<div><dt>${label}</dt><dd>${value === null || value === undefined || value === '' ? html`<span class="none">—</span>` : value}</dd></div>`;
}

function profile(url: string | null): Interpolation {
  if (!url) return null;
  // A profile URL that is not http(s) is shown as text so the reader sees something is off.
  return safeHttpUrl(url) ? profileLink(url, url) : html`<span class="unsafe">${url} (not a web address; not linked)</span>`;
}

const EVENT_LABELS: Partial<Record<ContactEvent['type'], string>> = {
  requested: 'request',
  requested_again: 'asked again',
  asked: 'script sent',
  sent_again: 'send again',
  address_set: 'address set',
  auto_reply: 'automatic reply',
  no_response: 'deadline passed',
  sent_on_platform: 'script sent on the platform',
  platform_message: 'message on the platform',
  not_taken: 'mail not taken',
};

/**
 * One event. The mail behind it is named in words ("answer to script #1"); its Message-ID, which
 * finds the mail in a mail program, stays one click away.
 */
function event(entry: ContactEvent, mail: string | null): Html {
  return html`<li class="event event-${entry.type}">
  <div class="when">${formatTime(entry.at)}</div>
  <div class="what"><strong>${EVENT_LABELS[entry.type] ?? statusLabel(entry.type)}</strong>${entry.detail ? html` <span class="detail">${entry.detail}</span>` : null}${entry.repeats && entry.repeats > 1 ? html` <span class="repeats">(${String(entry.repeats)} times, the last ${formatTime(entry.lastAt ?? entry.at)})</span>` : null}</div>
  ${mail && entry.messageId ? html`<details class="message-id"><summary>Mail: ${mail}</summary>Message-ID <code>${entry.messageId}</code></details>` : null}
</li>`;
}

/**
 * "Export everything": a form, not a link, since the export is noted on the timeline and a GET
 * must change nothing. Its answer is a download, so the page stays where it is.
 */
function exportForm(contact: Contact, csrf: string, label: Html, style = 'link'): Html {
  return html`<form class="inline-form" method="post" action="${contactUrl(contact.id)}/export">
  ${csrfField(csrf)}
  <button type="submit" class="${style}">${label}</button>
</form>`;
}

/** A one-button form posting to one of the person's actions, with the CSRF token. */
function actionButton(contact: Contact, csrf: string, action: string, label: string, secondary = false): Html {
  return html`<form class="inline-form" method="post" action="${contactUrl(contact.id)}/${action}">
  ${csrfField(csrf)}
  <button type="submit"${secondary ? html` class="secondary"` : null}>${label}</button>
</form>`;
}

const DECIDABLE: readonly Status[] = ['answered', 'declined', 'no_response', 'handled', 'rejected', 'accepted'];
const ADDRESSABLE: readonly Status[] = ['awaiting_address', 'awaiting_approval', 'bounced', 'failed', 'asked', 'no_response'];
const SEND_AGAIN: readonly Status[] = ['asked', 'no_response', 'bounced', 'failed'];

/** Where the person stands, as a sentence ("Bob has not answered yet"), for the prose of a page. */
export function standing(name: string, status: Status): string {
  switch (status) {
    case 'detected':
      return `${name}'s request was just recorded`;
    case 'awaiting_address':
      return `${name} is awaiting an address`;
    case 'awaiting_approval':
      return `${name}'s script awaits your approval`;
    case 'skipped':
      return `${name} was skipped`;
    case 'queued':
      return `${name}'s script is about to be sent`;
    case 'asked':
      return `${name} has not answered yet`;
    case 'answered':
      return `${name} answered`;
    case 'declined':
      return `${name} declined`;
    case 'bounced':
      return `${name}'s script bounced`;
    case 'no_response':
      return `${name} let the deadline pass without answering`;
    case 'failed':
      return `${name}'s script could not be sent`;
    case 'accepted':
      return `${name} is accepted`;
    case 'rejected':
      return `${name} is rejected`;
    case 'handled':
      return `${name} is marked handled`;
  }
}

export function addressHelp(contact: Contact): string {
  switch (contact.status) {
    case 'awaiting_address':
      return 'Where the script should go. It is sent as soon as you save.';
    case 'awaiting_approval':
      return 'Setting an address approves the script: it is sent to this address.';
    case 'bounced':
    case 'failed':
      return 'The script did not reach the address Winnow had. Correct it and the script is sent again.';
    default:
      return 'If the script went to a wrong address, correct it here: the script is sent again to the new one.';
  }
}

function actionsSection(contact: Contact, csrf: string): Html {
  const name = nameOf(contact.name);
  const buttons: Html[] = [];
  if (DECIDABLE.includes(contact.status)) {
    if (contact.status !== 'accepted') buttons.push(actionButton(contact, csrf, 'accept', `Accept ${name}`));
    if (contact.status !== 'rejected') buttons.push(actionButton(contact, csrf, 'reject', `Reject ${name}`, true));
  }
  if (contact.status === 'awaiting_approval' && contact.email) buttons.push(actionButton(contact, csrf, 'approve', `Approve: send the script to ${contact.email}`));
  if (SEND_AGAIN.includes(contact.status) && contact.email) buttons.push(html`<a class="button-link" href="${contactUrl(contact.id)}/send-again">Send the script again…</a>`);
  const onPlatform = sentOnPlatformForm(contact, csrf, null);
  if (onPlatform) buttons.push(onPlatform);
  if (canMove(contact.status, 'handled') && contact.status !== 'handled') buttons.push(actionButton(contact, csrf, 'handled', 'Mark handled', true));

  const addressForm = ADDRESSABLE.includes(contact.status)
    ? html`<form class="address-form" method="post" action="${contactUrl(contact.id)}/address">
  ${csrfField(csrf)}
  <div class="field">
    <label for="address">${contact.email ? 'Correct the address' : 'Their address'}</label>
    <input id="address" name="email" type="email" autocomplete="off" required maxlength="254" value="${contact.email ?? ''}" aria-describedby="address-help">
    <p class="hint" id="address-help">${addressHelp(contact)}</p>
  </div>
  <button type="submit">${contact.email ? 'Save and send the script' : 'Send the script to this address'}</button>
</form>`
    : null;

  return html`<section aria-labelledby="actions-heading" class="person-actions">
  <h2 id="actions-heading">Actions</h2>
  ${buttons.length > 0 ? html`<div class="actions">${buttons}</div>` : html`<p class="hint">Nothing to decide now: ${standing(name, contact.status)}.</p>`}
  ${addressForm}
  <div class="actions secondary-actions">
    ${exportForm(contact, csrf, html`Export everything about ${name} (JSON)`)}
    <a href="${contactUrl(contact.id)}/erase" class="danger">Erase ${name}…</a>
  </div>
</section>`;
}

function scriptSection(model: PersonModel): Html | null {
  const { contact, script } = model;
  if (!script) return null;
  const times = Math.max(contact.attempts, contact.askedAt !== null ? 1 : 0);
  const sent = times > 0;
  return html`<section aria-labelledby="script-heading">
  <h2 id="script-heading">The script</h2>
  <p class="hint">${sent ? `Sent ${formatCount(times)} ${times === 1 ? 'time' : 'times'}` : 'Not sent yet'}. Shown as the template in force${script.version === null ? ' (the default)' : ` (version ${script.version})`} renders it for ${nameOf(contact.name)}${sent ? '; an earlier version may have been in force when it went out' : ''}.</p>
  <div class="mail-preview">
    <p class="mail-subject"><span class="label">Subject:</span> ${script.rendered.subject}</p>
    <pre class="mail-text">${script.rendered.text}</pre>
  </div>
</section>`;
}

/** A link out to the platform, opened by the user in a new tab; Winnow never follows it itself. */
function platformLink(url: string | null, label: string): Html | null {
  const href = safeHttpUrl(url);
  return href ? html`<a class="external button-link" href="${href}" rel="noopener noreferrer nofollow" target="_blank">${label}<span class="visually-hidden"> (opens in a new tab)</span></a>` : null;
}

/**
 * Back to the platform: after the user's decision, the step that makes it so on the platform
 * (LinkedIn's own Accept link from the invitation, or its invitation manager to ignore it).
 */
function platformSection(contact: Contact): Html | null {
  const platform = platformLabelOf(contact.platform);
  if (platform === null) return null;
  const pages = platformPages(contact.platform);
  const name = nameOf(contact.name);
  let step: Html | null = null;
  if (contact.status === 'accepted') {
    const link = platformLink(contact.acceptUrl, `Accept on ${platform}`) ?? platformLink(pages.invitations, `Open your ${platform} requests to accept ${name}`);
    if (link) step = html`<p>You accepted ${name} here; on ${platform} the request still waits. ${link}</p>`;
  } else if (contact.status === 'rejected') {
    const link = platformLink(pages.invitations, `Ignore on ${platform}`);
    if (link) step = html`<p>You rejected ${name} here; on ${platform} the request still waits until you ignore it there. ${link}</p>`;
  }
  const relay = contact.relayAddress
    ? html`<p class="hint">${platform} gave a relay address with ${name}'s message: <code>${contact.relayAddress}</code>. It forwards mail to them through ${platform}; it is not their own address, ${contact.email === contact.relayAddress ? 'and the script went there because Settings allow relays.' : `so Winnow does not write there unless Settings allow relays. ${contact.status === 'awaiting_address' ? 'If you want the script to go there, give it as their address above.' : 'You may write there from your own mail program.'}`}</p>`
    : null;
  if (!step && !relay) return null;
  return html`<section aria-labelledby="platform-heading">
  <h2 id="platform-heading">On ${platform}</h2>
  ${step}
  ${step ? html`<p class="hint">The link opens ${platform} in your browser; Winnow never opens it itself.</p>` : null}
  ${relay}
</section>`;
}

function answerSection(contact: Contact): Html {
  const full = contact.answerFullText && contact.answerFullText.trim() !== (contact.answerText ?? '').trim() ? contact.answerFullText : null;
  return html`<section aria-labelledby="answer">
  <h2 id="answer">Answer</h2>
  ${contact.answerText ? html`<blockquote class="answer">${contact.answerText}</blockquote>` : html`<p class="none">No answer yet.</p>`}
  ${contact.score ? html`<div class="answer-score"><span class="label">Score:</span> ${scoreSummary(contact.score)}</div>` : null}
  ${contact.conversationUrl ? html`<p>${platformLink(contact.conversationUrl, `Open the conversation on ${platformLabel(contact.platform)}`)}</p>` : null}
  ${full ? html`<details class="full-answer"><summary>Show the full text as received (quotes and signature included)</summary><pre class="mail-text">${full}</pre></details>` : null}
</section>`;
}

export function personPage(view: View, model: PersonModel): Html {
  const { contact, timeline } = model;
  const name = nameOf(contact.name);
  const mails = mailOfEvents(timeline);
  return layout(
    view,
    { title: name, section: 'person' },
    html`<p class="back"><a href="/people">← All people</a></p>
<h1>${name}</h1>
${flashMessage(model.flash)}
<p class="lead">${statusBadge(contact.status)}${contact.headline ? html` <span class="headline">${contact.headline}</span>` : null}</p>
${flagBadges(contact.flags)}
${answerSection(contact)}
${actionsSection(contact, model.csrf)}
${platformSection(contact)}
<section aria-labelledby="details">
  <h2 id="details">Details</h2>
  <dl class="details">
    ${field('Platform', platformLabel(contact.platform))}
    ${model.mailbox ? field('Came to', model.mailbox) : null}
    ${field('Email', contact.email)}
    ${field('Profile', profile(contact.profileUrl))}
    ${field('Subject of the request', contact.subject)}
    ${field('Invitation id', contact.invitationId)}
    ${contact.location ? field('Location', contact.location) : null}
    ${contact.mutualConnections !== null ? field('Mutual connections', formatCount(contact.mutualConnections)) : null}
    ${contact.connectionCount !== null ? field('Connections', formatCount(contact.connectionCount)) : null}
    ${field('Requested', formatTime(contact.requestedAt))}
    ${field('Asked', contact.askedAt === null ? null : html`${formatTime(contact.askedAt)} ${contact.channel === 'platform' ? `on ${platformLabel(contact.platform)} (by you)` : 'by mail'}`)}
    ${field('Deadline', formatTime(contact.deadlineAt))}
    ${contact.pausedUntil ? field('Deadline paused until', formatTime(contact.pausedUntil)) : null}
    ${field('Answered', formatTime(contact.answeredAt))}
    ${contact.decidedAt ? field('Decided', formatTime(contact.decidedAt)) : null}
    ${field('Last change', formatTime(contact.updatedAt))}
    ${contact.reason ? field('Reason', contact.reason) : null}
  </dl>
  ${contact.note ? html`<h3>Their note with the request</h3><blockquote class="answer">${contact.note}</blockquote>` : null}
</section>
${scriptSection(model)}
<section aria-labelledby="timeline">
  <h2 id="timeline">Timeline</h2>
  ${timeline.length > 0 ? html`<ol class="timeline">${timeline.map((entry, i) => event(entry, mails[i] ?? null))}</ol>` : html`<p class="none">Nothing recorded yet.</p>`}
</section>`,
  );
}

/** "Send again?": the confirmation step, a page of its own, so it works without script. */
export function sendAgainPage(view: View, contact: Contact, csrf: string): Html {
  const name = nameOf(contact.name);
  return layout(
    view,
    { title: `Send the script again to ${name}`, section: 'person' },
    html`<p class="back"><a href="${contactUrl(contact.id)}">← Back to ${name}</a></p>
<h1>Send the script again to ${name}?</h1>
<p>${standing(name, contact.status)}. The script goes once more to <strong>${contact.email ?? ''}</strong>, as a new mail, and the deadline starts over when it is sent.
${contact.attempts > 0 ? html` They were sent it ${formatCount(contact.attempts)} ${contact.attempts === 1 ? 'time' : 'times'} already.` : null}</p>
<form method="post" action="${contactUrl(contact.id)}/send-again" class="actions">
  ${csrfField(csrf)}
  <input type="hidden" name="confirm" value="yes">
  <button type="submit">Yes, send it again</button>
  <a href="${contactUrl(contact.id)}">No, go back</a>
</form>`,
  );
}

/** "Erase?": what goes, what stays, and the choice to keep them from being scripted again. */
export function erasePage(view: View, contact: Contact, csrf: string): Html {
  const name = nameOf(contact.name);
  return layout(
    view,
    { title: `Erase ${name}`, section: 'person' },
    html`<p class="back"><a href="${contactUrl(contact.id)}">← Back to ${name}</a></p>
<h1>Erase ${name}?</h1>
<p>This removes everything Winnow holds about ${name}: the record, the timeline, the answer, the send records, their entries in Winnow's indexes and in the index of your mailbox's history, and every job that names them, waiting or finished (an incoming mail's job holds the whole mail). It cannot be undone: export it first if you may need it.</p>
<section aria-labelledby="erase-stays-heading">
<h2 id="erase-stays-heading">What stays</h2>
<ul>
  <li>Your own mail: the copy of every script sent to ${name} in your Sent folder, and their mail in your inbox. They are yours, in your mailbox; Winnow does not delete mail. Delete them there if they should go too.</li>
  <li>Your address book, if you imported one: also yours; change it where you keep it, and import it again.</li>
  <li>The server's log, for as long as you keep it.</li>
</ul>
</section>
<div class="actions">${exportForm(contact, csrf, html`Export everything about ${name} first (JSON)`, 'secondary')}</div>
<form method="post" action="${contactUrl(contact.id)}/erase">
  ${csrfField(csrf)}
  <input type="hidden" name="confirm" value="yes">
  <div class="field">
    <label><input type="checkbox" name="forget" value="yes" checked aria-describedby="forget-help"> Never send ${name} the script again</label>
    <p class="hint" id="forget-help">Usually why someone asks to be erased. Winnow then keeps a hash of their address and invitation id, keyed with this server's secret (no one without it can test an address against it), and nothing else, so that a new request from them is ignored. Untick to let a new request from them be answered like anyone's.</p>
  </div>
  <div class="actions">
    <button type="submit" class="danger">Erase ${name} for good</button>
    <a href="${contactUrl(contact.id)}">Keep ${name}</a>
  </div>
</form>`,
  );
}
