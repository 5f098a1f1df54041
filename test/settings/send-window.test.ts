import { describe, expect, it } from 'vitest';
import { inQuietHours, localDay, nextLocalDay, nextSendTime, quietHoursEnd, zonedTime } from '../../src/settings/send-window.ts';

const iso = (at: number) => new Date(at).toISOString();
const utc = (text: string) => Date.parse(text);

describe('zonedTime', () => {
  it('finds the instant of a local time, on either side of the date line', () => {
    expect(iso(zonedTime(2024, 7, 1, 9, 0, 'Europe/Berlin'))).toBe('2024-07-01T07:00:00.000Z');
    expect(iso(zonedTime(2024, 1, 1, 9, 0, 'Europe/Berlin'))).toBe('2024-01-01T08:00:00.000Z');
    expect(iso(zonedTime(2024, 7, 1, 9, 0, 'America/Los_Angeles'))).toBe('2024-07-01T16:00:00.000Z');
    expect(iso(zonedTime(2024, 7, 1, 9, 0, 'Pacific/Auckland'))).toBe('2024-06-30T21:00:00.000Z');
    expect(iso(zonedTime(2024, 7, 1, 9, 0, 'Asia/Kolkata'))).toBe('2024-07-01T03:30:00.000Z');
    expect(iso(zonedTime(2024, 7, 1, 9, 0, 'UTC'))).toBe('2024-07-01T09:00:00.000Z');
  });

  it('takes a skipped local time (clocks forward) as the first moment after the skip', () => {
    // Berlin, 31 March 2024: 02:00 became 03:00 (01:00 UTC).
    expect(iso(zonedTime(2024, 3, 31, 2, 30, 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z');
    // New York, 10 March 2024: 02:00 became 03:00 (07:00 UTC).
    expect(iso(zonedTime(2024, 3, 10, 2, 15, 'America/New_York'))).toBe('2024-03-10T07:00:00.000Z');
  });

  it('takes a doubled local time (clocks back) as the first of the two', () => {
    // Berlin, 27 October 2024: 02:30 happened at 00:30 UTC (summer time) and again at 01:30 UTC.
    expect(iso(zonedTime(2024, 10, 27, 2, 30, 'Europe/Berlin'))).toBe('2024-10-27T00:30:00.000Z');
  });

  it('lets the day overflow into the next month and year', () => {
    expect(iso(zonedTime(2024, 12, 32, 0, 0, 'Europe/Berlin'))).toBe('2024-12-31T23:00:00.000Z');
  });
});

describe('localDay and nextLocalDay', () => {
  it('counts the day in the user\'s zone, not in UTC', () => {
    const at = utc('2024-07-01T23:30:00Z');
    expect(localDay(at, 'UTC')).toBe('2024-07-01');
    expect(localDay(at, 'Europe/Berlin')).toBe('2024-07-02');
    expect(localDay(at, 'America/Los_Angeles')).toBe('2024-07-01');
  });

  it('starts the next day at local midnight, also across a clock change', () => {
    expect(iso(nextLocalDay(utc('2024-07-01T12:00:00Z'), 'Europe/Berlin'))).toBe('2024-07-01T22:00:00.000Z');
    // The day of the change has 23 hours: the next one starts at 22:00 UTC, not 23:00.
    expect(iso(nextLocalDay(utc('2024-03-31T00:30:00Z'), 'Europe/Berlin'))).toBe('2024-03-31T22:00:00.000Z');
    // Santiago, 8 September 2024: clocks went from 00:00 to 01:00, so the day began at 01:00 local.
    expect(iso(nextLocalDay(utc('2024-09-07T15:00:00Z'), 'America/Santiago'))).toBe('2024-09-08T04:00:00.000Z');
  });
});

describe('quiet hours', () => {
  const night = { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Berlin' };
  const lunch = { quietHours: { start: '12:00', end: '13:30' }, timeZone: 'America/New_York' };

  it('that span midnight hold in the evening and in the morning, not in the day', () => {
    expect(inQuietHours(utc('2024-07-01T20:00:00Z'), night)).toBe(true); // 22:00 Berlin: start included
    expect(inQuietHours(utc('2024-07-01T19:59:00Z'), night)).toBe(false); // 21:59
    expect(inQuietHours(utc('2024-07-02T03:00:00Z'), night)).toBe(true); // 05:00
    expect(inQuietHours(utc('2024-07-02T05:00:00Z'), night)).toBe(false); // 07:00: end excluded
    expect(inQuietHours(utc('2024-07-02T10:00:00Z'), night)).toBe(false);
  });

  it('that span midnight end the next morning when evening, the same morning when after midnight', () => {
    expect(iso(quietHoursEnd(utc('2024-07-01T21:00:00Z'), night))).toBe('2024-07-02T05:00:00.000Z');
    expect(iso(quietHoursEnd(utc('2024-07-02T01:00:00Z'), night))).toBe('2024-07-02T05:00:00.000Z');
  });

  it('within one day end the same day', () => {
    expect(inQuietHours(utc('2024-07-01T16:30:00Z'), lunch)).toBe(true); // 12:30 New York
    expect(iso(quietHoursEnd(utc('2024-07-01T16:30:00Z'), lunch))).toBe('2024-07-01T17:30:00.000Z');
    expect(inQuietHours(utc('2024-07-01T17:30:00Z'), lunch)).toBe(false);
  });

  it('end at the right instant across a clock change in the night', () => {
    // Berlin, night of 30 to 31 March 2024: 07:00 on the 31st is already summer time (05:00 UTC).
    expect(iso(quietHoursEnd(utc('2024-03-30T22:00:00Z'), night))).toBe('2024-03-31T05:00:00.000Z');
    // Night of 26 to 27 October: 07:00 on the 27th is winter time again (06:00 UTC).
    expect(iso(quietHoursEnd(utc('2024-10-26T21:00:00Z'), night))).toBe('2024-10-27T06:00:00.000Z');
  });

  it('ending in a skipped hour end when the clock jumps', () => {
    const window = { quietHours: { start: '23:00', end: '02:30' }, timeZone: 'Europe/Berlin' };
    expect(iso(quietHoursEnd(utc('2024-03-30T23:00:00Z'), window))).toBe('2024-03-31T01:00:00.000Z');
  });

  it('leave the time alone outside them, and when there are none', () => {
    const at = utc('2024-07-01T10:00:00Z');
    expect(quietHoursEnd(at, night)).toBe(at);
    expect(quietHoursEnd(utc('2024-07-01T21:00:00Z'), { quietHours: null, timeZone: 'UTC' })).toBe(utc('2024-07-01T21:00:00Z'));
  });
});

describe('nextSendTime', () => {
  const window = { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Asia/Tokyo' };

  it('is now when the window is open and the cap not reached', () => {
    const at = utc('2024-07-01T03:00:00Z'); // 12:00 Tokyo
    expect(nextSendTime(at, window, false)).toBe(at);
  });

  it('is the end of the quiet hours when in them', () => {
    expect(iso(nextSendTime(utc('2024-07-01T14:00:00Z'), window, false))).toBe('2024-07-01T22:00:00.000Z'); // 23:00 → 07:00 Tokyo
  });

  it('is the next local day when the cap is reached, and later if that day starts in quiet hours', () => {
    expect(iso(nextSendTime(utc('2024-07-01T03:00:00Z'), window, true))).toBe('2024-07-01T22:00:00.000Z'); // midnight is quiet: 07:00
    expect(iso(nextSendTime(utc('2024-07-01T03:00:00Z'), { quietHours: null, timeZone: 'Asia/Tokyo' }, true))).toBe('2024-07-01T15:00:00.000Z');
  });
});
