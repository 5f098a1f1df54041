import type { DigestMail } from '../../digest/digest.ts';
import { html, type Html } from '../html.ts';
import { layout, type View } from './layout.ts';

/**
 * The digest as it would go now: its subject, text part and HTML part (in a sandboxed frame, as
 * the templates page shows a script), with what is new since the last one.
 */
export function digestPreviewPage(view: View, model: { mail: DigestMail | null; every: string; since: number | null; frameUrl: string }): Html {
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
<p class="hint">Laid out by the digest template, <code>templates/digest</code> (subject, text part, HTML part), through the same engine as your script.</p>
${
  model.mail
    ? html`<div class="mail-preview">
  <p class="mail-subject"><span class="label">Subject:</span> ${model.mail.subject}</p>
  <pre class="mail-text">${model.mail.text}</pre>
  <div class="frame-holder"><iframe class="mail-html" src="${model.frameUrl}" sandbox="" referrerpolicy="no-referrer" title="The HTML part of the digest"></iframe></div>
</div>`
    : html`<p class="empty">Nothing needs you that is new since the last digest, so none would go now.</p>`
}`,
  );
}
