import { signMail } from './dkim.ts';
import { buildMail, rawMail, type MailAddress } from './mail.ts';

/**
 * Constructed requests, answers and reports (none of them real samples) for the integration
 * tests, the demo, the screenshots and the benchmarks: one place for each shape of mail.
 */

/** The authserv-id of the receiving server the sandbox's Dovecot plays (set AUTHSERV_ID to it). */
export const RECEIVING_SERVER = 'mx.example.test';

/**
 * The mail as the user's receiving server stores it: its verdict on top (RFC 8601), as a real
 * inbox has it. `pass`: DKIM, SPF and DMARC passed for `domain` (DKIM signed by `signer`, a
 * platform's mail domain say); `fail`: all three failed; `none`: the domain publishes nothing.
 */
export function receivedBy(raw: Buffer, domain: string, verdict: 'pass' | 'fail' | 'none' = 'pass', signer = domain): Buffer {
  const results =
    verdict === 'pass'
      ? `dkim=pass header.d=${signer}; spf=pass smtp.mailfrom=${domain}; dmarc=pass header.from=${domain}`
      : verdict === 'fail'
        ? `dkim=fail (signature did not verify) header.d=${domain}; spf=softfail smtp.mailfrom=${domain}; dmarc=fail header.from=${domain}`
        : `dkim=none; spf=none smtp.mailfrom=${domain}; dmarc=none header.from=${domain}`;
  return Buffer.concat([Buffer.from(`Authentication-Results: ${RECEIVING_SERVER}; ${results}\r\n`), raw]);
}

/** Unsigned, as an outsider writing in someone else's name would send it. */
export interface Forgery {
  forged?: boolean;
}

/**
 * Constructed (not a real sample): a LinkedIn invitation in the 2011–2013 format, whose From is
 * the inviter's own mailbox, so the script can go to the person. LinkedIn sent these with its
 * own Sender and DKIM signature (made here with the test world's key for linkedin.com), which is
 * what vouches for the From; `forged: true` gives the same mail as an outsider would send it,
 * unsigned.
 */
export async function oldLinkedInInvitation(
  from: { name: string; address: string; headline?: string },
  to: MailAddress,
  messageId?: string,
  options: Forgery & { date?: Date } = {},
): Promise<Buffer> {
  const raw = await buildMail({
    from: { name: from.name, address: from.address },
    to,
    date: options.date,
    subject: 'Invitation to connect on LinkedIn',
    messageId,
    headers: { Sender: 'messages-noreply@bounce.linkedin.com', 'X-LinkedIn-Class': 'INVITE-GUEST' },
    text: [
      'LinkedIn',
      '------------',
      '',
      `${from.name.split(' ')[0]} wants to connect with you on LinkedIn.`,
      '',
      "I'd like to add you to my professional network on LinkedIn.",
      '',
      `- ${from.name}`,
      '',
      from.name,
      from.headline ?? 'Founder at Example Ventures',
      '',
      `Accept invitation from ${from.name}`,
      'http://www.linkedin.com/e/-abc123/blk/I123456789_2/accept/',
      '',
      '© 2012, LinkedIn Corporation',
    ].join('\n'),
  });
  return options.forged ? raw : signMail(raw, { domain: 'linkedin.com' });
}

/**
 * Constructed (not a real sample): a LinkedIn invitation in the 2016 format, modelled on the
 * corpus samples: From "Name <invitations@linkedin.com>", the member-to-member template header,
 * "View profile:" and "Accept:" links with an invitationId, and no address of the person, so
 * Winnow lists them as awaiting an address. `fromHeader` replaces the From line as written (to
 * put a hand-made RFC 2047 encoded word in it).
 */
export async function linkedInInvitation2016(
  person: { name: string; headline: string; invitationId: string; fromHeader?: string; subject?: string },
  to: string,
  /** The first name of the user, which LinkedIn writes into the subject and the greeting. */
  first = 'Morgan',
): Promise<Buffer> {
  const raw = await buildMail({
    from: { name: person.name, address: 'invitations@linkedin.com' },
    to,
    subject: person.subject ?? `${first}, please add me to your LinkedIn network`,
    headers: { 'X-LinkedIn-Template': 'email_m2m_invite_single_01', 'X-LinkedIn-Class': 'INVITE' },
    text: [
      `Hi ${first},`,
      "I'd like to join your LinkedIn network.",
      '',
      person.name,
      person.headline,
      '',
      `View profile: https://www.linkedin.com/comm/profile/view?id=AAsAAA${person.invitationId}&trk=eml-email_m2m_invite_single_01-hero-3-prof`,
      '',
      `Accept: https://www.linkedin.com/comm/people/invite-accept?mboxid=I${person.invitationId}_500&invitationId=${person.invitationId}&fe=true&trk=eml-email_m2m_invite_single_01-hero-0-accept`,
      '',
      '© 2016 LinkedIn Corporation, 2029 Stierlin Court, Mountain View CA 94043.',
    ].join('\n'),
  });
  return person.fromHeader ? replaceHeader(raw, 'From', person.fromHeader) : raw;
}

/**
 * The message with one header's value replaced as written, for values MailComposer would encode
 * its own way (a hand-made RFC 2047 encoded word in From, which it does not take from `headers`).
 */
export function replaceHeader(raw: Buffer, name: string, value: string): Buffer {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  // A header line and its folded continuation lines.
  const pattern = new RegExp(`^${name}:.*(?:\r\n[ \t].*)*`, 'im');
  const head = text.slice(0, end);
  if (!pattern.test(head)) throw new Error(`the message has no ${name} header`);
  return Buffer.from(head.replace(pattern, `${name}: ${value}`) + text.slice(end), 'utf8');
}

/** Constructed: a LinkedIn invitation in the 2016 format, which carries no address of the person (From is invitations@linkedin.com). */
export async function linkedInInvitation(name: string, to: MailAddress, invitationId: string, messageId?: string, options: Forgery = {}): Promise<Buffer> {
  const first = name.split(' ')[0];
  const raw = await buildMail({
    from: { name, address: 'invitations@linkedin.com' },
    to,
    subject: 'Morgan, please add me to your LinkedIn network',
    messageId: messageId ?? `<${invitationId}.JavaMail.app@lva1-app3333.prod.linkedin.com>`,
    headers: { 'X-LinkedIn-Class': 'INVITE-SINGLE', 'X-LinkedIn-Template': 'email_m2m_invite_single_01' },
    text: [
      'Hi Morgan,',
      '',
      "I'd like to join your LinkedIn network.",
      '',
      name,
      'Managing Director at Example Ventures',
      '',
      `View profile: https://www.linkedin.com/comm/profile/view?id=AAsAAAJUVTYB${invitationId}&authType=name&authToken=eAsV`,
      '',
      `Accept: https://www.linkedin.com/comm/people/invite-accept?mboxid=I${invitationId}_500&sharedKey=48j6iM8P&fr=false&invitationId=${invitationId}&fe=true`,
      '',
      `You are receiving Invitation emails. ${first}`,
      '',
      '© 2016 LinkedIn Corporation, 2029 Stierlin Court, Mountain View CA 94043.',
    ].join('\n'),
  });
  return options.forged ? raw : signMail(raw, { domain: 'linkedin.com' });
}

/** Constructed: a personal email asking to connect, signed by the sender's domain unless forged. */
export async function personalRequest(from: { name: string; address: string }, to: MailAddress, messageId: string, options: Forgery & { headers?: Record<string, string | string[]> } = {}): Promise<Buffer> {
  const raw = await buildMail({
    from,
    to,
    subject: "I'd like to connect",
    messageId,
    ...(options.headers ? { headers: options.headers } : {}),
    text: `Hi Morgan,\n\nI'd like to connect. I run a small design studio in Lisbon.\n\nBest,\n${from.name}`,
  });
  return options.forged ? raw : signMail(raw);
}

/** Constructed: an ordinary mail, neither request nor answer. */
export function ordinaryMail(from: MailAddress, to: MailAddress, subject: string): Promise<Buffer> {
  return buildMail({ from, to, subject, text: 'Here are the slides from Tuesday, as promised.' });
}


/** Constructed: a delivery status report (RFC 3464) about one of our scripts, as Postfix writes them. */
export function deliveryReport(user: string, recipient: string, scriptMessageId: string, report: { action: string; status: string; diagnostic: string }): Buffer {
  return rawMail(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.test>',
      `To: ${user}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn-${report.status}-${Date.now()}@mx.example.test>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="report"',
    ],
    [
      '--report',
      'Content-Type: text/plain',
      '',
      'This is the mail system. Your message could not be delivered to one or more recipients.',
      '',
      '--report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.test',
      '',
      `Final-Recipient: rfc822; ${recipient}`,
      `Action: ${report.action}`,
      `Status: ${report.status}`,
      `Diagnostic-Code: smtp; ${report.diagnostic}`,
      '',
      '--report',
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${user}`,
      `To: ${recipient}`,
      `Message-ID: ${scriptMessageId}`,
      'Subject: Thank you for wanting to connect',
      '',
      '--report--',
      '',
    ].join('\n'),
  );
}

/**
 * Constructed: a Facebook friend request, after the real headers (From notification+…@facebookmail.com,
 * `X-Facebook-Notify: friend`); it carries no address of the person. Subject and first line in the
 * recipient's language, as Facebook writes them (test/detect/cases/facebook.ts has every language).
 */
export function facebookFriendRequest(person: { name: string; id: string; subject: string; line: string; mutual: string }, to: MailAddress): Promise<Buffer> {
  return buildMail({
    from: { name: 'Facebook', address: 'notification+zj4yzx@facebookmail.com' },
    replyTo: { name: 'noreply', address: 'noreply@facebookmail.com' },
    to,
    subject: person.subject,
    headers: {
      'X-Facebook-Notify': `friend; from=${person.id}; mailid=2fc5f99G2738aab8Gca41707G2`,
      'X-Auto-Response-Suppress': 'All',
      'List-Unsubscribe': '<https://www.facebook.com/o.php?k=AS2&u=1>',
    },
    text: [person.line, '', person.mutual, '', `https://www.facebook.com/n/?reqs.php&profile_id=${person.id}`, '', 'Facebook, Inc., Attention: Community Support, 1 Facebook Way, Menlo Park, CA 94025'].join('\n'),
  });
}

/**
 * Constructed: a XING contact request from mailrobot@mail.xing.com with the person's position and
 * message; no address of the person. The words are the recipient's language (test/detect/cases/xing.ts).
 */
export function xingContactRequest(person: { name: string; slug: string; position: string; subject: string; line: string; mutual: string; note: string; accept: string }, to: MailAddress): Promise<Buffer> {
  return buildMail({
    from: { name: 'XING', address: 'mailrobot@mail.xing.com' },
    to,
    subject: person.subject,
    headers: { 'List-Unsubscribe': '<https://www.xing.com/settings/notifications>' },
    text: [person.line, '', person.name, person.position, person.mutual, '', `"${person.note}"`, '', `${person.accept}: https://www.xing.com/app/contact?op=accept&id=${person.slug}`, `https://www.xing.com/profile/${person.slug}?sc_o=mxb_p`].join('\n'),
  });
}
