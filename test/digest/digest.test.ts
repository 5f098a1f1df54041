import { describe, expect, it } from 'vitest';
import { buildDigest, latestSlot } from '../../src/digest/digest.ts';
import { NO_DETAILS, type Contact } from '../../src/vocabulary/contact.ts';

const person = (id: string, name: string, updatedAt: number, extra: Partial<Contact> = {}): Contact => ({
  ...NO_DETAILS,
  id,
  mailbox: 'primary',
  status: 'awaiting_address',
  platform: 'linkedin',
  name,
  firstName: name.split(' ')[0]!,
  email: null,
  profileUrl: null,
  headline: null,
  invitationId: null,
  subject: '',
  requestMessageId: null,
  scriptMessageId: null,
  answerText: null,
  reason: null,
  requestedAt: 0,
  askedAt: null,
  deadlineAt: null,
  answeredAt: null,
  updatedAt,
  ...extra,
});

describe('when the digest is due', () => {
  it('daily at an hour of the user\'s time zone: today\'s once it has passed, else yesterday\'s', () => {
    const digest = { every: 'day', hour: 8, hours: 6 } as const;
    // 2026-07-01 06:30 UTC is 08:30 in Berlin (summer time).
    expect(latestSlot(Date.UTC(2026, 6, 1, 6, 30), digest, 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 6, 0));
    expect(latestSlot(Date.UTC(2026, 6, 1, 5, 30), digest, 'Europe/Berlin')).toBe(Date.UTC(2026, 5, 30, 6, 0));
  });

  it('every N hours from local midnight; never when off', () => {
    expect(latestSlot(Date.UTC(2026, 0, 10, 13, 59), { every: 'hours', hour: 8, hours: 6 }, 'UTC')).toBe(Date.UTC(2026, 0, 10, 12, 0));
    expect(latestSlot(Date.UTC(2026, 0, 10, 13, 59), { every: 'off', hour: 8, hours: 6 }, 'UTC')).toBeNull();
  });
});

describe('what the digest says', () => {
  const base = { toDecide: [], toApprove: [], dashboardUrl: 'https://w.example', day: '2026-01-10' };

  it('nothing when nothing changed since the last digest', () => {
    const old = { contact: person('a', 'Old Waiting', 1000) };
    expect(buildDigest({ ...base, toSend: [old], totals: { toSend: 1, toDecide: 0, toApprove: 0 }, since: 2000 })).toBeNull();
    expect(buildDigest({ ...base, toSend: [old], totals: { toSend: 1, toDecide: 0, toApprove: 0 }, since: 500 })).not.toBeNull();
  });

  it('a hostile name stays text: escaped in HTML, on one line in the text part', () => {
    const hostile = { contact: person('a', '<script>alert(1)</script>\nBcc: x@evil.example', 3000, { profileUrl: 'javascript:alert(1)' }), script: { subject: 's', text: 'Hi <b>' } };
    const mail = buildDigest({ ...base, toSend: [hostile], totals: { toSend: 1, toDecide: 0, toApprove: 0 }, since: null })!;
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toContain('Hi &#60;b&#62;');
    expect(mail.text).toContain('<script>alert(1)</script> Bcc: x@evil.example [new]');
  });

  it('counts what it does not show, with a link to the whole list', () => {
    const shown = [{ contact: person('a', 'Shown One', 3000) }];
    const mail = buildDigest({ ...base, toSend: shown, totals: { toSend: 25, toDecide: 0, toApprove: 0 }, since: null })!;
    expect(mail.subject).toBe('Winnow: 25 to send on a platform (2026-01-10)');
    expect(mail.text).toContain('… and 24 more: https://w.example/awaiting');
  });
});
