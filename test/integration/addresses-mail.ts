import { signMail } from '../support/dkim.ts';
import { buildMail, rawMail, type MailAddress } from '../support/mail.ts';

/**
 * Constructed mail for the address and inbound-settings tests; none of it is a real sample.
 * Requests are signed by their sender's domain (test/support/dkim.ts), as real ones are; pass
 * `{ forged: true }` for the same mail as an outsider would send it: unsigned.
 */

export interface Forgery {
  /** Unsigned, as an outsider writing in someone else's name would send it. */
  forged?: boolean;
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

/** Constructed: a personal email asking to connect. */
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
