import type { Bucket, Funnel, NeedsYou, Period, SeriesPoint } from '../../contacts/stats.ts';
import type { Status } from '../../vocabulary/contact.ts';
import type { Flash } from '../flash.ts';
import { html, type Html, type Interpolation } from '../html.ts';
import { memoryAlarm } from './alerts.ts';
import { requestsChart } from './chart.ts';
import { formatCount, formatDay, formatPercent, statusTone, type Tone } from './format.ts';
import { healthSummary, mailboxInTrouble, type HealthModel } from './health.ts';
import { layout, type View } from './layout.ts';
import { flashMessage, mailboxSelect, peopleUrl, type MailboxChoice } from './people.ts';
import type { LoginBurst } from '../login-guard.ts';
import { loginBurstsSection } from './login-bursts.ts';
import { webhookNoticesBox } from './webhooks.ts';
import { signInNeededNotice } from './connect.ts';
import type { MailboxNeedingSignIn } from '../../mailboxes/oauth.ts';
import type { WebhookNotice } from '../../webhooks/endpoints.ts';

/**
 * The overview, top to bottom: what needs the user now, then what became of the requests of a
 * period (the funnel, the answer rate, the chart), then one line of health. Each part is a function
 * of its own, so a new part is one more line in `overviewPage`.
 */

export interface OverviewModel extends HealthModel {
  needsYou: NeedsYou;
  period: Period;
  from: number;
  to: number;
  funnel: Funnel;
  series: SeriesPoint[];
  bucket: Bucket;
  flash: Flash | null;
  /** Bursts of failed logins of the last days, newest first. */
  loginBursts?: readonly LoginBurst[];
  /** Webhook endpoints turned off after failing for good, until turned on again or dismissed. */
  webhookNotices?: readonly WebhookNotice[];
  /** Mailboxes whose provider refused their sign-in (src/mailboxes/oauth.ts). */
  signInNeeded?: readonly MailboxNeedingSignIn[];
  /** The mailbox (its id) whose requests the figures count; every mailbox when absent. */
  shownMailbox?: string;
  /** The user's mailboxes; with more than one, the overview offers to show one of them. */
  mailboxes?: readonly MailboxChoice[];
  /** Added mailboxes whose watcher cannot connect, with the last error as advice. */
  failingMailboxes?: readonly { id: string; name: string; lastError: string | null }[];
}

/** Below this many people whose outcome is known, an answer rate says little: it is shown muted. */
export const FEW_FOR_A_RATE = 10;

const PERIOD_LABELS: Record<Period, string> = { '7d': '7 days', '30d': '30 days', '90d': '90 days', all: 'All time' };

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

interface Need {
  count: number;
  /** What waits, with its count ("3 answers to decide"). */
  what: string;
  /** What to do about it. */
  todo: string;
  href: string;
  tone: Tone;
}

/**
 * What waits for the user, as links to the lists where they act on it, each with its count;
 * only what is there. Failures come last, in the colour of trouble, and with words that say so.
 */
function needsYouSection(needs: NeedsYou, mailboxTrouble: boolean, mailbox: string | undefined, failing: OverviewModel['failingMailboxes'] = []): Html {
  const list = (status: Status) => peopleUrl({ status, mailbox });
  const items: Need[] = [
    { count: needs.answers, what: plural(needs.answers, 'answer to decide', 'answers to decide'), todo: 'read what they said, then accept or reject', href: list('answered'), tone: 'good' },
    { count: needs.awaitingAddress, what: plural(needs.awaitingAddress, 'invitation needs an address', 'invitations need an address'), todo: 'give an address, or send the script on the platform', href: '/awaiting', tone: 'wait' },
    { count: needs.awaitingApproval, what: plural(needs.awaitingApproval, 'script waits for your approval', 'scripts wait for your approval'), todo: 'approve each, or mark them handled', href: list('awaiting_approval'), tone: 'wait' },
    { count: needs.failed, what: plural(needs.failed, 'script could not be sent', 'scripts could not be sent'), todo: 'correct the address or send again', href: list('failed'), tone: 'bad' },
    { count: needs.bounced, what: plural(needs.bounced, 'script bounced', 'scripts bounced'), todo: 'correct the address or send again', href: list('bounced'), tone: 'bad' },
  ];
  const shown = items.filter((item) => item.count > 0);
  const body =
    shown.length === 0 && !mailboxTrouble && failing.length === 0
      ? html`<p class="all-clear">Nothing needs you now. Winnow answers new requests on its own; answers to read and anything that goes wrong will show here.</p>`
      : html`<ul class="needs">
    ${shown.map(
      (item) => html`<li class="need tone-${item.tone}"><a href="${item.href}"><span class="need-what">${item.what}</span></a> <span class="hint">${item.todo}</span></li>`,
    )}
    ${mailboxTrouble ? html`<li class="need tone-bad"><a href="/health"><span class="need-what">The mailbox is not connected</span></a> <span class="hint">no new requests are seen until it is; see what went wrong</span></li>` : null}
    ${failing.map((one) => html`<li class="need tone-bad"><a href="/mailboxes"><span class="need-what">Mailbox “${one.name}” is not connecting</span></a> <span class="hint">${one.lastError ?? 'no new requests to it are seen until it is'}</span></li>`)}
  </ul>`;
  return html`<section aria-labelledby="needs-heading" class="needs-you">
  <h2 id="needs-heading">Needs you</h2>
  ${body}
</section>`;
}

/** The overview's address for a period and mailbox; defaults are left out. */
function overviewUrl(period: Period, mailbox: string | undefined): string {
  const params = new URLSearchParams();
  if (period !== '30d') params.set('period', period);
  if (mailbox) params.set('mailbox', mailbox);
  const search = params.toString();
  return search ? `/?${search}` : '/';
}

function periodTabs(current: Period, mailbox: string | undefined): Html {
  return html`<nav class="tabs period" aria-label="Period">
  <ul>
    ${(Object.keys(PERIOD_LABELS) as Period[]).map((period) => html`<li><a href="${overviewUrl(period, mailbox)}"${period === current ? html` aria-current="page"` : null}>${PERIOD_LABELS[period]}</a></li>`)}
  </ul>
</nav>`;
}

/** With more than one mailbox: show the figures of one of them (a GET form, no script). */
function mailboxFilter(model: OverviewModel): Html | null {
  const select = mailboxSelect(model.shownMailbox, model.mailboxes ?? []);
  if (!select) return null;
  return html`<form class="search filters mailbox-filter" method="get" action="/" aria-label="Show one mailbox">
  ${model.period !== '30d' ? html`<input type="hidden" name="period" value="${model.period}">` : null}
  ${select}
  <div class="filter-buttons"><button type="submit">Show</button></div>
</form>`;
}

/**
 * A bar for a share of the requests. SVG with a width attribute, since the CSP forbids inline
 * styles; the colour comes from the tone's class. Hidden from screen readers: the count beside it
 * says the same.
 */
function bar(count: number, of: number, tone: Tone): Html | null {
  if (of <= 0) return null;
  const width = Math.round((Math.min(count, of) / of) * 1000) / 10;
  return html`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="bar-track" width="100" height="10"></rect><rect class="bar-fill tone-${tone}" width="${width}" height="10"></rect></svg>`;
}

/** One step of the funnel: its label (the words, so colour is never the only cue), count and bar. */
function step(label: string, count: number, of: number, href: string | null, tone: Tone, hint?: Interpolation): Html {
  return html`<div class="step tone-${tone}">
  <dt>${href && count > 0 ? html`<a href="${href}">${label}</a>` : label}${hint ? html` <span class="hint">${hint}</span>` : null}</dt>
  <dd><span class="step-count">${formatCount(count)}</span> ${bar(count, of, tone)}</dd>
</div>`;
}

/** `YYYY-MM-DD` of a moment (UTC), as the people list's date filter takes it. */
function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The answer rate with its sample size; from fewer than FEW_FOR_A_RATE people it is muted and says so. */
function answerRate(f: Funnel): Html {
  const known = f.answered + f.declined + f.noResponse;
  const answered = f.answered + f.declined;
  if (known === 0) {
    return html`<div class="rate rate-none"><p>No answer rate yet: no one has answered, declined or let a deadline pass.</p></div>`;
  }
  const few = known < FEW_FOR_A_RATE;
  return html`<div class="rate${few ? ' rate-few' : ''}">
    <p><span class="rate-value">${formatPercent(f.answerRate)}</span> answer rate: <strong>${formatCount(answered)} of ${formatCount(known)}</strong> ${known === 1 ? 'person' : 'people'} answered</p>
    <p class="hint">Counted over the people whose outcome is known: they answered, declined or let the deadline pass.${f.declined > 0 ? ` ${plural(f.declined, 'answer was a refusal', 'answers were refusals')}.` : ''}${few ? ` Fewer than ${FEW_FOR_A_RATE} people: too few to judge by.` : ''}</p>
  </div>`;
}

function funnelSection(model: OverviewModel): Html {
  const f = model.funnel;
  // A link leads to the same people the figure counts: those with that status whose request
  // arrived in the period (periods are whole UTC days, like the list's date filter).
  const list = (status: Status) => peopleUrl({ status, from: isoDay(model.from), to: isoDay(model.to), mailbox: model.shownMailbox });
  // Answered and no response count people whatever the user decided since; the list of that
  // status holds only those still to decide, so the link says how many that is.
  const outcome = (hint: string, undecided: number, status: Status): Html =>
    undecided > 0 ? html`${hint}; <a href="${list(status)}">${formatCount(undecided)} still to decide</a>` : html`${hint}`;
  return html`<section aria-labelledby="funnel-heading" class="funnel">
  <h2 id="funnel-heading">What became of the requests</h2>
  <p class="lead">Requests that arrived from ${formatDay(model.from)} to ${formatDay(model.to)} (UTC), by where they stand now.</p>
  ${answerRate(f)}
  <dl class="steps">
    ${step('Requests', f.requests, f.requests, null, 'neutral')}
    ${step('Asked', f.asked, f.requests, null, 'neutral', f.askedOnPlatform > 0 ? html`sent the script: ${formatCount(f.asked - f.askedOnPlatform)} by mail, <a href="${peopleUrl({ channel: 'platform', from: isoDay(model.from), to: isoDay(model.to), mailbox: model.shownMailbox })}">${formatCount(f.askedOnPlatform)} on the platform by you</a>` : 'sent the script')}
    ${step('Answered', f.answered, f.requests, null, statusTone('answered'), outcome('whatever you decided since', f.answeredUndecided, 'answered'))}
    ${step('Declined', f.declined, f.requests, list('declined'), statusTone('declined'))}
    ${step('No response', f.noResponse, f.requests, null, statusTone('no_response'), outcome('deadline passed', f.noResponseUndecided, 'no_response'))}
    ${step('Waiting for an answer', f.waiting, f.requests, list('asked'), statusTone('asked'))}
  </dl>
  <h3>Not asked (yet)</h3>
  <dl class="steps">
    ${step('Awaiting address', f.awaitingAddress, f.requests, list('awaiting_address'), statusTone('awaiting_address'))}
    ${step('Awaiting approval', f.awaitingApproval, f.requests, list('awaiting_approval'), statusTone('awaiting_approval'))}
    ${step('About to be sent', f.queued, f.requests, list('queued'), statusTone('queued'))}
    ${step('Skipped', f.skipped, f.requests, list('skipped'), statusTone('skipped'), 'known, blocked or suppressed')}
    ${step('Bounced or failed', f.undeliverable, f.requests, null, statusTone('failed'))}
  </dl>
  <h3>Your decisions</h3>
  <dl class="steps">
    ${step('Accepted', f.accepted, f.requests, list('accepted'), statusTone('accepted'))}
    ${step('Rejected', f.rejected, f.requests, list('rejected'), statusTone('rejected'))}
    ${step('Handled by you', f.handled, f.requests, list('handled'), statusTone('handled'))}
  </dl>
</section>`;
}

function chartSection(model: OverviewModel): Html {
  return html`<section aria-labelledby="chart-heading">
  <h2 id="chart-heading">Over time</h2>
  ${requestsChart(model.series, model.bucket)}
</section>`;
}

export function overviewPage(view: View, model: OverviewModel): Html {
  return layout(
    view,
    { title: 'Overview', section: 'overview' },
    html`<h1>Overview</h1>
${memoryAlarm(model.memory)}
${webhookNoticesBox(model.webhookNotices ?? [], view.session?.csrf ?? '')}
${signInNeededNotice(model.signInNeeded ?? [], view.session?.csrf ?? '')}
${flashMessage(model.flash)}
${mailboxFilter(model)}
${needsYouSection(model.needsYou, mailboxInTrouble(model.mailbox), model.shownMailbox, model.failingMailboxes)}
${periodTabs(model.period, model.shownMailbox)}
${funnelSection(model)}
${chartSection(model)}
${healthSummary(model)}
${loginBurstsSection(model.loginBursts ?? [])}`,
  );
}
