import type { Channel, Status } from '../vocabulary/contact.ts';

/**
 * Figures for the overview: the weeding-out funnel of a period and requests and answers over time.
 * Pure: it counts rows handed to it (the directory's projection), so it is tested with plain data.
 * Days are UTC days, like every time the dashboard shows.
 */

export const PERIODS = ['7d', '30d', '90d', 'all'] as const;
export type Period = (typeof PERIODS)[number];

const DAY = 86_400_000;
const PERIOD_DAYS: Record<Exclude<Period, 'all'>, number> = { '7d': 7, '30d': 30, '90d': 90 };

/** What the funnel needs of a person. */
export interface FunnelRow {
  status: Status;
  requestedAt: number;
  askedAt: number | null;
  answeredAt: number | null;
  /** Absent in rows stored before channels existed: by mail. */
  channel?: Channel;
}

export interface Funnel {
  /** People whose request arrived in the period. */
  requests: number;
  /** Of them, those who were sent the script (by Winnow by mail, or by the user on the platform). */
  asked: number;
  /** Of `asked`, those the user sent the script to on the platform. */
  askedOnPlatform: number;
  /** Answered the script (a refusal counts under `declined`), whatever the user decided since. */
  answered: number;
  /** Of `answered`, those the user has not decided on yet (status `answered`). */
  answeredUndecided: number;
  /** Answered with a refusal and not yet decided on. */
  declined: number;
  /** Let the deadline pass without answering, whatever the user decided since. */
  noResponse: number;
  /** Of `noResponse`, those the user has not decided on yet (status `no_response`). */
  noResponseUndecided: number;
  /** Asked, deadline still running. */
  waiting: number;
  /** Queued: the script is about to go out. */
  queued: number;
  awaitingAddress: number;
  awaitingApproval: number;
  skipped: number;
  /** The script bounced or could not be sent. */
  undeliverable: number;
  accepted: number;
  rejected: number;
  handled: number;
  /**
   * Answered (or declined) of those whose outcome is known: answered, declined, or deadline
   * passed. Null while no one's outcome is known.
   */
  answerRate: number | null;
}

const DECIDED: ReadonlySet<Status> = new Set(['accepted', 'rejected', 'handled']);

type Count = Exclude<keyof Funnel, 'answerRate'>;

/** Which of the funnel's counts a person's present status adds to (beside requests, asked and answered). */
const STATUS_COUNTS: Readonly<Record<Status, readonly Count[]>> = {
  detected: ['queued'],
  queued: ['queued'],
  awaiting_address: ['awaitingAddress'],
  awaiting_approval: ['awaitingApproval'],
  skipped: ['skipped'],
  asked: ['waiting'],
  answered: ['answeredUndecided'],
  declined: ['declined'],
  no_response: ['noResponse', 'noResponseUndecided'],
  bounced: ['undeliverable'],
  failed: ['undeliverable'],
  accepted: ['accepted'],
  rejected: ['rejected'],
  handled: ['handled'],
};

export function funnel(rows: Iterable<FunnelRow>, from: number, to: number): Funnel {
  const result: Funnel = {
    requests: 0,
    asked: 0,
    askedOnPlatform: 0,
    answered: 0,
    answeredUndecided: 0,
    declined: 0,
    noResponse: 0,
    noResponseUndecided: 0,
    waiting: 0,
    queued: 0,
    awaitingAddress: 0,
    awaitingApproval: 0,
    skipped: 0,
    undeliverable: 0,
    accepted: 0,
    rejected: 0,
    handled: 0,
    answerRate: null,
  };
  for (const row of rows) {
    if (row.requestedAt < from || row.requestedAt > to) continue;
    result.requests += 1;
    if (row.askedAt !== null) result.asked += 1;
    if (row.askedAt !== null && row.channel === 'platform') result.askedOnPlatform += 1;
    for (const count of STATUS_COUNTS[row.status]) result[count] += 1;
    // Answers are counted by what happened, so a decision taken since does not hide them.
    if (row.answeredAt !== null && row.status !== 'declined') result.answered += 1;
    else if (row.askedAt !== null && row.answeredAt === null && DECIDED.has(row.status)) result.noResponse += 1;
  }
  const known = result.answered + result.declined + result.noResponse;
  result.answerRate = known === 0 ? null : (result.answered + result.declined) / known;
  return result;
}

/** The first and last moment of a period ending now; `all` starts at the first request. */
export function periodRange(period: Period, now: number, rows: Iterable<{ requestedAt: number }>): { from: number; to: number } {
  if (period !== 'all') {
    // Whole days: the period's first day starts at midnight UTC, today included.
    const today = startOfDay(now);
    return { from: today - (PERIOD_DAYS[period] - 1) * DAY, to: now };
  }
  let first = Number.POSITIVE_INFINITY;
  for (const row of rows) if (row.requestedAt < first) first = row.requestedAt;
  return { from: Number.isFinite(first) ? startOfDay(Math.min(first, now)) : startOfDay(now), to: now };
}

export type Bucket = 'day' | 'week' | 'month';

export interface SeriesPoint {
  /** Start of the bucket, ms since epoch (UTC midnight; weeks start on Monday). */
  start: number;
  requests: number;
  answers: number;
}

/** Days up to three months, weeks up to two years, months beyond: never more than about 100 bars. */
export function bucketFor(from: number, to: number): Bucket {
  const days = (to - from) / DAY;
  if (days <= 92) return 'day';
  if (days <= 730) return 'week';
  return 'month';
}

export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

export function bucketStart(ms: number, bucket: Bucket): number {
  const day = startOfDay(ms);
  if (bucket === 'day') return day;
  const date = new Date(day);
  if (bucket === 'week') return day - ((date.getUTCDay() + 6) % 7) * DAY;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextBucket(start: number, bucket: Bucket): number {
  if (bucket === 'day') return start + DAY;
  if (bucket === 'week') return start + 7 * DAY;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** Requests (by arrival) and answers (by when they came, refusals included) per bucket, empty buckets too. */
export function timeSeries(rows: Iterable<Pick<FunnelRow, 'requestedAt' | 'answeredAt'>>, from: number, to: number, bucket: Bucket): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let start = bucketStart(from, bucket); start <= to; start = nextBucket(start, bucket)) points.push({ start, requests: 0, answers: 0 });
  const starts = points.map((point) => point.start);
  // The bucket of a time by binary search over the starts: no Date per row, which counted at 100,000 rows.
  const pointAt = (ms: number): SeriesPoint | undefined => {
    let low = 0;
    let high = starts.length - 1;
    if (high < 0 || ms < starts[0]!) return undefined;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (starts[mid]! <= ms) low = mid;
      else high = mid - 1;
    }
    return points[low];
  };
  for (const row of rows) {
    if (row.requestedAt >= from && row.requestedAt <= to) {
      const point = pointAt(row.requestedAt);
      if (point) point.requests += 1;
    }
    if (row.answeredAt !== null && row.answeredAt >= from && row.answeredAt <= to) {
      const point = pointAt(row.answeredAt);
      if (point) point.answers += 1;
    }
  }
  return points;
}

/**
 * What waits for the user, whenever the request came: answers to decide on, requests that need an
 * address (or the script sent on the platform), scripts waiting for approval, and scripts that did
 * not arrive. The overview opens with these; the period below it does not narrow them, since a
 * person waiting for a decision does not stop waiting when a month has passed.
 */
export interface NeedsYou {
  /** Answered and not decided on (status `answered`). */
  answers: number;
  awaitingAddress: number;
  awaitingApproval: number;
  /** The script could not be sent (permanent failure). */
  failed: number;
  /** The script bounced. */
  bounced: number;
}

export function needsYou(counts: Readonly<Record<Status, number>>): NeedsYou {
  return {
    answers: counts.answered,
    awaitingAddress: counts.awaiting_address,
    awaitingApproval: counts.awaiting_approval,
    failed: counts.failed,
    bounced: counts.bounced,
  };
}
