import { describe, expect, it } from 'vitest';
import { backlogBar, backlogFigures, backlogFields, backlogLine, readBacklog } from '../../src/mailbox/backlog.ts';

describe('the figures of a backlog', () => {
  const halfway = { total: 10_000, done: 4_200, bodies: 600, startedAt: 1_000_000, at: 1_002_000 };

  it('give the rate so far and the time left at that rate', () => {
    expect(backlogFigures(halfway)).toEqual({ rate: 2_100, etaMs: (5_800 / 2_100) * 1000, fraction: 0.42, finished: false });
    expect(backlogLine(halfway)).toBe('4,200 of 10,000 messages (42 %) · 2,100 msg/s · about 3 s left');
  });

  it('say so while no batch is read yet, and when it is done, how long it took', () => {
    expect(backlogLine({ ...halfway, done: 0, at: halfway.startedAt })).toBe('0 of 10,000 messages (0 %) · 0 msg/s · time left not known yet');
    expect(backlogLine({ ...halfway, done: 10_000, at: halfway.startedAt + 125_000 })).toBe('10,000 of 10,000 messages (100 %) · 80 msg/s · done in 2 min 05 s, 600 read in full');
  });

  it('draw a bar on a terminal', () => {
    expect(backlogBar(halfway, 10)).toBe('[####......] 4,200 of 10,000 messages (42 %) · 2,100 msg/s · about 3 s left');
  });

  it('travel through the health hash unchanged, and a hash without them reads as no backlog', () => {
    const stored = Object.fromEntries(Object.entries(backlogFields(halfway)).map(([name, value]) => [name, String(value)]));
    expect(readBacklog(stored)).toEqual(halfway);
    expect(readBacklog({ connected: '1' })).toBeNull();
    expect(readBacklog({ ...stored, backlogDone: '99999' })?.done).toBe(10_000);
  });
});
