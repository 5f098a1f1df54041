import type { SkippedMail } from '../../contacts/store.ts';
import { html, type Html } from '../html.ts';
import { formatTime } from './format.ts';
import { layout, type View } from './layout.ts';

export function skippedMailPage(view: View, mails: SkippedMail[]): Html {
  const body =
    mails.length === 0
      ? html`<p class="empty">Every mail so far could be read.</p>`
      : html`<div class="table-wrap">
<table class="skipped">
  <caption class="visually-hidden">Mails that could not be read, newest first</caption>
  <thead><tr><th scope="col">Seen</th><th scope="col">UID</th><th scope="col">Message-ID</th><th scope="col">Reason</th></tr></thead>
  <tbody>
    ${mails.map(
      (mail) => html`<tr>
      <td data-label="Seen">${formatTime(mail.at)}</td>
      <td data-label="UID">${mail.uid}</td>
      <td data-label="Message-ID">${mail.messageId ? html`<code>${mail.messageId}</code>` : html`<span class="none">—</span>`}</td>
      <td data-label="Reason">${mail.reason}</td>
    </tr>`,
    )}
  </tbody>
</table>
</div>`;
  return layout(
    view,
    { title: 'Skipped mail', section: 'skipped-mail' },
    html`<h1>Skipped mail</h1>
<p class="lead">Mails Winnow read but could not use, newest first, so nothing is dropped silently.</p>
${body}`,
  );
}
