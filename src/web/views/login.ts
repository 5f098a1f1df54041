import { html, type Html } from '../html.ts';
import { csrfField, layout, type View } from './layout.ts';

/** `next`: the dashboard path to return to once logged in, already checked to be one of ours. */
export function loginPage(view: View, options: { csrf: string; error?: string; next?: string; notice?: string }): Html {
  return layout(
    { ...view, session: null },
    { title: 'Log in' },
    html`<div class="login">
<h1>Log in</h1>
<p class="lead">Winnow answers connection requests with your script and keeps track of who answers. Log in to review them.</p>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${options.error ? html`<p class="error" role="alert" id="login-error">${options.error}</p>` : null}
<form method="post" action="/login">
  ${csrfField(options.csrf)}
  ${options.next ? html`<input type="hidden" name="next" value="${options.next}">` : null}
  <div class="field">
    <label for="password">Dashboard password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required autofocus${options.error ? html` aria-describedby="login-error"` : null}>
  </div>
  <button type="submit">Log in</button>
</form>
</div>`,
  );
}
