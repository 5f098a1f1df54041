import { describe, expect, it } from 'vitest';
import { classify } from '../../src/detect/classify.ts';
import type { Classification, ClassifyContext } from '../../src/detect/types.ts';
import { parseMessage } from '../../src/mail/message.ts';
import { buildMail, rawMail, type MailFields } from '../support/mail.ts';

/**
 * Constructed messages (built with test/support/mail.ts, not real samples) for the cases the
 * corpus does not cover. Shapes of platform mail follow design.md, "What the mail looks like".
 */

const ME = 'morgan@example.test';
/** No AUTHSERV_ID: no Authentication-Results header is believed (the default setting). */
const context: ClassifyContext = { ownAddresses: [ME, 'morgan.alias@example.test'], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };
/** AUTHSERV_ID=mx.example.test: the user's server's verdicts count. */
const checked: ClassifyContext = { ...context, authservId: 'mx.example.test' };

async function classified(fields: MailFields, using: ClassifyContext = context): Promise<Classification> {
  return classify(await parseMessage(await buildMail({ to: ME, ...fields })), using);
}

async function classifiedRaw(raw: Buffer | string, using: ClassifyContext = context): Promise<Classification> {
  return classify(await parseMessage(raw), using);
}

/** Constructed: a 2011–2013 invitation as LinkedIn sent it from the inviter's own mailbox. */
function oldInvitation(from: MailFields['from'], extra: Partial<MailFields> = {}): MailFields {
  return {
    from,
    subject: 'Invitation to connect on LinkedIn',
    headers: { Sender: 'messages-noreply@bounce.linkedin.com', 'X-LinkedIn-Class': 'INVITE-MBR', 'X-LinkedIn-fbl': 's-abc' },
    text: [
      'LinkedIn',
      '------------',
      '',
      'From Jane Doe',
      '',
      'Head of Engineering at Example Ventures',
      '',
      'Boston, Massachusetts Area',
      '',
      "I'd like to add you to my professional network on LinkedIn.",
      '',
      '- Jane',
      '',
      'Confirm that you know Jane Doe:',
      'https://www.linkedin.com/e/-abc123-h0w2x1/isd/9876543210/AbCdEf/?hs=false&tok=3x',
      '',
      '--',
      'You are receiving Invitation to Connect emails.',
      '(c) 2012, LinkedIn Corporation',
    ].join('\n'),
    ...extra,
  };
}

/** Constructed: the 2016 shape, HTML only, with header links pointing at the recipient's own profile. */
function newInvitationHtml(ids: string[]): MailFields {
  const accept = ids
    .map((id) => `<a href="https://www.linkedin.com/comm/people/invite-accept?mboxid=I${id}_500&amp;invitationId=${id}&amp;trk=eml-email_m2m_invite_single_01-hero-0-accept">Accept</a>`)
    .join(' ');
  return {
    from: { name: 'Jane Doe', address: 'invitations@linkedin.com' },
    subject: 'Morgan, please add me to your LinkedIn network',
    headers: {
      'X-LinkedIn-Class': 'INVITE',
      'X-LinkedIn-Template': 'email_m2m_invite_single_01',
      'List-Unsubscribe': '<https://www.linkedin.com/e/v2?e=abc&m=unsub>',
    },
    html: [
      '<html><body>',
      '<a href="https://www.linkedin.com/comm/in/morgan-example?trk=eml-email_m2m_invite_single_01-header-6-profile">Morgan Example</a>',
      "<p>Hi Morgan, I'd like to join your LinkedIn network.</p>",
      '<a href="https://www.linkedin.com/comm/in/jane-doe-4b2a1?midToken=AQ&amp;trk=eml-email_m2m_invite_single_01-hero-2-prof%7Ename"><span>Jane Doe</span></a>',
      '<p>Head of Engineering at Example Ventures</p>',
      accept,
      '</body></html>',
    ].join('\n'),
  };
}

describe('LinkedIn invitations, 2011–2013 format (constructed)', () => {
  it('from the inviter’s own mailbox: a request whose script goes to that address', async () => {
    const result = await classified(oldInvitation({ name: 'Jane Doe', address: 'jane.doe@example.org' }));
    expect(result).toMatchObject({
      verdict: 'connection_request',
      platform: 'linkedin',
      replyTo: 'jane.doe@example.org',
      requester: { name: 'Jane Doe', firstName: 'Jane', email: 'jane.doe@example.org', headline: 'Head of Engineering at Example Ventures' },
    });
    expect(result.reason).toMatch(/2011–2013 format, from the inviter's own address/);
  });

  it('from "Name via LinkedIn <member@linkedin.com>": a request with no address to write to', async () => {
    const result = await classified(oldInvitation({ name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' }));
    expect(result).toMatchObject({ verdict: 'connection_request', platform: 'linkedin', replyTo: null, requester: { name: 'Jane Doe', email: null } });
    expect(result.reason).toMatch(/sent through LinkedIn/);
  });

  it('"via LinkedIn" with a personal Reply-To: used only when LinkedIn’s signature checks out', async () => {
    const viaLinkedIn = { name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' };
    const replyTo = { name: 'Jane Doe', address: 'jane.doe@example.org' };
    const unsigned = await classified(oldInvitation(viaLinkedIn, { replyTo }), checked);
    expect(unsigned).toMatchObject({ verdict: 'connection_request', replyTo: null, flags: ['unverified'] });
    const signed = oldInvitation(viaLinkedIn, { replyTo });
    signed.headers = { ...(signed.headers as Record<string, string>), 'Authentication-Results': 'mx.example.test; dkim=pass header.d=linkedin.com; spf=pass smtp.mailfrom=bounce.linkedin.com' };
    // Signed by LinkedIn, the Reply-To is kept; but a Reply-To can be added to a signed mail, so the
    // person waits for the user's approval (flagged unverified) rather than getting the script.
    expect(await classified(signed, checked)).toMatchObject({ replyTo: 'jane.doe@example.org', flags: ['unverified'] });
    // The same header means nothing without AUTHSERV_ID: anyone can write one into their mail.
    expect((await classified(signed, context)).replyTo).toBeNull();
  });

  it('whose sender is not authenticated keeps the From, flagged unverified with the reason, for the user to approve', async () => {
    // Without AUTHSERV_ID this header is believed neither way: anyone can write one.
    const fields = oldInvitation({ name: 'Jane Doe', address: 'jane.doe@example.org' });
    fields.headers = { ...(fields.headers as Record<string, string>), 'Authentication-Results': 'mx.example.test; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org' };
    const result = await classified(fields);
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: 'jane.doe@example.org', flags: ['unverified'], authentication: { verified: false } });
    expect(result.authentication.detail).toMatch(/AUTHSERV_ID is not set/);
  });

  it('is a request flagged unverified when the user’s server shows no LinkedIn signature on it', async () => {
    // Not provably LinkedIn's, so nothing goes out on its own; nothing is dropped either.
    const fields = oldInvitation({ name: 'Jane Doe', address: 'jane.doe@example.org' });
    fields.headers = { ...(fields.headers as Record<string, string>), 'Authentication-Results': 'mx.example.test; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org' };
    const result = await classified(fields, checked);
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: 'jane.doe@example.org', flags: ['unverified'], authentication: { verified: false } });
    expect(result.authentication.detail).toMatch(/^LinkedIn's authentication did not pass: no DKIM or DMARC pass for linkedin\.com \(mx\.example\.test reports spf=fail dmarc=fail\)/);
  });

  it('sent to a mailing list the user reads is not a request to the user', async () => {
    const fields = oldInvitation({ name: 'Jane Doe via LinkedIn', address: 'member@linkedin.com' }, { subject: '[dev-users] Invitation to connect on LinkedIn' });
    fields.headers = { ...(fields.headers as Record<string, string>), 'List-Id': 'Developers <dev-users.lists.example.org>' };
    const result = await classified(fields);
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: .*mailing list/);
  });
});

describe('LinkedIn invitations, 2016 format (constructed)', () => {
  it('from HTML only: invitation id, clean profile of the inviter (not the recipient), no address', async () => {
    const result = await classified(newInvitationHtml(['6200000000000000001']));
    expect(result).toMatchObject({
      verdict: 'connection_request',
      platform: 'linkedin',
      replyTo: null,
      reason: 'LinkedIn invitation (2016 format)',
      requester: {
        name: 'Jane Doe',
        firstName: 'Jane',
        email: null,
        invitationId: '6200000000000000001',
        profileUrl: 'https://www.linkedin.com/in/jane-doe-4b2a1',
        headline: 'Head of Engineering at Example Ventures',
      },
    });
  });

  it('a digest of several invitations is not one person’s request', async () => {
    const result = await classified(newInvitationHtml(['6200000000000000001', '6200000000000000002']));
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: LinkedIn digest of 2 invitations/);
  });
});

describe('LinkedIn look-alikes (constructed)', () => {
  it('"accepted your invitation" is not a request', async () => {
    const result = await classified({
      from: { name: 'Jane Doe', address: 'invitations@linkedin.com' },
      subject: 'Jane Doe accepted your invitation',
      headers: { 'List-Unsubscribe': '<https://www.linkedin.com/e/v2?m=unsub>' },
      text: 'Jane Doe has accepted your invitation. Let’s start a conversation.\n\nView Jane’s profile: https://www.linkedin.com/comm/in/jane-doe-4b2a1',
    });
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: LinkedIn notice that an invitation was accepted/);
  });

  it('"people you may know" is not a request', async () => {
    const result = await classified({
      from: { name: 'LinkedIn', address: 'messages-noreply@linkedin.com' },
      subject: 'Morgan, do you know Jane Doe?',
      headers: { 'X-LinkedIn-Class': 'PYMK', 'X-LinkedIn-Template': 'email_pymk_02' },
      text: 'People you may know\nJane Doe\nHead of Engineering\nConnect: https://www.linkedin.com/comm/in/jane-doe-4b2a1',
    });
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: LinkedIn suggestion of people you may know, not an invitation/);
  });

  it('an invitation to an event is not a request to connect', async () => {
    const result = await classified({
      from: { name: 'Jane Doe', address: 'invitations@linkedin.com' },
      subject: 'Jane Doe invited you to an event',
      headers: { 'X-LinkedIn-Class': 'EVENTS', 'X-LinkedIn-Template': 'email_events_invite_01' },
      text: 'Jane Doe invited you to Timber Summit 2024.\nAccept: https://www.linkedin.com/comm/events/1234/invite-accept?invitationId=99',
    });
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/^suppressed: LinkedIn invitation to an event, a page or a newsletter, not to connect/);
  });

  it('a person’s "Re: Invitation to connect on LinkedIn" quoting the invitation is not a request', async () => {
    const result = await classified({
      from: { name: 'Sam Friend', address: 'sam@example.net' },
      subject: 'Re: Invitation to connect on LinkedIn',
      inReplyTo: '<invite-1@linkedin.example>',
      references: '<invite-1@linkedin.example>',
      text: [
        'Sure, happy to - see you at the meetup on Thursday.',
        '',
        'On Tue, 5 Mar 2013 at 10:00, Jane Doe <jane.doe@example.org> wrote:',
        "> I'd like to add you to my professional network on LinkedIn.",
        '> - Jane',
        '> Accept invitation from Jane Doe',
        '> https://www.linkedin.com/e/-abc123/blk/I123456789_2/accept/',
      ].join('\n'),
    });
    expect(result.verdict).not.toBe('connection_request');
    expect(result.replyTo).toBeNull();
    // Written by a person: the worker may still match it to someone we asked.
    expect(result.reason).not.toMatch(/^suppressed/);
  });
});

describe('personal requests in English (constructed)', () => {
  it('"I\'d like to connect" in the body: a request to the sender', async () => {
    const result = await classified({
      from: { name: 'Doe, Jane', address: 'Jane.Doe@Example.org' },
      subject: 'Hello from the timber conference',
      text: "Hi Morgan,\n\nI enjoyed your talk. I'd like to connect with you on LinkedIn - my profile: https://www.linkedin.com/in/jane-doe-4b2a1?trk=public\n\nBest,\nJane",
    });
    expect(result).toMatchObject({
      verdict: 'connection_request',
      platform: 'email',
      replyTo: 'jane.doe@example.org',
      requester: { name: 'Doe, Jane', firstName: 'Jane', email: 'jane.doe@example.org', profileUrl: 'https://www.linkedin.com/in/jane-doe-4b2a1', invitationId: null },
    });
    expect(result.reason).toBe('personal request to connect: body matches "I\'d like to connect"');
  });

  it('"Let\'s connect" as subject, with a personal Reply-To: the script goes to the Reply-To once the sender is authenticated, on its own only within the From\'s domain', async () => {
    const fields: MailFields = {
      from: { name: 'Jane Doe', address: 'jane@work.example.org' },
      replyTo: { name: 'Jane Doe', address: 'jane@home.example.net' },
      subject: "Let's connect",
      text: 'Hi Morgan, we met at the meetup.',
    };
    // A Reply-To other than the From is used only when the From's domain passed.
    const unchecked = await classified(fields);
    expect(unchecked).toMatchObject({ verdict: 'connection_request', replyTo: 'jane@work.example.org', flags: ['unverified'] });
    expect(unchecked.explanation.map((entry) => entry.rule)).toContain('address.reply-to');
    const result = await classified({ ...fields, headers: { 'Authentication-Results': 'mx.example.test; dkim=pass header.d=work.example.org; dmarc=pass header.from=work.example.org' } }, checked);
    // The From domain passed, but nothing authenticates a Reply-To in another domain: anyone with a
    // signing mailbox could name a third party there. Kept, and waiting for the user's approval.
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: 'jane@home.example.net', flags: ['unverified'], language: 'en' });
    expect(result.reason).toBe('personal request to connect: subject matches "Let\'s connect"');
    expect(result.explanation.map((entry) => entry.rule)).toContain('address.reply-to-domain');
    const sameDomain = await classified(
      { ...fields, replyTo: { name: 'Jane Doe', address: 'jane@mail.work.example.org' }, headers: { 'Authentication-Results': 'mx.example.test; dkim=pass header.d=work.example.org; dmarc=pass header.from=work.example.org' } },
      checked,
    );
    expect(sameDomain).toMatchObject({ replyTo: 'jane@mail.work.example.org', flags: [] });
  });

  it.each([
    ["I'd like to connect you with my colleague Bob, who runs the timber project.", 'an introduction'],
    ["Let's connect next week about the invoice.", 'a meeting'],
    ['Can you connect the printer before Monday?', 'another sense of "connect"'],
  ])('"%s" is not a request (%s)', async (text) => {
    const result = await classified({ from: 'jane@example.org', subject: 'Quick note', text });
    expect(result).toMatchObject({ verdict: 'ignored', reason: 'no request to connect found' });
  });

  it('a mailing-list mail saying "let\'s connect" is suppressed', async () => {
    const result = await classified({
      from: { name: 'Jane Doe', address: 'jane@example.org' },
      to: 'timber-talk@lists.example.org',
      subject: "[timber-talk] Let's connect!",
      headers: { 'List-Id': 'Timber talk <timber-talk.lists.example.org>', 'List-Unsubscribe': '<mailto:timber-talk-leave@lists.example.org>', Precedence: 'list' },
      text: "Hi all, I'd love to connect with everyone on this list.",
    });
    expect(result).toMatchObject({ verdict: 'ignored', replyTo: null });
    expect(result.reason).toBe('suppressed: Precedence: list');
  });

  it.each([
    [{ headers: { 'Auto-Submitted': 'auto-generated' } }, 'suppressed: Auto-Submitted: auto-generated'],
    [{ headers: { 'List-Unsubscribe': '<https://news.example.org/unsub>' } }, 'suppressed: List-Unsubscribe present'],
    [{ headers: { 'Return-Path': '<>' } }, 'suppressed: null Return-Path <>'],
    [{ headers: { 'X-Auto-Response-Suppress': 'OOF, AutoReply' } }, 'suppressed: X-Auto-Response-Suppress: OOF, AutoReply'],
    [{ from: 'no-reply@example.org' }, 'suppressed: From is a no-reply address (no-reply@example.org)'],
    [{ from: 'owner-timber@lists.example.org' }, 'suppressed: From is a list owner address (owner-timber@lists.example.org)'],
    [{ from: 'timber-request@lists.example.org' }, 'suppressed: From is a list request address (timber-request@lists.example.org)'],
    [{ replyTo: 'donotreply@example.org' }, 'suppressed: Reply-To is a no-reply address (donotreply@example.org)'],
    // Mail from a platform's domain is the platform's, whatever it says.
    [{ from: 'notification+abc@facebookmail.com' }, 'suppressed: Facebook mail that is not a friend request (from notification+abc@facebookmail.com)'],
    [{ from: 'friend@facebook.com' }, 'suppressed: Facebook mail that is not a friend request (from friend@facebook.com)'],
    [{ from: 'jane@linkedln.com' }, 'suppressed: From jane@linkedln.com imitates linkedin.com: a look-alike domain, not linkedin.com'],
  ] as Array<[Partial<MailFields>, string]>)('a "let\'s connect" mail with %o is %s', async (extra, reason) => {
    const result = await classified({ from: 'jane@example.org', subject: "Let's connect", text: "I'd like to connect.", ...extra });
    // Suppressed: never taken for a person's answer (the inbound worker reads the field, not the words).
    expect(result).toMatchObject({ verdict: 'ignored', replyTo: null, reason, suppressed: true });
  });

  it('mail a person wrote that asks nothing is ignored but not suppressed: from someone asked, it is their answer', async () => {
    const result = await classified({ from: 'jane@example.org', subject: 'Timber frames', text: 'Here are the drawings you asked about.' });
    expect(result).toMatchObject({ verdict: 'ignored', reason: 'no request to connect found', suppressed: false });
  });

  it('from the user’s own address (or a +tag of it) is ignored', async () => {
    for (const from of [ME, 'MORGAN+lists@example.test', 'morgan.alias@example.test']) {
      const result = await classified({ from, subject: "Let's connect", text: "I'd like to connect." });
      expect(result).toMatchObject({ verdict: 'ignored', reason: 'suppressed: from your own address', suppressed: true });
    }
  });

  it('never answers the user’s own address given as Reply-To: falls back to the From', async () => {
    const result = await classified({ from: 'jane@example.org', replyTo: ME, subject: "Let's connect", text: 'Hello.' });
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: 'jane@example.org' });
  });

  it('a reply inside another conversation is not a new request', async () => {
    const result = await classified({ from: 'jane@example.org', subject: 'Re: coffee', inReplyTo: '<abc@example.org>', text: "Great, let's connect!" });
    expect(result).toMatchObject({ verdict: 'ignored', reason: 'reads like a request to connect, but replies in an existing conversation' });
  });
});

describe('answers to our scripts (constructed)', () => {
  it('a reply naming our Message-ID is an answer, whatever the case of the domain', async () => {
    const result = await classified({
      from: 'jane@example.org',
      subject: 'Re: Thanks for wanting to connect',
      inReplyTo: '<winnow.c42.1@EXAMPLE.TEST>',
      references: ['<invite-1@linkedin.example>', '<winnow.c42.1@Example.Test>'],
      text: "I'd like to connect because we both build timber houses.",
    });
    expect(result).toMatchObject({ verdict: 'answer', answersMessageId: 'winnow.c42.1@example.test', replyTo: null, requester: null });
  });

  it("answers a script sent from another mailbox, by that mailbox's domain, and no one else's", async () => {
    const withWork: ClassifyContext = { ...context, otherMessageIdDomains: ['work.example'] };
    const fields = { from: 'jane@example.org', subject: 'Re: Thanks', inReplyTo: '<winnow.c42.1@Work.Example>', text: 'We both build timber houses.' };
    expect(await classified(fields, withWork)).toMatchObject({ verdict: 'answer', answersMessageId: 'winnow.c42.1@work.example' });
    expect((await classified(fields)).answersMessageId ?? null).toBeNull();
  });

  it('a Message-ID of ours only in References still counts', async () => {
    const result = await classified({ from: 'jane@example.org', subject: 'Re: hi', references: ['<other@example.org>', '<winnow.c7.2@example.test>'], text: 'Here is why.' });
    expect(result).toMatchObject({ verdict: 'answer', answersMessageId: 'winnow.c7.2@example.test' });
  });

  it('a look-alike id on another domain is not ours', async () => {
    const result = await classified({ from: 'jane@example.org', subject: 'Re: hi', inReplyTo: '<winnow.c7.2@example.test.evil.example>', text: 'Hello.' });
    expect(result.verdict).not.toBe('answer');
  });

  it('a ticket system’s acknowledgement threaded under our script is automatic, not an answer', async () => {
    const result = await classified({
      from: 'support@example.org',
      subject: '[Ticket #123] Re: Thanks for wanting to connect',
      inReplyTo: '<winnow.c42.1@example.test>',
      headers: { 'Auto-Submitted': 'auto-generated' },
      text: 'We received your request.',
    });
    expect(result).toMatchObject({ verdict: 'auto_reply', answersMessageId: 'winnow.c42.1@example.test' });
  });

  it('a person’s answer that a spam filter flagged, or that Outlook marked X-Auto-Response-Suppress, is still their answer', async () => {
    const result = await classified({
      from: 'jane@example.org',
      subject: 'Re: Thanks for wanting to connect',
      inReplyTo: '<winnow.c42.1@example.test>',
      headers: { 'X-Spam-Flag': 'YES', 'X-Auto-Response-Suppress': 'All' },
      text: 'I run a bakery and would like to swap notes on suppliers.',
    });
    expect(result).toMatchObject({ verdict: 'answer', answersMessageId: 'winnow.c42.1@example.test' });
  });

  it('the user writing in a thread of ours is not the person answering', async () => {
    const result = await classified({ from: ME, subject: 'Re: Thanks', inReplyTo: '<winnow.c42.1@example.test>', text: 'Following up.' });
    expect(result).toMatchObject({ verdict: 'ignored', reason: 'suppressed: from your own address' });
  });
});

describe('auto-replies and bounces (constructed)', () => {
  it('RFC 3834 auto-reply to our script', async () => {
    const result = await classified({
      from: 'jane@example.org',
      subject: 'Abwesenheitsnotiz: Thanks for wanting to connect',
      inReplyTo: '<winnow.c42.1@example.test>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'Ich bin bis 12. März nicht im Büro.',
    });
    expect(result).toMatchObject({ verdict: 'auto_reply', answersMessageId: 'winnow.c42.1@example.test', reason: 'auto-reply: Auto-Submitted: auto-replied' });
  });

  it.each(['Out of Office: Thanks', 'Automatic reply: Thanks', 'Abwesenheitsnotiz: Danke', 'Jane Doe is out of the office.'])('subject "%s" is an auto-reply', async (subject) => {
    const result = await classified({ from: 'jane@example.org', subject, text: 'Back on Monday.' });
    expect(result.verdict).toBe('auto_reply');
  });

  it('a delivery status report names the failed recipient and our script quoted inline', async () => {
    const raw = rawMail(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
        `To: ${ME}`,
        'Subject: Undelivered Mail Returned to Sender',
        'Return-Path: <>',
        'Message-ID: <dsn-1@mx.example.net>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      ],
      [
        '--B',
        'Content-Type: text/plain',
        '',
        'I am sorry to have to inform you that your message could not be delivered.',
        '',
        '<gone@example.org>: host mx.example.org said: 550 5.1.1 No such user',
        '',
        '--B',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.net',
        '',
        'Final-Recipient: rfc822; gone@example.org',
        'Original-Recipient: rfc822; Gone@Example.org',
        'Action: failed',
        'Status: 5.1.1',
        '',
        '--B',
        'Content-Type: text/plain',
        '',
        'Message-ID: <winnow.c9.1@example.test>',
        '--B--',
        '',
      ].join('\n'),
    );
    const result = await classifiedRaw(raw);
    expect(result).toMatchObject({ verdict: 'bounce', bouncedRecipient: 'gone@example.org', answersMessageId: 'winnow.c9.1@example.test' });
  });

  // Our Message-ID inside a returned message/rfc822 or text/rfc822-headers part: test/detect/bounce.test.ts.

  it('a delay notice is not a bounce', async () => {
    const raw = rawMail(
      [
        'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
        `To: ${ME}`,
        'Subject: Delivery Status Notification (Delay)',
        'Return-Path: <>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      ],
      ['--B', 'Content-Type: text/plain', '', 'Still trying.', '--B', 'Content-Type: message/delivery-status', '', 'Final-Recipient: rfc822; slow@example.org', 'Action: delayed', 'Status: 4.4.1', '--B--', ''].join('\n'),
    );
    const result = await classifiedRaw(raw);
    expect(result).toMatchObject({ verdict: 'ignored', bouncedRecipient: null });
    expect(result.reason).toMatch(/^suppressed: delivery delay notice/);
  });

  it('a person’s mail titled "Undeliverable" with no robot signs is not a bounce', async () => {
    const result = await classified({ from: 'jane@example.org', subject: 'Undeliverable packages', text: 'The courier lost them.' });
    expect(result.verdict).not.toBe('bounce');
  });
});

describe('hostile input (constructed)', () => {
  it('script tags and encoded CR/LF in a display name: parsed, cleaned, no crash', async () => {
    const raw = rawMail(
      [
        'From: =?UTF-8?Q?=3Cscript=3Ealert(1)=3C/script=3E=0D=0ABcc=3A_victim=40example.org?= <jane@example.org>',
        `To: ${ME}`,
        "Subject: =?UTF-8?B?TGV0J3MgY29ubmVjdA==?=",
        'Message-ID: <hostile-1@example.org>',
      ],
      "I'd like to connect.",
    );
    const result = await classifiedRaw(raw);
    expect(result.verdict).toBe('connection_request');
    expect(result.replyTo).toBe('jane@example.org');
    expect(result.requester?.name).toContain('<script>');
    expect(result.requester?.name).not.toMatch(/[\r\n]/);
  });

  it('bidi overrides, zero-width characters and a huge name are removed or capped', async () => {
    const name = `\u202eJane\u200b ${'A'.repeat(5000)}`;
    const result = await classified({ from: { name, address: 'jane@example.org' }, subject: "Let's connect", text: 'Hi.' });
    expect(result.requester?.name.length).toBeLessThanOrEqual(120);
    expect(result.requester?.name).not.toMatch(/[\u202e\u200b]/);
    expect(result.requester?.firstName).toBe('Jane');
  });

  it('a broken encoded word, a missing From and binary junk: ignored without a crash', async () => {
    const junk = Buffer.concat([Buffer.from('Subject: =?UTF-8?B?@@@?=\r\nFrom: <>\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n'), Buffer.from([0, 1, 2, 255, 254, 13, 10, 0])]);
    const result = await classifiedRaw(junk);
    expect(result.verdict).toBe('ignored');
    expect(result.replyTo).toBeNull();
  });

  // Took over a minute before names were read with single spaces: "\s+via\s+LinkedIn\s*$" and
  // "["'\s]+$" rescan a long run of spaces from each of its positions. The test timeout is the check.
  it('a From display name holding a long run of spaces, on platform mail: read in linear time', async () => {
    const raw = rawMail(
      [`From: "Jane${' '.repeat(300_000)}Doe" <invitations@linkedin.com>`, `To: ${ME}`, 'Subject: I want to connect', 'X-LinkedIn-Template: email_m2m_invite_single_01'],
      "I'd like to join your LinkedIn network.\n\nAccept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7400000000000000009/sharedKey/x/",
    );
    const result = await classifiedRaw(raw);
    expect(result).toMatchObject({ verdict: 'connection_request', platform: 'linkedin', replyTo: null, requester: { name: 'Jane Doe' } });
  });

  it('a LinkedIn-looking mail with a hostile profile link keeps only a clean LinkedIn URL', async () => {
    const fields = oldInvitation({ name: 'Jane Doe', address: 'jane.doe@example.org' });
    fields.text = String(fields.text).replace(
      '- Jane\n',
      '- Jane\nhttps://evil.example/in/jane\nhttps://www.linkedin.com/in/jane"><script>alert(1)</script>?trk=x\n',
    );
    const result = await classified(fields);
    expect(result.verdict).toBe('connection_request');
    expect(result.requester?.profileUrl).toBe('https://www.linkedin.com/in/jane');
  });
});

/** Constructed: a 2016-template invitation, text only, with extra headers. */
function newInvitation(headers: Record<string, string> = {}, from = 'invitations@linkedin.com'): MailFields {
  return {
    from: { name: 'Jane Doe', address: from },
    subject: 'I want to connect',
    headers: { 'X-LinkedIn-Class': 'INVITE', 'X-LinkedIn-Template': 'email_m2m_invite_single_01', ...headers },
    text: [
      'Hi Morgan,',
      '',
      "I'd like to join your LinkedIn network.",
      '',
      'Jane Doe',
      'Head of Engineering at Example Ventures',
      '',
      'Accept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7400000000000000001/sharedKey/x/',
      'View profile: https://www.linkedin.com/comm/in/jane-doe-4b2a1?trk=eml-email_m2m_invite_single_01-hero-3-prof~name',
    ].join('\n'),
  };
}

describe('authentication of platform mail (constructed)', () => {
  const AR = (value: string) => ({ 'Authentication-Results': value });

  it.each([
    ['dkim=pass header.d=linkedin.com', 'mx.example.test; dkim=pass header.d=linkedin.com header.s=s1'],
    ['dkim=pass header.i of a subdomain', 'mx.example.test; dkim=pass (2048-bit key) header.i=@mailb.linkedin.com'],
    ['dmarc=pass header.from=linkedin.com', 'MX.Example.Test 1; spf=none; dkim=none; dmarc=pass (p=reject) header.from=linkedin.com'],
  ])('%s at the user’s server: a verified request', async (_label, value) => {
    const result = await classified(newInvitation(AR(value)), checked);
    expect(result).toMatchObject({ verdict: 'connection_request', platform: 'linkedin', flags: [] });
    expect(result.explanation).toContainEqual({ rule: 'authentication', detail: expect.stringMatching(/^pass: /) });
  });

  it.each([
    ['dkim=fail for linkedin.com', 'mx.example.test; dkim=fail (bad signature) header.d=linkedin.com', /failed authentication \(dkim=fail header\.d=linkedin\.com at mx\.example\.test\)/],
    ['dmarc=fail for linkedin.com, even beside a dkim pass', 'mx.example.test; dkim=pass header.d=linkedin.com; dmarc=fail header.from=linkedin.com', /failed authentication \(dmarc=fail/],
  ])('%s: forged in LinkedIn’s name, not a request, and the reason says why', async (_label, value, reason) => {
    const result = await classified(newInvitation(AR(value)), checked);
    expect(result).toMatchObject({ verdict: 'ignored', replyTo: null, requester: null });
    expect(result.reason).toMatch(/^suppressed: LinkedIn mail that /);
    expect(result.reason).toMatch(reason);
  });

  // Mail that is not provably the platform's is still a request, flagged and held for
  // the user (nothing is dropped); only a failure for the platform's domain marks a forgery.
  it.each([
    ['a pass for a look-alike domain only', 'mx.example.test; dkim=pass header.d=linkedin.com.evil.example; dmarc=pass header.from=linkedln.com', /no DKIM or DMARC pass for linkedin\.com \(mx\.example\.test reports dkim=pass dmarc=pass\)/],
    ['a pass for a parent domain only', 'mx.example.test; dkim=pass header.d=com', /no DKIM or DMARC pass for linkedin\.com/],
    ['a pass written by another server', 'mx.attacker.example; dkim=pass header.d=linkedin.com; dmarc=pass header.from=linkedin.com', /no Authentication-Results of mx\.example\.test \(only from mx\.attacker\.example\)/],
    ['the user’s server reporting no result at all ("none")', 'mx.example.test; none', /no Authentication-Results of mx\.example\.test|not on top|no DKIM or DMARC/],
  ])('%s: a request flagged unverified, with the reason', async (_label, value, reason) => {
    const result = await classified(newInvitation(AR(value)), checked);
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: null, flags: ['unverified'], authentication: { verified: false } });
    expect(result.authentication.detail).toMatch(reason);
  });

  it('a forged pass below the server’s own failure does not count', async () => {
    const raw = rawMail(
      [
        'Authentication-Results: mx.example.test; dkim=fail header.d=linkedin.com',
        'Received: from mail.attacker.example by mx.example.test; Mon, 1 Jan 2024 10:00:00 +0000',
        'Authentication-Results: mx.example.test; dkim=pass header.d=linkedin.com',
        'From: Jane Doe <invitations@linkedin.com>',
        `To: ${ME}`,
        'Subject: I want to connect',
        'X-LinkedIn-Template: email_m2m_invite_single_01',
      ],
      "I'd like to join your LinkedIn network.",
    );
    const result = await classifiedRaw(raw, checked);
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toMatch(/failed authentication/);
  });

  it('without AUTHSERV_ID every platform request is flagged unverified, and UNVERIFIED_MAIL=ignore leaves it alone', async () => {
    const accepted = await classified(newInvitation(AR('mx.example.test; dkim=pass header.d=linkedin.com')));
    expect(accepted).toMatchObject({ verdict: 'connection_request', flags: ['unverified'] });
    const ignoredResult = await classified(newInvitation(), { ...checked, unverifiedMail: 'ignore' });
    expect(ignoredResult).toMatchObject({ verdict: 'ignored', requester: null });
    expect(ignoredResult.reason).toBe('suppressed: LinkedIn mail that cannot be verified (no Authentication-Results header of mx.example.test); UNVERIFIED_MAIL=ignore leaves it alone');
    const noServer = await classified(newInvitation(), { ...context, unverifiedMail: 'ignore' });
    expect(noServer.reason).toMatch(/AUTHSERV_ID is not set/);
  });

  it('a forged pass with the server’s id below another header line does not count, even for a method the server did not report', async () => {
    const raw = rawMail(
      [
        'Authentication-Results: mx.example.test; spf=softfail smtp.mailfrom=example.org',
        'Received: from mail.attacker.example (mail.attacker.example [203.0.113.9]) by mx.example.test; Mon, 1 Jan 2024 10:00:00 +0000',
        'Authentication-Results: mx.example.test; dkim=pass header.d=linkedin.com; dmarc=pass header.from=linkedin.com',
        'From: Jane Doe <invitations@linkedin.com>',
        `To: ${ME}`,
        'Subject: I want to connect',
        'X-LinkedIn-Template: email_m2m_invite_single_01',
      ],
      "I'd like to join your LinkedIn network.",
    );
    const result = await classifiedRaw(raw, checked);
    expect(result).toMatchObject({ verdict: 'connection_request', flags: ['unverified'], authentication: { verified: false } });
    expect(result.authentication.detail).toMatch(/mx\.example\.test reports spf=softfail\)/);
  });

  it('the server’s block counts only at the very top: its id below another server’s header is not believed', async () => {
    const raw = rawMail(
      [
        'Authentication-Results: mx.attacker.example; dkim=none',
        'Authentication-Results: mx.example.test; dkim=pass header.d=linkedin.com',
        'From: Jane Doe <invitations@linkedin.com>',
        `To: ${ME}`,
        'Subject: I want to connect',
        'X-LinkedIn-Template: email_m2m_invite_single_01',
      ],
      "I'd like to join your LinkedIn network.",
    );
    expect(await classifiedRaw(raw, checked)).toMatchObject({ verdict: 'connection_request', flags: ['unverified'] });
  });

  it('comments, quoted values and folding in Authentication-Results are read correctly', async () => {
    const raw = rawMail(
      [
        'Authentication-Results: mx.example.test (Postfix; 1.2);',
        '\tdkim=pass (2048-bit key; secure) header.d="linkedin.com"',
        '\theader.i=@linkedin.com header.b="Ab;cd"',
        'From: Jane Doe <invitations@linkedin.com>',
        `To: ${ME}`,
        'Subject: I want to connect',
        'X-LinkedIn-Template: email_m2m_invite_single_01',
      ],
      "I'd like to join your LinkedIn network.",
    );
    const result = await classifiedRaw(raw, checked);
    expect(result).toMatchObject({ verdict: 'connection_request', flags: [] });
  });
});

describe('look-alike domains (constructed)', () => {
  it.each(['invitations@linkedln.com', 'invitations@linkedin-mail.com', 'invitations@linkedin.com.evil.example', 'invitations@xn--lnkedin-rog.com', 'invitations@LINKED1N.com'])(
    'an invitation from %s is never a request and never gets a script',
    async (from) => {
      const result = await classified(newInvitation({}, from), checked);
      expect(result).toMatchObject({ verdict: 'ignored', replyTo: null, requester: null });
      expect(result.reason).toMatch(/imitates linkedin\.com/);
    },
  );

  it('a personal request whose Reply-To imitates a platform is left alone', async () => {
    const result = await classified({ from: 'jane@example.org', replyTo: 'jane@facebook-security.example', subject: "Let's connect", text: 'Hi.' });
    expect(result).toMatchObject({ verdict: 'ignored', replyTo: null });
    expect(result.reason).toMatch(/Reply-To jane@facebook-security\.example imitates facebookmail\.com/);
  });

  it('ordinary domains that merely contain a short brand word are not look-alikes', async () => {
    for (const from of ['jane@boxing.example', 'jane@pythonmeetup.example', 'jane@mixing-studio.example', 'jane@github.io']) {
      const result = await classified({ from, subject: "Let's connect", text: "I'd like to connect." });
      expect(result.verdict, from).toBe('connection_request');
    }
  });
});

describe('flags, language and explanation of a request (constructed)', () => {
  it('a LinkedIn request carries its rules, each with detail, in order', async () => {
    const result = await classified(newInvitation({ 'Authentication-Results': 'mx.example.test; dkim=pass header.d=linkedin.com' }), checked);
    const rules = result.explanation.map((entry) => entry.rule);
    expect(rules.slice(0, 3)).toEqual(['linkedin.mail', 'linkedin.invite-template', 'authentication']);
    expect(result.explanation[0]).toEqual({ rule: 'linkedin.mail', detail: 'LinkedIn mail: From invitations@linkedin.com' });
    expect(result.explanation[1]).toEqual({ rule: 'linkedin.invite-template', detail: 'X-LinkedIn-Template: email_m2m_invite_single_01' });
    expect(rules).toEqual(expect.arrayContaining(['extract.name', 'extract.profile', 'extract.request-id', 'language', 'address.none']));
    expect(result.language).toBe('en');
    expect(result.explanation).toContainEqual({ rule: 'language', detail: 'en, from phrase of linkedin.invitations-sender' });
  });

  it('"LION" or "open networker" in the headline flags an open networker; a lower-case "lion" does not', async () => {
    const fields = newInvitation();
    fields.text = String(fields.text).replace('Head of Engineering at Example Ventures', 'Open Networker | Growth hacker');
    expect((await classified(fields)).flags).toEqual(['open_networker', 'unverified']);
    fields.text = String(fields.text).replace('Open Networker | Growth hacker', 'Lion tamer at the circus');
    expect((await classified(fields)).flags).toEqual(['unverified']);
  });

  it('a personal request keeps its words as the note and names its language', async () => {
    const result = await classified({ from: { name: 'Camille Martin', address: 'camille@example.fr' }, subject: 'Bonjour', text: "Bonjour Morgan,\n\nJ'aimerais me connecter avec vous.\n\nCamille" });
    expect(result).toMatchObject({ verdict: 'connection_request', platform: 'email', language: 'fr', requester: { note: "Bonjour Morgan, J'aimerais me connecter avec vous. Camille" } });
    expect(result.explanation[0]).toEqual({ rule: 'email.body-phrase', detail: 'body matches "J\'aimerais me connecter avec vous" (fr)' });
  });

  it('mail nobody asked about says which rule let it go', async () => {
    const result = await classified({ from: 'carol@example.org', subject: 'Lunch?', text: 'Friday works.' });
    expect(result).toMatchObject({ verdict: 'ignored', reason: 'no request to connect found' });
    expect(result.explanation).toEqual([{ rule: 'no-rule', detail: 'no platform, no personal request phrase' }]);
  });
});

describe('what the robots tell, passed on (constructed)', () => {
  it('a bounce carries its status, permanence and diagnostic', async () => {
    const raw = rawMail(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
        `To: ${ME}`,
        'Subject: Undelivered Mail Returned to Sender',
        'Return-Path: <>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      ],
      [
        '--B',
        'Content-Type: text/plain',
        '',
        '<gone@example.org>: host mx.example.org said: 550 5.1.1 No such user',
        '--B',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.net',
        '',
        'Final-Recipient: rfc822; gone@example.org',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 No such user',
        '--B--',
        '',
      ].join('\n'),
    );
    const result = await classifiedRaw(raw);
    expect(result).toMatchObject({ verdict: 'bounce', bouncedRecipient: 'gone@example.org', bounce: { status: '5.1.1', permanent: true } });
    expect(result.bounce?.diagnostic).toMatch(/No such user/);
    expect(result.explanation.length).toBeGreaterThan(0);
  });

  it('an out-of-office reply carries the stated return date', async () => {
    const result = await classified({
      from: 'jane@example.org',
      subject: 'Out of Office: Thanks for wanting to connect',
      date: new Date('2024-03-01T09:00:00Z'),
      inReplyTo: '<winnow.c42.1@example.test>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am out of the office until 12 March 2024 and will reply when I am back.',
    });
    expect(result.verdict).toBe('auto_reply');
    expect(result.returnsAt).not.toBeNull();
    expect(new Date(result.returnsAt ?? 0).getUTCFullYear()).toBe(2024);
  });
});

describe('bad input (constructed)', () => {
  it('an unknown charset: the words that can be read are read, nothing throws', async () => {
    const raw = rawMail(['From: Jane Doe <jane@example.org>', `To: ${ME}`, 'Subject: Hello', 'Content-Type: text/plain; charset="x-no-such-charset-42"'], "I'd like to connect.");
    const result = await classifiedRaw(raw);
    expect(result.verdict).toBe('connection_request');
    expect(result.replyTo).toBe('jane@example.org');
  });

  it('broken MIME (an unterminated multipart): the invitation inside is still recognised', async () => {
    const raw = rawMail(
      ['From: Jane Doe <invitations@linkedin.com>', `To: ${ME}`, 'Subject: I want to connect', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="XX"'],
      ['--XX', 'Content-Type: text/plain; charset=utf-8', '', "I'd like to join your LinkedIn network.", '', 'Accept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/7500000000000000001/sharedKey/x/', '--XX', 'Content-Type: text/html', '', '<p>cut off here'].join('\n'),
    );
    const result = await classifiedRaw(raw);
    expect(result).toMatchObject({ verdict: 'connection_request', platform: 'linkedin', requester: { name: 'Jane Doe', invitationId: '7500000000000000001' } });
  });

  it('a giant body is cut at the parse cap and still classified', async () => {
    const filler = `${'timber '.repeat(15)}\n`.repeat(40_000);
    const raw = rawMail(['From: Jane Doe <jane@example.org>', `To: ${ME}`, "Subject: Let's connect"], `Hi Morgan,\n\n${filler}`);
    expect(raw.length).toBeGreaterThan(4 * 1024 * 1024);
    const result = await classifiedRaw(raw);
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: 'jane@example.org' });
  });

  it.each([
    ['no From', ['To: morgan@example.test', "Subject: Let's connect"], /without a sender address|no request/],
    ['no headers at all', [], /./],
    // RFC 5230: a request must name the user among its recipients.
    ['no To', ['From: jane@example.org'], /your address is not among the recipients/],
  ] as Array<[string, string[], RegExp]>)('%s: ignored with a reason', async (_label, headers, reason) => {
    const result = await classifiedRaw(rawMail(headers, "I'd like to connect."));
    if (result.verdict === 'connection_request') throw new Error(`classified as a request: ${result.reason}`);
    expect(result.replyTo).toBeNull();
    expect(result.reason).toMatch(reason);
  });
});
