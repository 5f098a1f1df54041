import { html, type Html } from '../html.ts';
import type { RedisMemory } from '../../redis.ts';
import { backlogLine, type BacklogProgress } from '../../mailbox/backlog.ts';
import { formatCount, formatTime } from './format.ts';
import { layout, type View } from './layout.ts';

/**
 * The health page (`/health`): the mailbox, the queues and the mail that could not be used. This is
 * operator detail; the overview shows one line of it (`healthSummary`) and links here.
 */

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
  /** The last backlog the watcher read (src/mailbox/backlog.ts), or null. */
  backlog?: BacklogProgress | null;
}

export interface QueueHealth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface HealthModel {
  mailbox: MailboxHealth;
  /** Null when the queues could not be read; the reason is in `queueError`. */
  queues: QueueHealth[] | null;
  queueError: string | null;
  skippedMail: number;
  /** Redis memory against maxmemory: an alarm above 80 % (src/web/views/alerts.ts); null when INFO could not be read. */
  memory?: RedisMemory | null;
}

const QUEUE_LABELS: Record<string, string> = {
  inbound: 'Incoming mail',
  send: 'Scripts to send',
  deadline: 'Deadlines',
  'sent-copy': 'Copies for the Sent folder',
};

/** Whether the mailbox is in trouble: a watcher reported, and it is not connected now. */
export function mailboxInTrouble(mailbox: MailboxHealth): boolean {
  return mailbox.known && !mailbox.connected;
}

function mailboxState(mailbox: MailboxHealth): Html {
  if (!mailbox.known) return html`<span class="health unknown">No watcher has reported yet</span>`;
  if (mailbox.connected) return html`<span class="health good">Connected</span>`;
  if (!mailbox.watched) return html`<span class="health bad">Not watched</span>`;
  return html`<span class="health bad">Not connected</span>`;
}

function mailboxSection(mailbox: MailboxHealth, skippedMail: number): Html {
  const notWatched = mailbox.known && !mailbox.watched;
  return html`<section aria-labelledby="mailbox-heading" class="health-panel">
  <h2 id="mailbox-heading">Mailbox</h2>
  <dl class="details">
    <div><dt>State</dt><dd>${mailboxState(mailbox)}${notWatched ? html` <span class="hint">No worker process holds the mailbox. Is <code>winnow worker</code> (or <code>winnow start</code>) running?</span>` : null}</dd></div>
    <div><dt>Connected since</dt><dd>${mailbox.connected ? formatTime(mailbox.connectedAt) : html`<span class="none">—</span>`}</dd></div>
    <div><dt>Last mail seen</dt><dd>${formatTime(mailbox.lastMailAt)}</dd></div>
    ${mailbox.backlog ? html`<div><dt>Backlog</dt><dd>${backlogLine(mailbox.backlog)} <span class="hint">(as of ${formatTime(mailbox.backlog.at)})</span></dd></div>` : null}
    <div><dt>Last error</dt><dd>${mailbox.lastError ? html`${mailbox.lastError} <span class="hint">(${formatTime(mailbox.lastErrorAt)})</span>` : html`<span class="none">none</span>`}</dd></div>
    <div><dt>Mail that could not be used</dt><dd>${skippedMail > 0 ? html`<a href="/skipped-mail">${formatCount(skippedMail)} ${skippedMail === 1 ? 'mail' : 'mails'}</a>` : html`<a href="/skipped-mail">none</a>`}</dd></div>
  </dl>
</section>`;
}

/**
 * The jobs of each queue. On a phone the table becomes one card per queue (app.css, table.queues),
 * so the Failed column never sits off-screen.
 */
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
      <td data-label="Waiting">${formatCount(queue.waiting)}</td>
      <td data-label="Running">${formatCount(queue.active)}</td>
      <td data-label="Delayed">${formatCount(queue.delayed)}</td>
      <td data-label="Failed"${queue.failed > 0 ? html` class="bad"` : null}>${formatCount(queue.failed)}</td>
    </tr>`,
    )}
  </tbody>
</table>
</div>
<p class="hint">Delayed jobs are deadlines that have not come yet and retries that wait their turn; failed ones gave up for good and are kept 30 days.</p>`;
  return html`<section aria-labelledby="queues-heading" class="health-panel">
  <h2 id="queues-heading">Queues</h2>
  ${body}
  <p><a href="/queues">Open the queue board</a> to look at each job, and retry or remove failed ones.</p>
</section>`;
}

function failedJobs(queues: QueueHealth[] | null): number {
  return (queues ?? []).reduce((sum, queue) => sum + queue.failed, 0);
}

/** One short section for the overview: is everything running, and where to look if not. */
export function healthSummary(model: HealthModel): Html {
  const failed = failedJobs(model.queues);
  const parts: Html[] = [html`Mailbox: ${mailboxState(model.mailbox)}`];
  if (model.queues === null) parts.push(html`<span class="health bad">the queues could not be read</span>`);
  else parts.push(failed > 0 ? html`<span class="health bad">${formatCount(failed)} failed ${failed === 1 ? 'job' : 'jobs'}</span>` : html`no failed jobs`);
  parts.push(model.skippedMail > 0 ? html`${formatCount(model.skippedMail)} ${model.skippedMail === 1 ? 'mail' : 'mails'} could not be used` : html`every mail could be used`);
  return html`<section aria-labelledby="health-heading" class="health-summary">
  <h2 id="health-heading">Health</h2>
  <p>${parts.map((part, i) => html`${i > 0 ? ' · ' : ''}${part}`)}. <a href="/health">Mailbox and queue details</a> · <a href="/queues">Queue board</a></p>
</section>`;
}

export function healthPage(view: View, model: HealthModel): Html {
  return layout(
    view,
    { title: 'Health', section: 'health' },
    html`<h1>Health</h1>
<p class="lead">Whether Winnow can read your mailbox and work through its queues. The figures are as of this page's loading.</p>
<div class="health-grid">
${mailboxSection(model.mailbox, model.skippedMail)}
${queueSection(model.queues, model.queueError)}
</div>
<p>For your own scripts and systems: <a href="/docs">the API reference</a> (the JSON API, with an API token), and <code>/metrics</code> for Prometheus.</p>`,
  );
}
