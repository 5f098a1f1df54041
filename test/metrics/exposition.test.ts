import { describe, expect, it } from 'vitest';
import { bucketOf, COUNT_FIELDS } from '../../src/metrics/counts.ts';
import { metricFamilies, type MetricsReading } from '../../src/metrics/exposition.ts';

const nothing: MetricsReading = { counts: {}, health: {}, leaseHeld: false, queues: {} };

function values(reading: MetricsReading, name: string) {
  return metricFamilies(reading).find((family) => family.name === name)!.values;
}

describe('the histogram of time from request to script', () => {
  it('puts an observation in the smallest bucket that holds it, and beyond the largest in +Inf', () => {
    expect(bucketOf(0)).toBe('5');
    expect(bucketOf(5)).toBe('5');
    expect(bucketOf(5.001)).toBe('15');
    expect(bucketOf(8 * 86_400)).toBe('+Inf');
  });

  it('shows the buckets Redis keeps one by one as the cumulative counts Prometheus reads', () => {
    const reading = {
      ...nothing,
      counts: { [COUNT_FIELDS.scriptDelayBucket('5')]: '2', [COUNT_FIELDS.scriptDelayBucket('3600')]: '1', [COUNT_FIELDS.scriptDelayBucket('+Inf')]: '1', [COUNT_FIELDS.scriptDelaySum]: '700000.5', [COUNT_FIELDS.scriptDelayCount]: '4' },
    };
    const shown = Object.fromEntries(values(reading, 'winnow_script_delay_seconds').map((value) => [value.metricName === 'winnow_script_delay_seconds_bucket' ? value.labels.le : value.metricName, value.value]));
    expect(shown).toMatchObject({ '5': 2, '15': 2, '900': 2, '3600': 3, '604800': 3, '+Inf': 4, winnow_script_delay_seconds_sum: 700000.5, winnow_script_delay_seconds_count: 4 });
  });
});

describe('the mailbox state', () => {
  it('is connected only while a watcher holds the lease: a dead worker leaves "connected" in its health record', () => {
    expect(values({ ...nothing, health: { connected: '1' }, leaseHeld: true }, 'winnow_imap_connected')[0]!.value).toBe(1);
    expect(values({ ...nothing, health: { connected: '1' }, leaseHeld: false }, 'winnow_imap_connected')[0]!.value).toBe(0);
    expect(values({ ...nothing, health: { connected: '0' }, leaseHeld: true }, 'winnow_imap_connected')[0]!.value).toBe(0);
  });
});

describe('counts Redis does not hold', () => {
  it('show as 0 for every platform, kind and outcome, so each series exists from the first scrape', () => {
    expect(values(nothing, 'winnow_requests_total').map((value) => [value.labels.platform, value.value])).toContainEqual(['linkedin', 0]);
    expect(values(nothing, 'winnow_answers_total').map((value) => value.labels.kind)).toEqual(['answered', 'declined']);
    expect(values(nothing, 'winnow_webhook_deliveries_total').every((value) => value.value === 0)).toBe(true);
    // A field that is not a number (written by hand, say) counts as 0, never NaN.
    expect(values({ ...nothing, counts: { [COUNT_FIELDS.scriptsSent]: 'many' } }, 'winnow_scripts_sent_total')[0]!.value).toBe(0);
  });
});
