import type { Bucket, Funnel, Period, SeriesPoint } from '../../contacts/stats.ts';
import type { Status } from '../../contacts/types.ts';
import type { Flash } from '../flash.ts';
import { html, type Html, type Interpolation } from '../html.ts';
import { requestsChart } from './chart.ts';
import { formatCount, formatDay, formatPercent, formatTime } from './format.ts';
import { layout, type View } from './layout.ts';
import { flashMessage, respondersUrl } from './people.ts';

export interface MailboxHealth {
  /** Whether a watcher ever reported on this mailbox. */
  known: boolean;
  /** A watcher holds the mailbox (its lease is alive) and says it is connected. */
  connected: boolean;
  /** A watcher process holds the mailbox's lease right now. */
  watched: boolean;
  connectedAt: number | null;
  lastMailAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface QueueHealth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface OverviewModel {
  period: Period;
  from: number;
  to: number;
  funnel: Funnel;
  series: SeriesPoint[];
  bucket: Bucket;
  mailbox: MailboxHealth;
  /** Null when the queues could not be read; the reason is in `queueError`. */
  queues: QueueHealth[] | null;
  queueError: string | null;
  skippedMail: number;
  flash: Flash | null;
}

const PERIOD_LABELS: Record<Period, string> = { '7d': '7 days', '30d': '30 days', '90d': '90 days', all: 'All time' };

const QUEUE_LABELS: Record<string, string> = {
  inbound: 'Incoming mail',
  send: 'Scripts to send',
  deadline: 'Deadlines',
  'sent-copy': 'Copies for the Sent folder',
};

function periodTabs(current: Period): Html {
  return html`<nav class="tabs period" aria-label="Period">
  <ul>
    ${(Object.keys(PERIOD_LABELS) as Period[]).map((period) => html`<li><a href="${period === '30d' ? '/' : `/?period=${period}`}"${period === current ? html` aria-current="page"` : null}>${PERIOD_LABELS[period]}</a></li>`)}
  </ul>
</nav>`;
}

/** One step of the funnel: its count, a gauge against the requests, and a link to those people. */
function step(label: string, count: number, of: number, href: string | null, hint?: Interpolation): Html {
  const gauge = of > 0 ? html`<meter min="0" max="${of}" value="${count}">${formatPercent(count / of)}</meter>` : null;
  const figure = html`<span class="step-count">${formatCount(count)}</span>`;
  return html`<div class="step">
  <dt>${href && count > 0 ? html`<a href="${href}">${label}</a>` : label}${hint ? html` <span class="hint">${hint}</span>` : null}</dt>
  <dd>${figure} ${gauge}</dd>
</div>`;
}

/** `YYYY-MM-DD` of a moment (UTC), as the responders' date filter takes it. */
function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function funnelSection(model: OverviewModel): Html {
  const f = model.funnel;
  const known = f.answered + f.declined + f.noResponse;
  // A link leads to the same people the figure counts: those with that status whose request
  // arrived in the period (periods are whole UTC days, like the list's date filter).
  const list = (status: Status) => respondersUrl({ status, from: isoDay(model.from), to: isoDay(model.to) });
  // Answered and no response count people whatever the user decided since; the list of that
  // status holds only those still to decide, so the link says how many that is.
  const outcome = (hint: string, undecided: number, status: Status): Html =>
    undecided > 0 ? html`${hint}; <a href="${list(status)}">${formatCount(undecided)} still to decide</a>` : html`${hint}`;
  return html`<section aria-labelledby="funnel-heading" class="funnel">
  <h2 id="funnel-heading">What became of the requests</h2>
  <p class="lead">Requests that arrived from ${formatDay(model.from)} to ${formatDay(model.to)} (UTC), by where they stand now.</p>
  <div class="rate">
    <p><span class="rate-value">${formatPercent(f.answerRate)}</span> answer rate</p>
    <p class="hint">${known === 0 ? 'No outcome is known yet: no one has answered, declined or let a deadline pass.' : `${formatCount(f.answered + f.declined)} of ${formatCount(known)} people whose outcome is known answered (${formatCount(f.declined)} of them declined).`}</p>
  </div>
  <dl class="steps">
    ${step('Requests', f.requests, f.requests, null)}
    ${step('Asked', f.asked, f.requests, null, f.askedOnPlatform > 0 ? html`sent the script: ${formatCount(f.asked - f.askedOnPlatform)} by mail, <a href="${respondersUrl({ channel: 'platform', from: isoDay(model.from), to: isoDay(model.to) })}">${formatCount(f.askedOnPlatform)} on the platform by you</a>` : 'sent the script')}
    ${step('Answered', f.answered, f.requests, null, outcome('whatever you decided since', f.answeredUndecided, 'answered'))}
    ${step('Declined', f.declined, f.requests, list('declined'))}
    ${step('No response', f.noResponse, f.requests, null, outcome('deadline passed', f.noResponseUndecided, 'no_response'))}
    ${step('Waiting for an answer', f.waiting, f.requests, list('asked'))}
  </dl>
  <h3>Not asked (yet)</h3>
  <dl class="steps">
    ${step('Awaiting address', f.awaitingAddress, f.requests, list('awaiting_address'))}
    ${step('Awaiting approval', f.awaitingApproval, f.requests, list('awaiting_approval'))}
    ${step('About to be sent', f.queued, f.requests, list('queued'))}
    ${step('Skipped', f.skipped, f.requests, list('skipped'), 'known, blocked or suppressed')}
    ${step('Bounced or failed', f.undeliverable, f.requests, null)}
  </dl>
  <h3>Your decisions</h3>
  <dl class="steps">
    ${step('Accepted', f.accepted, f.requests, list('accepted'))}
    ${step('Rejected', f.rejected, f.requests, list('rejected'))}
    ${step('Handled by you', f.handled, f.requests, list('handled'))}
  </dl>
</section>`;
}

function mailboxSection(mailbox: MailboxHealth, skippedMail: number): Html {
  let state: Html;
  if (!mailbox.known) state = html`<span class="health unknown">No watcher has reported yet</span>`;
  else if (mailbox.connected) state = html`<span class="health good">Connected</span>`;
  else if (!mailbox.watched) state = html`<span class="health bad">Not watched</span> <span class="hint">No worker process holds the mailbox. Is <code>winnow worker</code> (or <code>winnow start</code>) running?</span>`;
  else state = html`<span class="health bad">Not connected</span>`;
  return html`<section aria-labelledby="mailbox-heading" class="health-panel">
  <h2 id="mailbox-heading">Mailbox</h2>
  <dl class="details">
    <div><dt>State</dt><dd>${state}</dd></div>
    <div><dt>Connected since</dt><dd>${mailbox.connected ? formatTime(mailbox.connectedAt) : html`<span class="none">—</span>`}</dd></div>
    <div><dt>Last mail seen</dt><dd>${formatTime(mailbox.lastMailAt)}</dd></div>
    <div><dt>Last error</dt><dd>${mailbox.lastError ? html`${mailbox.lastError} <span class="hint">(${formatTime(mailbox.lastErrorAt)})</span>` : html`<span class="none">none</span>`}</dd></div>
    <div><dt>Mail that could not be used</dt><dd>${skippedMail > 0 ? html`<a href="/skipped-mail">${formatCount(skippedMail)} ${skippedMail === 1 ? 'mail' : 'mails'}</a>` : html`<a href="/skipped-mail">none</a>`}</dd></div>
  </dl>
</section>`;
}

function queueSection(queues: QueueHealth[] | null, error: string | null): Html {
  const body =
    queues === null
      ? html`<p class="error">The queues could not be read: ${error ?? 'no reason given'}</p>`
      : html`<div class="table-wrap">
<table class="queues">
  <caption class="visually-hidden">Jobs per queue</caption>
  <thead><tr><th scope="col">Queue</th><th scope="col">Waiting</th><th scope="col">Running</th><th scope="col">Delayed</th><th scope="col">Failed</th></tr></thead>
  <tbody>
    ${queues.map(
      (queue) => html`<tr>
      <th scope="row">${QUEUE_LABELS[queue.name] ?? queue.name}</th>
      <td>${formatCount(queue.waiting)}</td>
      <td>${formatCount(queue.active)}</td>
      <td>${formatCount(queue.delayed)}</td>
      <td${queue.failed > 0 ? html` class="bad"` : null}>${formatCount(queue.failed)}</td>
    </tr>`,
    )}
  </tbody>
</table>
</div>
<p class="hint">Delayed jobs are deadlines that have not come yet and retries that wait their turn; failed ones gave up for good and are kept 30 days.</p>`;
  return html`<section aria-labelledby="queues-heading" class="health-panel">
  <h2 id="queues-heading">Queues</h2>
  ${body}
</section>`;
}

export function overviewPage(view: View, model: OverviewModel): Html {
  return layout(
    view,
    { title: 'Overview', section: 'overview' },
    html`<h1>Overview</h1>
${flashMessage(model.flash)}
${periodTabs(model.period)}
${funnelSection(model)}
<section aria-labelledby="chart-heading">
  <h2 id="chart-heading">Over time</h2>
  ${requestsChart(model.series, model.bucket)}
</section>
<div class="health-grid">
${mailboxSection(model.mailbox, model.skippedMail)}
${queueSection(model.queues, model.queueError)}
</div>`,
  );
}
