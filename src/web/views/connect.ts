import type { MailboxNeedingSignIn } from '../../mailboxes/oauth.ts';
import type { OAuthProvider } from '../../mailboxes/oauth-providers.ts';
import type { Flash } from '../flash.ts';
import { html, type Html } from '../html.ts';
import { csrfField, layout, type View } from './layout.ts';
import { flashMessage } from './people.ts';

/**
 * "Connect Google" and "Connect Microsoft": one POST form per provider on offer, with the name of
 * the mailbox and, under "Advanced", the IMAP and SMTP servers prefilled with the provider's own.
 * `connectSection` is the part the Mailboxes page shows; /mailboxes/connect shows it alone.
 */

function serverFields(provider: OAuthProvider, side: 'imap' | 'smtp'): Html {
  const server = provider[side];
  const label = side === 'imap' ? 'IMAP' : 'SMTP';
  return html`<fieldset>
    <legend>${label}</legend>
    <label>Host <input name="${side}Host" value="${server.host}" required maxlength="253" autocomplete="off"></label>
    <label>Port <input name="${side}Port" value="${String(server.port)}" inputmode="numeric" required maxlength="5"></label>
    <label>Security <select name="${side}Security">
      <option value="tls"${server.secure ? html` selected` : null}>TLS</option>
      <option value="starttls"${server.secure ? null : html` selected`}>STARTTLS</option>
    </select></label>
  </fieldset>`;
}

function connectForm(csrf: string, provider: OAuthProvider): Html {
  return html`<form class="settings connect-form" method="post" action="/mailboxes/oauth/${provider.id}" aria-label="Connect ${provider.label}">
  ${csrfField(csrf)}
  <label>Name of the mailbox <input name="name" value="${provider.label}" required maxlength="100"></label>
  <details>
    <summary>Advanced</summary>
    ${serverFields(provider, 'imap')}
    ${serverFields(provider, 'smtp')}
  </details>
  <div class="actions"><button type="submit">Connect ${provider.label}</button></div>
</form>`;
}

/** The Connect buttons, or how to offer them when no provider is set up. */
export function connectSection(csrf: string, providers: readonly OAuthProvider[]): Html {
  return html`<section id="connect-providers" aria-labelledby="connect-heading">
  <h2 id="connect-heading">Sign in with your provider</h2>
  ${
    providers.length === 0
      ? html`<p class="hint">To connect Gmail or Microsoft 365 by signing in, set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET (see README, "Signing in with Google or Microsoft").</p>`
      : html`<p class="hint">You sign in at the provider and allow Winnow to read and send your mail; Winnow keeps no password, only the provider's tokens, encrypted.</p>
  ${providers.map((provider) => connectForm(csrf, provider))}`
  }
</section>`;
}

export function connectPage(view: View, providers: readonly OAuthProvider[], flash: Flash | null): Html {
  return layout(view, { title: 'Connect a mailbox' }, html`<h1>Connect a mailbox</h1>
${flashMessage(flash)}
${connectSection(view.session?.csrf ?? '', providers)}
<p><a href="/mailboxes">Back to the mailboxes</a></p>`);
}

/**
 * The step between the Connect form and the provider: the browser goes on by itself (the route
 * sends a Refresh header; no script), and the link is there if it does not. A redirect answering
 * the form would be held to the page's CSP `form-action 'self'`, which the provider is not.
 */
export function continueToProviderPage(view: View, provider: string, url: string): Html {
  return layout(view, { title: `Sign in with ${provider}` }, html`<h1>Sign in with ${provider}</h1>
<p><a id="continue" href="${url}">Continue to ${provider}</a> to sign in and allow Winnow to use your mailbox.</p>`);
}

/** The overview's notice of mailboxes whose provider refused their sign-in, each with "Sign in again". */
export function signInNeededNotice(mailboxes: readonly MailboxNeedingSignIn[], csrf: string): Html | null {
  if (mailboxes.length === 0) return null;
  return html`<section class="notice refused sign-in-needed" role="alert" aria-labelledby="sign-in-needed-heading">
  <h2 id="sign-in-needed-heading">${mailboxes.length === 1 ? 'A mailbox needs you to sign in again' : `${String(mailboxes.length)} mailboxes need you to sign in again`}</h2>
  <ul>
    ${mailboxes.map(
      (mailbox) => html`<li><strong>${mailbox.name}</strong> (${mailbox.address}): needs sign-in${mailbox.reason ? html` — ${mailbox.reason}` : null}. Winnow neither reads nor sends from it until then; scripts wait.
      <form class="inline" method="post" action="/mailboxes/${mailbox.id}/sign-in">${csrfField(csrf)}<button type="submit" class="small">Sign in again</button></form></li>`,
    )}
  </ul>
</section>`;
}
