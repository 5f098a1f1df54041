import { describe, expect, it } from 'vitest';
import { bucketFor, bucketStart, funnel, needsYou, periodRange, timeSeries, type FunnelRow } from '../../src/contacts/stats.ts';
import { STATUSES, type Status } from '../../src/vocabulary/contact.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 4, 1); // a Wednesday

function row(status: FunnelRow['status'], requestedDay: number, asked: boolean, answeredDay: number | null = null): FunnelRow {
  return { status, requestedAt: T0 + requestedDay * DAY + 3_600_000, askedAt: asked ? T0 + requestedDay * DAY + 3_700_000 : null, answeredAt: answeredDay === null ? null : T0 + answeredDay * DAY };
}

describe('the funnel', () => {
  const rows: FunnelRow[] = [
    row('answered', 0, true, 1),
    row('accepted', 0, true, 2), // answered, then accepted: still an answer
    row('declined', 1, true, 2),
    row('no_response', 1, true),
    row('rejected', 2, true), // no answer, deadline passed, then rejected
    row('asked', 3, true),
    row('awaiting_address', 3, false),
    row('awaiting_approval', 4, false),
    row('skipped', 4, false),
    row('handled', 4, false), // never asked: handled by hand
    row('bounced', 5, true),
    row('answered', 40, true, 41), // outside a 7-day period ending on day 6
  ];

  it('counts what became of the requests of a period', () => {
    const result = funnel(rows, T0, T0 + 7 * DAY - 1);
    expect(result).toMatchObject({
      requests: 11,
      asked: 7,
      answered: 2,
      declined: 1,
      noResponse: 2,
      waiting: 1,
      awaitingAddress: 1,
      awaitingApproval: 1,
      skipped: 1,
      undeliverable: 1,
      accepted: 1,
      rejected: 1,
      handled: 1,
    });
    // 3 answers (2 + 1 refusal) of 5 people whose outcome is known.
    expect(result.answerRate).toBeCloseTo(3 / 5);
  });

  it('has no answer rate while no outcome is known', () => {
    expect(funnel([row('asked', 0, true), row('awaiting_address', 0, false)], T0, T0 + DAY).answerRate).toBeNull();
    expect(funnel([], T0, T0 + DAY)).toMatchObject({ requests: 0, answerRate: null });
  });
});

describe('periods and buckets', () => {
  it('counts whole UTC days back from today', () => {
    const now = T0 + 6 * DAY + 5 * 3_600_000;
    expect(periodRange('7d', now, [])).toEqual({ from: T0, to: now });
    expect(periodRange('30d', now, []).from).toBe(T0 - 23 * DAY);
  });

  it('starts "all" at the first request', () => {
    const now = T0 + 100 * DAY;
    expect(periodRange('all', now, [{ requestedAt: T0 + 5 * DAY + 1000 }, { requestedAt: T0 + 50 * DAY }]).from).toBe(T0 + 5 * DAY);
    expect(periodRange('all', now, []).from).toBe(T0 + 100 * DAY);
  });

  it('uses days up to three months, then weeks, then months', () => {
    expect(bucketFor(T0, T0 + 90 * DAY)).toBe('day');
    expect(bucketFor(T0, T0 + 365 * DAY)).toBe('week');
    expect(bucketFor(T0, T0 + 3 * 365 * DAY)).toBe('month');
    // Weeks start on Monday: 1 May 2024 was a Wednesday.
    expect(new Date(bucketStart(T0 + 3_600_000, 'week')).toISOString()).toBe('2024-04-29T00:00:00.000Z');
    expect(new Date(bucketStart(T0 + 20 * DAY, 'month')).toISOString()).toBe('2024-05-01T00:00:00.000Z');
  });
});

describe('the time series', () => {
  it('counts requests by arrival and answers by when they came, with empty days', () => {
    const rows = [row('answered', 0, true, 2), row('declined', 0, true, 2), row('asked', 1, true), row('answered', 9, true, 10)];
    const series = timeSeries(rows, T0, T0 + 3 * DAY - 1, 'day');
    expect(series.map((p) => [new Date(p.start).toISOString().slice(0, 10), p.requests, p.answers])).toEqual([
      ['2024-05-01', 2, 0],
      ['2024-05-02', 1, 0],
      ['2024-05-03', 0, 2],
    ]);
  });

  it('groups by month across a year boundary', () => {
    const from = Date.UTC(2023, 10, 15);
    const series = timeSeries([{ requestedAt: Date.UTC(2024, 0, 3), answeredAt: null }], from, Date.UTC(2024, 1, 10), 'month');
    expect(series.map((p) => new Date(p.start).toISOString().slice(0, 7))).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(series[2]!.requests).toBe(1);
  });
});

describe('needsYou', () => {
  it('counts what waits for the user from the status counts: answers to decide, addresses, approvals, failures', () => {
    const counts = Object.fromEntries(STATUSES.map((status, i) => [status, i + 1])) as Record<Status, number>;
    expect(needsYou(counts)).toEqual({
      answers: counts.answered,
      awaitingAddress: counts.awaiting_address,
      awaitingApproval: counts.awaiting_approval,
      failed: counts.failed,
      bounced: counts.bounced,
    });
  });
});
