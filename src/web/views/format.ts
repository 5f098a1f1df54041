import { flagLabel, statusLabel, type AnswerScore, type Status } from '../../vocabulary/contact.ts';
import { html, type Html } from '../html.ts';
import { safeHttpUrl } from '../security.ts';

/** A time as `2024-05-01 14:03 UTC`: the server does not know the reader's zone, and no script runs to ask. */
export function formatTime(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return html`<span class="none">—</span>`;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return html`<span class="none">—</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A time as `25 Nov 14:03` (UTC) for tables, where width is short; the full time is in `title`. */
export function formatShortTime(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return html`<span class="none">—</span>`;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return html`<span class="none">—</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}" title="${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC">${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${iso.slice(11, 16)}</time>`;
}

/** What a colour means on the dashboard: good news, trouble, waiting for something, or neither. */
export type Tone = 'good' | 'bad' | 'wait' | 'neutral';

const STATUS_TONES: Readonly<Record<Status, Tone>> = {
  answered: 'good',
  accepted: 'good',
  declined: 'bad',
  rejected: 'bad',
  bounced: 'bad',
  failed: 'bad',
  no_response: 'bad',
  detected: 'wait',
  queued: 'wait',
  asked: 'wait',
  awaiting_address: 'wait',
  awaiting_approval: 'wait',
  skipped: 'neutral',
  handled: 'neutral',
};

/** The colour of a status, the same in badges, the funnel and the overview's links. */
export function statusTone(status: Status): Tone {
  return STATUS_TONES[status];
}

export function statusBadge(status: Status): Html {
  // The class is for colour only; the text says the status, so colour is never the only cue.
  return html`<span class="status status-${status} tone-${statusTone(status)}">${statusLabel(status)}</span>`;
}

/** A link to a person's profile, only for http(s) URLs; anything else from mail is never a link. */
export function profileLink(url: string | null | undefined, label = 'profile', of?: string): Html | null {
  const href = safeHttpUrl(url);
  if (!href) return null;
  // `of` names the person for screen readers, where a list of identical "profile" links says nothing.
  return html`<a class="external" href="${href}" rel="noopener noreferrer nofollow">${label}${of ? html`<span class="visually-hidden"> of ${of}</span>` : null}</a>`;
}

/** The first `max` characters of a text, cut at a word where one is near. */
export function excerpt(text: string, max: number): { text: string; cut: boolean } {
  const flat = text.trim();
  if (flat.length <= max) return { text: flat, cut: false };
  const slice = flat.slice(0, max);
  const space = slice.lastIndexOf(' ');
  return { text: `${(space > max * 0.6 ? slice.slice(0, space) : slice).trimEnd()}…`, cut: true };
}

export function nameOf(name: string | null | undefined): string {
  return name?.trim() ? name.trim() : '(no name)';
}

/** What each flag means, in a few words; the badge shows this text, so colour is never the only cue. */
/** Flags as small labelled badges; nothing when there are none. */
export function flagBadges(flags: readonly string[]): Html | null {
  if (flags.length === 0) return null;
  return html`<ul class="flags" aria-label="Flags">${flags.map((flag) => html`<li class="flag flag-${flag.replace(/[^a-z_]/g, '')}">${flagLabel(flag)}</li>`)}</ul>`;
}

export function scoreValue(score: AnswerScore | null): number | null {
  return score ? Number(score.why) + Number(score.business) + Number(score.benefit) : null;
}

/** The answer's score, 0–3, with which of why, business and benefit it covers, in words. */
export function scoreSummary(score: AnswerScore | null): Html {
  const value = scoreValue(score);
  if (score === null || value === null) return html`<span class="none">—</span>`;
  const part = (said: boolean, label: string) => html`<li class="${said ? 'said' : 'unsaid'}"><span aria-hidden="true">${said ? '✓' : '✗'}</span> ${label}<span class="visually-hidden">${said ? ': said' : ': not said'}</span></li>`;
  return html`<span class="score"><strong>${value}</strong>/3</span><ul class="score-parts" aria-label="What the answer says">${part(score.why, 'why')}${part(score.business, 'business')}${part(score.benefit, 'benefit')}</ul>`;
}

/** A count with thousands separators, the same on every server whatever its locale. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatPercent(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 100)}%`;
}

/** A day as `1 May 2024` (UTC). */
export function formatDay(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** A day as `1 May` (UTC), for chart labels. */
export function formatShortDay(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
}

export function formatMonth(ms: number): string {
  const date = new Date(ms);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
