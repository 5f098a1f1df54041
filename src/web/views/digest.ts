import type { DigestMail } from '../../digest/digest.ts';
import { html, type Html } from '../html.ts';
import { layout, type View } from './layout.ts';

/** The digest as it would go now: its subject and text part, with what is new since the last one. */
export function digestPreviewPage(view: View, model: { mail: DigestMail | null; every: string; since: number | null }): Html {
  const state =
    model.every === 'off'
      ? html`<p class="hint">The digest is off; turn it on in <a href="/settings">Settings</a>. This is what it would say.</p>`
      : html`<p class="hint">It goes only when something changed since the last one${model.since === null ? ' (none was sent yet)' : ''}.</p>`;
  return layout(
    view,
    { title: 'Digest preview', section: 'settings' },
    html`<p class="back"><a href="/settings">← Settings</a></p>
<h1>Digest preview</h1>
${state}
${
  model.mail
    ? html`<div class="mail-preview">
  <p class="mail-subject"><span class="label">Subject:</span> ${model.mail.subject}</p>
  <pre class="mail-text">${model.mail.text}</pre>
</div>`
    : html`<p class="empty">Nothing needs you that is new since the last digest, so none would go now.</p>`
}`,
  );
}
