import { describe, expect, it } from 'vitest';
import { durationInWords } from '../../src/config/duration.ts';

describe('durationInWords', () => {
  it('says a deadline the way a sentence would, with at most two units', () => {
    expect(durationInWords(7 * 86_400_000)).toBe('7 days');
    expect(durationInWords(120_000)).toBe('2 minutes');
    expect(durationInWords(3_600_000)).toBe('1 hour');
    expect(durationInWords(90_000)).toBe('1 minute 30 seconds');
    // A deadline counted to the millisecond reads to the second; the third unit is dropped.
    expect(durationInWords(120_013)).toBe('2 minutes');
    expect(durationInWords(86_400_000 + 3_600_000 + 60_000)).toBe('1 day 1 hour');
    expect(durationInWords(0)).toBe('1 second');
  });
});
