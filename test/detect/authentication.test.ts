import { describe, expect, it } from 'vitest';
import { senderAuthentication, suggestAuthservId, topAuthservId } from '../../src/detect/authentication.ts';
import type { OwnVerification } from '../../src/mail/verify.ts';
import type { ClassifyContext } from '../../src/detect/types.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { sendingHost } from '../../src/mail/verify.ts';
import { rawMail } from '../support/mail.ts';

const context: ClassifyContext = { ownAddresses: ['me@example.test'], messageIdDomain: 'example.test', authservId: 'mx.example.test', unverifiedMail: 'approve' };

const mail = (headers: string[]) => parseMessage(rawMail([...headers, 'From: Jane <jane@example.org>', 'To: me@example.test', 'Subject: Hello'], 'Hi'));

const own = (entries: OwnVerification['entries'], spfSkipped: string | null = 'no Received header of your server names the sending host'): OwnVerification => ({ entries, spfSkipped, temporary: false });

describe('sender authentication (constructed)', () => {
  it('passes on DMARC, or on DKIM aligned with the From domain, from either source; never on SPF alone', async () => {
    const message = await mail([]);
    expect(senderAuthentication(message, { ...context, verification: own([{ method: 'dmarc', result: 'pass', properties: { 'header.from': 'example.org' } }]) })).toMatchObject({ outcome: 'pass', detail: "verified: DMARC pass for example.org (Winnow's own check)" });
    expect(senderAuthentication(message, { ...context, verification: own([{ method: 'dkim', result: 'pass', properties: { 'header.d': 'mail.example.org' } }]) }).outcome).toBe('pass');
    expect(senderAuthentication(message, { ...context, verification: own([{ method: 'dkim', result: 'pass', properties: { 'header.d': 'mailer.example' } }]) })).toMatchObject({
      outcome: 'none',
      detail: expect.stringContaining('DKIM pass for mailer.example, not the From domain'),
    });
    const spfOnly = await mail(['Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=example.org']);
    expect(senderAuthentication(spfOnly, context).outcome).toBe('none');
    const serverPass = await mail(['Authentication-Results: mx.example.test; dkim=pass header.d=example.org']);
    expect(senderAuthentication(serverPass, context)).toMatchObject({ outcome: 'pass', detail: 'verified: DKIM pass for example.org, the From domain (mx.example.test)' });
  });

  it('says in words what was checked and what the server said', async () => {
    const message = await mail(['Authentication-Results: mx.example.test; dkim=none; spf=softfail smtp.mailfrom=example.org; dmarc=none']);
    const result = senderAuthentication(message, { ...context, verification: own([{ method: 'dkim', result: 'none', properties: {} }]) });
    expect(result).toEqual({
      outcome: 'none',
      detail: "the sender's domain could not be verified: DKIM none, SPF not checked (no Received header of your server names the sending host), no DMARC record; mx.example.test reports dkim=none spf=softfail dmarc=none",
    });
  });

  it('believes only the server’s unbroken block at the very top', async () => {
    // The server's own trace lines above its verdict are usual (Postfix writes Received first).
    const traced = await mail(['Received: from x (x [192.0.2.1]) by mx.example.test', 'Authentication-Results: mx.example.test; dkim=pass header.d=example.org']);
    expect(senderAuthentication(traced, context).outcome).toBe('pass');
    // Another server's header on top: the one with our id below it came with the mail.
    const below = await mail(['Authentication-Results: mx.other.example; none', 'Authentication-Results: mx.example.test; dkim=pass header.d=example.org']);
    expect(senderAuthentication(below, context)).toMatchObject({ outcome: 'none', detail: expect.stringContaining('not on top of the mail') });
    const block = await mail(['Authentication-Results: mx.example.test; spf=fail smtp.mailfrom=example.org', 'Authentication-Results: mx.example.test; dkim=pass header.d=example.org']);
    expect(senderAuthentication(block, context).outcome).toBe('pass');
    const broken = await mail(['Authentication-Results: mx.example.test; spf=fail smtp.mailfrom=example.org', 'X-Spam: no', 'Authentication-Results: mx.example.test; dkim=pass header.d=example.org']);
    expect(senderAuthentication(broken, context).outcome).toBe('none');
  });
});

describe('discovering the receiving server (constructed)', () => {
  it('reads the authserv-id of the topmost header', async () => {
    expect(topAuthservId(await mail(['Authentication-Results: MX.Example.ORG; dkim=pass', 'Authentication-Results: other.example; none']))).toBe('mx.example.org');
    expect(topAuthservId(await mail([]))).toBeNull();
  });

  it('offers the id that tops more than half of recent mail, and at least three', () => {
    expect(suggestAuthservId(['mx.a', 'mx.a', 'mx.a', null, 'forged.example'])).toEqual({ id: 'mx.a', count: 3, total: 5 });
    expect(suggestAuthservId(['mx.a', 'mx.a', null, null])).toBeNull();
    expect(suggestAuthservId(['mx.a', 'mx.a', 'mx.a', 'mx.b', 'mx.b', 'mx.b'])).toBeNull();
    expect(suggestAuthservId([])).toBeNull();
  });
});

describe('the sending host for SPF (constructed)', () => {
  it('is the first outside address in the receiving server’s Received lines, past its own hops', async () => {
    const message = await mail([
      'Received: from localhost (localhost [127.0.0.1]) by mx.example.test with LMTP',
      'Received: from mail.example.org (mail.example.org [198.51.100.7]) by mx.example.test with ESMTPS',
      'Received: from forged.example (forged.example [203.0.113.1]) by mail.example.org',
    ]);
    expect(sendingHost(message)).toEqual({ ip: '198.51.100.7', helo: 'mail.example.org' });
  });

  it('is unknown, with the reason, without Received lines or with one naming no address', async () => {
    expect(sendingHost(await mail([]))).toEqual({ ip: null, why: 'no Received header of your server names the sending host' });
    expect(sendingHost(await mail(['Received: from somewhere by mx.example.test']))).toMatchObject({ ip: null });
  });
});
