import { describe, expect, it } from 'vitest';
import { decideRequest, knownReason, listMatch, nameKeys, normaliseName, relayAsAddress, resolveAddress, type DecisionInput, type ResolutionInput } from '../../src/contacts/resolve.ts';
import { defaultSettings } from '../../src/settings/settings.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';

const context: ClassifyContext = { ownAddresses: ['me@example.test'], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };

describe('names are compared as a person would compare them', () => {
  it.each([
    ['Jane Doe', 'jane doe'],
    ['JANE   DOE', 'jane doe'],
    ['Doe, Jane', 'jane doe'],
    ['Jané Döe', 'jane doe'],
    ['Dr. Jane Doe, PhD', 'jane doe'],
    ['Doe, Jane, Jr.', 'jane doe'],
    ["Zoë O'Brien", 'zoe obrien'],
    ['Jürgen Straße', 'jurgen strasse'],
    ['Łukasz Żółw', 'lukasz zolw'],
    ['Søren Kierkegaard 🚀', 'soren kierkegaard'],
    ['Jean-Luc Picard', 'jean luc picard'],
    ['山田 太郎', '山田 太郎'],
    ['Ma Long', 'ma long'],
  ])('%s is "%s"', (name, key) => {
    expect(normaliseName(name)).toBe(key);
  });

  it('has nothing to compare in a name without letters', () => {
    expect(normaliseName('!!! ???')).toBe('');
    expect(nameKeys('—')).toEqual([]);
  });

  it('files a name with middle names under first and last name too', () => {
    expect(nameKeys('Jane Quinn Doe')).toEqual(['jane quinn doe', 'jane doe']);
    expect(nameKeys('Doe, Jane Q.')).toEqual(['jane q doe', 'jane doe']);
    expect(nameKeys('Jane Doe')).toEqual(['jane doe']);
  });
});

describe('address resolution follows the design order', () => {
  const base: ResolutionInput = { name: 'Jane Doe', requestAddress: null, fromAddress: 'invitations@linkedin.com', addressBook: [], history: { addresses: [], trouble: null }, context };

  it('takes a personal From first, and says so', () => {
    const result = resolveAddress({ ...base, requestAddress: 'jane@example.org', fromAddress: 'Jane@Example.org', addressBook: ['other@example.org'] });
    expect(result).toMatchObject({ address: 'jane@example.org', source: 'from' });
  });

  it('takes a Reply-To that reaches the person as such', () => {
    const result = resolveAddress({ ...base, requestAddress: 'jane@example.org', fromAddress: 'robot@platform.example' });
    expect(result).toMatchObject({ address: 'jane@example.org', source: 'reply_to' });
  });

  it('then the address book, when the name points to exactly one address', () => {
    const result = resolveAddress({ ...base, addressBook: ['jane@book.example'], history: { addresses: ['jane@history.example'], trouble: null } });
    expect(result).toMatchObject({ address: 'jane@book.example', source: 'address_book' });
    expect(result.detail).toContain('address book');
  });

  it('does not guess between two addresses for one name, and goes on to the history', () => {
    const result = resolveAddress({ ...base, addressBook: ['jane@one.example', 'jane@two.example'], history: { addresses: ['jane@history.example'], trouble: null } });
    expect(result).toMatchObject({ address: 'jane@history.example', source: 'history' });
  });

  it('never offers a platform relay, a robot or the user as the address', () => {
    const result = resolveAddress({ ...base, addressBook: ['member@linkedin.com', 'noreply@example.org', 'me@example.test'], history: { addresses: ['me+tag@example.test'], trouble: null } });
    expect(result.address).toBeNull();
    expect(result.detail).toMatch(/address book has none we may write to/);
  });

  it('ends awaiting an address, naming each source it tried', () => {
    const result = resolveAddress({ ...base, addressBook: ['a@one.example', 'b@two.example'], history: { addresses: [], trouble: 'mailbox history could not be read: connection refused' } });
    expect(result.address).toBeNull();
    expect(result.detail).toContain('the request carries none');
    expect(result.detail).toContain('2 different addresses');
    expect(result.detail).toContain('connection refused');
  });

  it('uses the history as it stood when it could not be brought up to date, and says so', () => {
    const result = resolveAddress({ ...base, history: { addresses: ['jane@history.example'], trouble: 'mailbox history could not be read: timeout' } });
    expect(result).toMatchObject({ address: 'jane@history.example', source: 'history' });
    expect(result.detail).toContain('timeout');
  });
});

describe('known people', () => {
  it('says how we know, starting with "known:"', () => {
    const reason = knownReason('jane@example.org', { lastAt: Date.UTC(2024, 2, 5), folder: 'Sent' });
    expect(reason).toBe('known: you have written to jane@example.org before (found in your Sent folder, last on 2024-03-05)');
    expect(knownReason('jane@example.org', null)).toBeNull();
  });
});

describe('the inbound settings', () => {
  const settings = defaultSettings({ responseDeadlineMs: 7 * 86_400_000, dedupeWindowMs: 90 * 86_400_000 });
  const input = (over: Partial<Omit<DecisionInput, 'settings'>> & { settings?: Partial<DecisionInput['settings']> }): DecisionInput => ({
    platform: 'linkedin',
    address: 'jane@example.org',
    noAddressReason: 'no address: the request carries none',
    known: null,
    unverified: null,
    source: 'from',
    ...over,
    settings: { ...settings, ...over.settings },
  });

  it('matches list entries by address, domain and parent domain, in any case', () => {
    expect(listMatch('Jane@Mail.Example.org', ['example.org'])).toEqual({ entry: 'example.org', kind: 'domain' });
    expect(listMatch('jane@example.org', ['JANE@example.org', 'example.org'])).toEqual({ entry: 'jane@example.org', kind: 'address' });
    expect(listMatch('jane@notexample.org', ['example.org'])).toBeNull();
    expect(listMatch(null, ['example.org'])).toBeNull();
  });

  it('queues a stranger in hands-off mode and holds them in approval mode', () => {
    expect(decideRequest(input({}))).toMatchObject({ status: 'queued' });
    expect(decideRequest(input({ settings: { mode: 'approval' } }))).toMatchObject({ status: 'awaiting_approval' });
  });

  it('skips a blocked address or domain, whatever else is true', () => {
    expect(decideRequest(input({ settings: { blockList: ['jane@example.org'] } }))).toEqual({ status: 'skipped', reason: 'blocked: jane@example.org is on your block list' });
    expect(decideRequest(input({ settings: { blockList: ['example.org'] }, known: 'known: x' }))).toEqual({ status: 'skipped', reason: 'blocked: the domain example.org is on your block list' });
  });

  it('lets the more precise entry win when both lists match, and block a tie', () => {
    expect(decideRequest(input({ settings: { blockList: ['example.org'], allowList: ['jane@example.org'] } }))).toMatchObject({ status: 'queued', allowed: { entry: 'jane@example.org' } });
    expect(decideRequest(input({ settings: { blockList: ['jane@example.org'], allowList: ['example.org'] } }))).toMatchObject({ status: 'skipped' });
    expect(decideRequest(input({ settings: { blockList: ['example.org'], allowList: ['example.org'] } }))).toMatchObject({ status: 'skipped' });
  });

  it('skips a known person unless allowed', () => {
    expect(decideRequest(input({ known: 'known: you have written to jane@example.org before' }))).toEqual({ status: 'skipped', reason: 'known: you have written to jane@example.org before' });
    expect(decideRequest(input({ known: 'known: …', settings: { allowList: ['example.org'] } }))).toMatchObject({ status: 'queued' });
  });

  it('skips a platform that is off unless the person is allowed', () => {
    const off = { platforms: { ...settings.platforms, linkedin: false } };
    expect(decideRequest(input({ settings: off }))).toEqual({ status: 'skipped', reason: 'platform off: requests from LinkedIn are switched off in the settings' });
    expect(decideRequest(input({ settings: { ...off, allowList: ['jane@example.org'] } }))).toMatchObject({ status: 'queued' });
  });

  it('holds an unverified sender for approval by default, with the reason, allowed or not', () => {
    const why = "the sender's domain could not be verified: DKIM none, SPF not checked, no DMARC record";
    expect(decideRequest(input({ unverified: why }))).toEqual({ status: 'awaiting_approval', reason: `unverified: ${why}`, allowed: null });
    // An allow-list entry is an address anyone can write into a From: it does not vouch for the mail.
    expect(decideRequest(input({ unverified: why, settings: { allowList: ['example.org'] } }))).toMatchObject({ status: 'awaiting_approval', reason: `unverified: ${why}` });
  });

  it('answers an unverified sender hands-off only when so set, and never at an address found by name', () => {
    const accept = { unverifiedMail: 'accept' as const };
    expect(decideRequest(input({ unverified: 'DKIM none', settings: accept }))).toMatchObject({ status: 'queued' });
    for (const source of ['address_book', 'history'] as const) {
      const decision = decideRequest(input({ unverified: 'DKIM none', source, settings: accept }));
      expect(decision).toMatchObject({ status: 'awaiting_approval' });
      expect(decision.reason).toMatch(/^unverified: jane@example\.org was found by name in .*, for mail whose sender is not authenticated \(DKIM none\)$/);
    }
    // A verified request at an address found by name goes as any other.
    expect(decideRequest(input({ source: 'address_book' }))).toMatchObject({ status: 'queued' });
  });

  it('leaves unverified mail alone when so set, allowed or not', () => {
    const ignore = { unverifiedMail: 'ignore' as const };
    expect(decideRequest(input({ unverified: 'DKIM none', settings: ignore }))).toEqual({ status: 'ignored', reason: 'ignored: DKIM none; unverified senders are set to be left alone' });
    expect(decideRequest(input({ unverified: 'DKIM none', settings: { ...ignore, allowList: ['example.org'] } }))).toMatchObject({ status: 'ignored' });
    expect(decideRequest(input({ settings: ignore }))).toMatchObject({ status: 'queued' });
  });

  it('keeps a person without an address awaiting one, with the reason', () => {
    expect(decideRequest(input({ address: null, settings: { mode: 'approval' } }))).toEqual({ status: 'awaiting_address', reason: 'no address: the request carries none' });
  });
});

describe("a platform's reply relay as the address", () => {
  const relay = 'c15c178d-5301-4d85-81dc-bfcca1ed21ad@reply.linkedin.com';

  it('only when the user allowed relays, and only from a notice whose signature passed', () => {
    expect(relayAsAddress({ relay, authentication: 'pass', sendToRelays: false, context })).toMatchObject({ address: null, detail: expect.stringContaining('not their own address') });
    for (const authentication of ['fail', 'none', 'unverified'] as const) {
      expect(relayAsAddress({ relay, authentication, sendToRelays: true, context }).address).toBeNull();
    }
    expect(relayAsAddress({ relay, authentication: 'pass', sendToRelays: true, context })).toMatchObject({ address: relay, source: 'relay' });
  });

  it('never the user, never something that is not one address', () => {
    expect(relayAsAddress({ relay: 'me@example.test', authentication: 'pass', sendToRelays: true, context }).address).toBeNull();
    expect(relayAsAddress({ relay: 'a@b.example, c@d.example', authentication: 'pass', sendToRelays: true, context }).address).toBeNull();
    expect(relayAsAddress({ relay: null, authentication: 'pass', sendToRelays: true, context }).address).toBeNull();
  });
});
