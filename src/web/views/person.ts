import type { Contact, ContactEvent } from '../../contacts/types.ts';
import { html, type Html, type Interpolation } from '../html.ts';
import { safeHttpUrl } from '../security.ts';
import { formatTime, nameOf, platformLabel, profileLink, statusBadge, statusLabel } from './format.ts';
import { layout, type View } from './layout.ts';

function field(label: string, value: Interpolation): Html {
  return html`<div><dt>${label}</dt><dd>${value === null || value === undefined || value === '' ? html`<span class="none">—</span>` : value}</dd></div>`;
}

function profile(url: string | null): Interpolation {
  if (!url) return null;
  // A profile URL that is not http(s) is shown as text so the reader sees something is off.
  return safeHttpUrl(url) ? profileLink(url, url) : html`<span class="unsafe">${url} (not a web address; not linked)</span>`;
}

function event(entry: ContactEvent): Html {
  return html`<li>
  <div class="when">${formatTime(entry.at)}</div>
  <div class="what"><strong>${statusLabel(entry.type)}</strong>${entry.detail ? html` <span class="detail">${entry.detail}</span>` : null}</div>
  ${entry.messageId ? html`<div class="message-id">Message-ID: <code>${entry.messageId}</code></div>` : null}
</li>`;
}

export function personPage(view: View, contact: Contact, timeline: ContactEvent[]): Html {
  const name = nameOf(contact.name);
  return layout(
    view,
    { title: name, section: 'people' },
    html`<p class="back"><a href="/">← All people</a></p>
<h1>${name}</h1>
<p class="lead">${statusBadge(contact.status)}${contact.headline ? html` <span class="headline">${contact.headline}</span>` : null}</p>
<section aria-labelledby="details">
  <h2 id="details">Details</h2>
  <dl class="details">
    ${field('Platform', platformLabel(contact.platform))}
    ${field('Email', contact.email)}
    ${field('Profile', profile(contact.profileUrl))}
    ${field('Subject of the request', contact.subject)}
    ${field('Invitation id', contact.invitationId)}
    ${field('Requested', formatTime(contact.requestedAt))}
    ${field('Asked', formatTime(contact.askedAt))}
    ${field('Deadline', formatTime(contact.deadlineAt))}
    ${field('Answered', formatTime(contact.answeredAt))}
    ${field('Last change', formatTime(contact.updatedAt))}
    ${contact.reason ? field('Reason', contact.reason) : null}
  </dl>
</section>
<section aria-labelledby="answer">
  <h2 id="answer">Answer</h2>
  ${contact.answerText ? html`<blockquote class="answer">${contact.answerText}</blockquote>` : html`<p class="none">No answer yet.</p>`}
</section>
<section aria-labelledby="timeline">
  <h2 id="timeline">Timeline</h2>
  ${timeline.length > 0 ? html`<ol class="timeline">${timeline.map(event)}</ol>` : html`<p class="none">Nothing recorded yet.</p>`}
</section>`,
  );
}
