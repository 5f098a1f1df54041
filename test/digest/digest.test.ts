import { describe, expect, it } from 'vitest';
import { buildDigest, latestSlot, type DigestInput } from '../../src/digest/digest.ts';
import { defaultDigestTemplate } from '../../src/digest/gather.ts';
import { NO_DETAILS, type Contact } from '../../src/vocabulary/contact.ts';
import { all, attribute, has, one, parseHtml, text } from '../support/dom.ts';

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

describe('what the digest says (the default template in templates/digest, rendered)', () => {
  const base = { toDecide: [], toApprove: [], needAddress: [], dashboardUrl: 'https://w.example', day: '2026-01-10' };
  const totals = (counts: Partial<DigestInput['totals']>): DigestInput['totals'] => ({ toSend: 0, needAddress: 0, toDecide: 0, toApprove: 0, ...counts });
  const build = async (input: DigestInput) => buildDigest(input, await defaultDigestTemplate());

  it('nothing when nothing changed since the last digest', async () => {
    const old = { contact: person('a', 'Old Waiting', 1000) };
    expect(await build({ ...base, toSend: [old], totals: totals({ toSend: 1 }), since: 2000 })).toBeNull();
    const mail = (await build({ ...base, toSend: [old], totals: totals({ toSend: 1 }), since: 500 }))!;
    expect(mail.subject).toBe('Winnow: 1 to send on a platform (2026-01-10)');
    expect(mail.text).toContain('Old Waiting [new], LinkedIn\nSay you sent it: https://w.example/contacts/a');
  });

  it('a hostile name stays text: escaped in HTML, on one line in the text part', async () => {
    const hostile = { contact: person('a', '<script>alert(1)</script>\nBcc: x@evil.example', 3000, { profileUrl: 'javascript:alert(1)' }), script: { subject: 's', text: 'Hi <b>' } };
    const mail = (await build({ ...base, toSend: [hostile], totals: totals({ toSend: 1 }), since: null }))!;
    const page = parseHtml(mail.html);
    expect(has(page, 'script')).toBe(false);
    expect(has(page, 'b')).toBe(false);
    expect(text(one(page, 'strong'))).toBe('<script>alert(1)</script> Bcc: x@evil.example');
    expect(text(one(page, 'pre'))).toBe('Hi <b>');
    // The javascript: profile link is no link at all; the one link is to the dashboard.
    expect(all(page, 'a').map((link) => attribute(link, 'href'))).toEqual(['https://w.example/contacts/a', 'https://w.example/settings']);
    expect(mail.text).toContain('<script>alert(1)</script> Bcc: x@evil.example [new]');
    expect(mail.text).not.toContain('javascript:');
  });

  it('a line per mailbox that needs sign-in, even when no person changed', async () => {
    const signInNeeded = [{ name: 'Gmail', address: 'me@gmail.example', reason: 'its Google sign-in was refused; sign in again on the overview' }];
    const mail = (await build({ ...base, toSend: [], totals: totals({}), since: 2000, signInNeeded }))!;
    expect(mail.subject).toBe('Winnow: 1 mailbox needs sign-in (2026-01-10)');
    expect(mail.text).toContain('Gmail <me@gmail.example>: needs sign-in (its Google sign-in was refused; sign in again on the overview)');
    expect(text(one(parseHtml(mail.html), 'strong'))).toBe('Gmail');
    expect(await build({ ...base, toSend: [], totals: totals({}), since: 2000, signInNeeded: [] })).toBeNull();
  });

  it('counts what it does not show, with a link to the whole list', async () => {
    const shown = [{ contact: person('a', 'Shown One', 3000) }];
    const mail = (await build({ ...base, toSend: shown, totals: totals({ toSend: 25 }), since: null }))!;
    expect(mail.subject).toBe('Winnow: 25 to send on a platform (2026-01-10)');
    expect(mail.text).toContain('… and 24 more: https://w.example/awaiting');
    expect(text(one(parseHtml(mail.html), 'a[href="https://w.example/awaiting"]'))).toBe('… and 24 more');
  });

  it('lists people asked by personal mail who wait for an address, with the link to give one', async () => {
    const waiting = { contact: person('e', 'Eve Email', 3000, { platform: 'email', reason: 'no address: the request carries none' }) };
    const mail = (await build({ ...base, toSend: [], needAddress: [waiting], totals: totals({ needAddress: 1 }), since: null }))!;
    expect(mail.subject).toBe('Winnow: 1 waiting for an address (2026-01-10)');
    expect(mail.text).toContain('WAITING FOR AN ADDRESS (1)\n\nEve Email [new]: no address: the request carries none\nGive their address: https://w.example/contacts/e');
    expect(text(one(parseHtml(mail.html), 'a[href="https://w.example/contacts/e"]'))).toBe('Give their address');
  });

  it('an answer to decide shows its first lines, score and flags', async () => {
    const ari = { contact: person('r', 'Ari Answer', 3000, { status: 'answered', answerText: 'One.\n\nTwo.\nThree.\nFour.', score: { why: true, business: false, benefit: true }, flags: ['sales_pitch'] }) };
    const mail = (await build({ ...base, toSend: [], toDecide: [ari], totals: totals({ toDecide: 1 }), since: null }))!;
    expect(mail.text).toContain('Ari Answer [new] (answered; says why, benefit; flags: sales pitch)\n> One.\n> Two.\n> Three.\nDecide: https://w.example/contacts/r');
    expect(text(one(parseHtml(mail.html), 'blockquote'))).toBe('One.Two.Three.');
  });
});
