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
const context: ClassifyContext = { ownAddresses: [ME, 'morgan.alias@example.test'], messageIdDomain: 'example.test', authservId: null, unverifiedMail: 'accept' };

async function classified(fields: MailFields): Promise<Classification> {
  return classify(await parseMessage(await buildMail({ to: ME, ...fields })), context);
}

async function classifiedRaw(raw: Buffer | string): Promise<Classification> {
  return classify(await parseMessage(raw), context);
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
    const unsigned = await classified(oldInvitation(viaLinkedIn, { replyTo }));
    expect(unsigned.replyTo).toBeNull();
    const signed = oldInvitation(viaLinkedIn, { replyTo });
    signed.headers = { ...(signed.headers as Record<string, string>), 'Authentication-Results': 'mx.example.test; dkim=pass header.d=linkedin.com; spf=pass smtp.mailfrom=bounce.linkedin.com' };
    expect((await classified(signed)).replyTo).toBe('jane.doe@example.org');
  });

  it('whose sender failed authentication gets no reply address', async () => {
    const fields = oldInvitation({ name: 'Jane Doe', address: 'jane.doe@example.org' });
    fields.headers = { ...(fields.headers as Record<string, string>), 'Authentication-Results': 'mx.example.test; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org' };
    const result = await classified(fields);
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: null });
    expect(result.reason).toMatch(/authentication failed/);
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
    expect(result.reason).toMatch(/^suppressed: LinkedIn mail that is not an invitation \(email_pymk_02\)/);
  });

  it('an invitation to an event is not a request to connect', async () => {
    const result = await classified({
      from: { name: 'Jane Doe', address: 'invitations@linkedin.com' },
      subject: 'Jane Doe invited you to an event',
      headers: { 'X-LinkedIn-Class': 'EVENTS', 'X-LinkedIn-Template': 'email_events_invite_01' },
      text: 'Jane Doe invited you to Timber Summit 2024.\nAccept: https://www.linkedin.com/comm/events/1234/invite-accept?invitationId=99',
    });
    expect(result.verdict).toBe('ignored');
    expect(result.reason).toBe('suppressed: LinkedIn mail that is not an invitation (email_events_invite_01)');
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

  it('"Let\'s connect" as subject, with a personal Reply-To: the script goes to the Reply-To', async () => {
    const result = await classified({
      from: { name: 'Jane Doe', address: 'jane@work.example.org' },
      replyTo: { name: 'Jane Doe', address: 'jane@home.example.net' },
      subject: "Let's connect",
      text: 'Hi Morgan, we met at the meetup.',
    });
    expect(result).toMatchObject({ verdict: 'connection_request', replyTo: 'jane@home.example.net' });
    expect(result.reason).toBe('personal request to connect: subject matches "Let\'s connect"');
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
    [{ from: 'notification+abc@facebookmail.com' }, 'suppressed: From is a notifications address (notification+abc@facebookmail.com)'],
    [{ from: 'friend@facebook.com' }, 'suppressed: notification from facebook.com'],
  ] as Array<[Partial<MailFields>, string]>)('a "let\'s connect" mail with %o is %s', async (extra, reason) => {
    const result = await classified({ from: 'jane@example.org', subject: "Let's connect", text: "I'd like to connect.", ...extra });
    expect(result).toMatchObject({ verdict: 'ignored', replyTo: null, reason });
  });

  it('from the user’s own address (or a +tag of it) is ignored', async () => {
    for (const from of [ME, 'MORGAN+lists@example.test', 'morgan.alias@example.test']) {
      const result = await classified({ from, subject: "Let's connect", text: "I'd like to connect." });
      expect(result).toMatchObject({ verdict: 'ignored', reason: 'suppressed: from your own address' });
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

  // parseMessage keeps no attachments, and mailparser files message/rfc822 and text/rfc822-headers
  // parts as attachments, so our Message-ID inside them cannot be seen through Message yet.
  it.todo('finds our Message-ID in an attached message/rfc822 or text/rfc822-headers part');

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
