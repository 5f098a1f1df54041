import { SENDABLE_ON_PLATFORM } from '../../contacts/actions.ts';
import type { Contact } from '../../vocabulary/contact.ts';
import { platformLabelOf, platformPages } from '../../detect/platform.ts';
import type { RenderedScript } from '../../script/template.ts';
import type { Flash } from '../flash.ts';
import { html, type Html } from '../html.ts';
import { safeHttpUrl } from '../security.ts';
import { flagBadges, formatCount, formatTime, nameOf } from './format.ts';
import { platformLabel } from '../../vocabulary/platforms.ts';
import { csrfField, layout, type View } from './layout.ts';
import { contactUrl, flashMessage } from './people.ts';

export interface AwaitingPerson {
  contact: Contact;
  script: RenderedScript;
}

export interface AwaitingModel {
  people: AwaitingPerson[];
  total: number;
  cursor: string | undefined;
  nextCursor: string | null;
  templateVersion: number | null;
  csrf: string;
  flash: Flash | null;
  script: string;
}

/**
 * "I sent it on LinkedIn": the user's word that the script went out on the platform, beside the
 * link to the platform's messaging. The person is then asked there, with the deadline running.
 */
export function sentOnPlatformForm(contact: Contact, csrf: string, back: string | null): Html | null {
  const platform = platformLabelOf(contact.platform);
  if (platform === null || !SENDABLE_ON_PLATFORM.includes(contact.status)) return null;
  return html`<form class="inline-form" method="post" action="${contactUrl(contact.id)}/sent-on-platform">
  ${csrfField(csrf)}
  ${back ? html`<input type="hidden" name="back" value="${back}">` : null}
  <button type="submit">I sent it on ${platform}</button>
</form>`;
}

function sentOnPlatformStep(contact: Contact, csrf: string, back: string): Html | null {
  const form = sentOnPlatformForm(contact, csrf, back);
  if (!form) return null;
  const messaging = safeHttpUrl(platformPages(contact.platform).messaging);
  const platform = platformLabelOf(contact.platform) ?? '';
  return html`<li>Then say so here: ${nameOf(contact.name)} is asked on ${platform}, the deadline starts, and ${platform}'s notice of their message brings the answer.${
    messaging ? html` (<a class="external" href="${messaging}" rel="noopener noreferrer nofollow" target="_blank">${platform} messaging<span class="visually-hidden"> (opens in a new tab)</span></a>)` : null
  }
  ${form}</li>`;
}

function card(person: AwaitingPerson, csrf: string, back: string): Html {
  const { contact, script } = person;
  const name = nameOf(contact.name);
  const id = contact.id;
  const profile = safeHttpUrl(contact.profileUrl);
  return html`<article class="awaiting-card" aria-labelledby="name-${id}">
  <h2 id="name-${id}"><a href="${contactUrl(id)}">${name}</a></h2>
  <p class="meta">${platformLabel(contact.platform)} · requested ${formatTime(contact.requestedAt)}${contact.headline ? html` · <span class="headline-inline">${contact.headline}</span>` : null}</p>
  ${flagBadges(contact.flags)}
  <ol class="steps-to-do">
    <li>${
      profile
        ? html`Open <a class="external" href="${profile}" rel="noopener noreferrer nofollow" target="_blank">${name}'s profile<span class="visually-hidden"> (opens in a new tab)</span></a> and write to them there, with the script below.`
        : contact.platform === 'email'
          ? html`The request named no address Winnow may answer; if you know another way to reach ${name}, use the script below.`
          : html`There is no profile link in the request; find ${name} on ${platformLabel(contact.platform)} and write to them there, with the script below.`
    }</li>
    ${sentOnPlatformStep(contact, csrf, back)}
    <li>Or, if you know their address, type it below: Winnow sends the script by mail.</li>
  </ol>
  <div class="field script-copy">
    <label for="script-${id}">Script for ${name} <span class="hint">(subject: ${script.subject})</span></label>
    <textarea id="script-${id}" class="code" rows="9" readonly>${script.text}</textarea>
    <div class="copy-row">
      <button type="button" class="secondary" data-copy="script-${id}" hidden>Copy the script</button>
      <span class="copy-status" role="status" aria-live="polite"></span>
    </div>
  </div>
  <form class="address-form inline" method="post" action="${contactUrl(id)}/address">
    ${csrfField(csrf)}
    <input type="hidden" name="back" value="${back}">
    <div class="field grow">
      <label for="address-${id}">${name}'s address</label>
      <input id="address-${id}" name="email" type="email" autocomplete="off" required maxlength="254">
    </div>
    <button type="submit">Send the script</button>
  </form>
  <form class="inline-form" method="post" action="${contactUrl(id)}/handled">
    ${csrfField(csrf)}
    <input type="hidden" name="back" value="${back}">
    <button type="submit" class="link">I wrote to ${name} myself: mark handled</button>
  </form>
</article>`;
}

export function awaitingPage(view: View, model: AwaitingModel): Html {
  const back = model.cursor ? `/awaiting?cursor=${encodeURIComponent(model.cursor)}` : '/awaiting';
  const intro = html`<p class="lead">Requests that came without an address of the person (a reply to a LinkedIn notification goes to LinkedIn). Copy the script and send it on the platform, or give Winnow an address. ${formatCount(model.total)} ${model.total === 1 ? 'person waits' : 'people wait'}. The script is the template in force${model.templateVersion === null ? ' (the default)' : ` (version ${model.templateVersion})`}.</p>`;
  const list =
    model.people.length === 0
      ? html`<p class="empty">${model.cursor ? 'That was everyone: there is no one on later pages.' : 'No one is waiting for an address.'}</p>`
      : html`<div class="awaiting-list">${model.people.map((person) => card(person, model.csrf, back))}</div>`;
  const pager =
    model.cursor || model.nextCursor
      ? html`<nav class="pager" aria-label="Pages">
  ${model.cursor ? html`<a href="/awaiting">First page</a>` : null}
  ${model.nextCursor ? html`<a rel="next" href="/awaiting?cursor=${encodeURIComponent(model.nextCursor)}">Next page</a>` : null}
</nav>`
      : null;
  return layout(
    view,
    { title: 'Awaiting address', section: 'awaiting', scripts: [model.script] },
    html`<h1>Awaiting address</h1>
${flashMessage(model.flash)}
${intro}
${list}
${pager}`,
  );
}
