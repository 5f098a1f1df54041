import { html, type Html } from '../html.ts';
import type { LoginBurst } from '../login-guard.ts';
import { formatCount, formatTime } from './format.ts';

/**
 * The overview's note of failed-login bursts of the last days (see login-guard.ts): nothing while
 * there are none, so the page stays quiet in the usual case.
 */
export function loginBurstsSection(bursts: readonly LoginBurst[]): Html | null {
  if (bursts.length === 0) return null;
  return html`<section aria-labelledby="login-bursts-heading" class="health-panel login-bursts">
  <h2 id="login-bursts-heading">Failed logins</h2>
  <p>Someone entered wrong dashboard passwords many times in a row. If it was not you, make sure <code>DASHBOARD_PASSWORD</code> is long and used nowhere else.</p>
  <div class="table-wrap">
  <table>
    <caption class="visually-hidden">Bursts of failed logins, newest first</caption>
    <thead><tr><th scope="col">From</th><th scope="col">Until</th><th scope="col">Failed logins</th><th scope="col">Addresses</th><th scope="col">Slowed down</th></tr></thead>
    <tbody>
      ${bursts.map(
        (burst) => html`<tr>
        <td>${formatTime(burst.startedAt)}</td>
        <td>${formatTime(burst.lastAt)}</td>
        <td class="bad">${formatCount(burst.failures)}</td>
        <td>${formatCount(burst.addresses)}</td>
        <td>${burst.slowed ? 'yes: every further attempt waited longer' : 'no'}</td>
      </tr>`,
      )}
    </tbody>
  </table>
  </div>
</section>`;
}
