import { signMail } from '../support/dkim.ts';
import { buildMail, type MailAddress } from '../support/mail.ts';
import { linkedInInvitation as invitation } from '../support/requests.ts';

/**
 * Constructed platform mail for the "asked on the platform" tests; none of it is a real sample.
 * The invitation is the tests' 2016 LinkedIn invitation (test/support/requests.ts); the message
 * notices follow the shape of the real InMail in test/fixtures/corpus/negative (the sender's name,
 * a link to the conversation, the message, LinkedIn's footer) and the subjects LinkedIn, Facebook
 * and XING are known to use ("X just messaged you", "X sent you a message", "Neue Nachricht von X").
 * Each is signed with DKIM as the platform's domain signs its mail, with the test world's key
 * (test/support/dkim.ts), so Winnow's own check passes it; `dkim: 'fail'` signs it with a key the
 * domain does not publish, as a forger would, so the signature fails; `dkim: 'none'` leaves it unsigned.
 */

/** `none`: unsigned, as an outsider writing in the platform's name sends it. */
export type DkimResult = 'pass' | 'fail' | 'none';

function signedAs(domain: string, dkim: DkimResult = 'pass'): (raw: Buffer) => Promise<Buffer> {
  return async (raw) => (dkim === 'none' ? raw : signMail(raw, { domain, forged: dkim === 'fail' }));
}

/** Constructed: a 2016-format LinkedIn invitation (no address of the person), signed by linkedin.com. */
export function linkedInInvitation(name: string, to: MailAddress, invitationId: string): Promise<Buffer> {
  return invitation(name, to, invitationId);
}

/**
 * Constructed: LinkedIn's notice of a message. With `profileOf`, it links the sender's profile
 * as their invitation with that id did; without, only their name says who wrote.
 */
export function linkedInMessage(name: string, to: MailAddress, message: string, options: { profileOf?: string; dkim?: DkimResult; id?: string } = {}): Promise<Buffer> {
  return buildMail({
    from: { name, address: 'messages-noreply@linkedin.com' },
    to,
    subject: `${name} just messaged you`,
    messageId: `<${options.id ?? Math.random().toString(36).slice(2)}.message@lva1-app4444.prod.linkedin.com>`,
    headers: { 'X-LinkedIn-Class': 'EMAIL-DEFAULT' },
    text: [
      'Hi Morgan,',
      '',
      `${name} just messaged you.`,
      '',
      name,
      'Managing Director at Example Ventures',
      '',
      message,
      '',
      'View message: https://www.linkedin.com/comm/messaging/thread/2-MDY1ZTJhYjQtNTk3Zi00/?trk=eml-email_notification_single_mentioned_you_in_this_01-view_message',
      ...(options.profileOf ? ['', `View profile: https://www.linkedin.com/comm/profile/view?id=AAsAAAJUVTYB${options.profileOf}&authType=name&authToken=eAsV`] : []),
      '',
      'You are receiving Messaging notification emails.',
      '',
      '© 2016 LinkedIn Corporation, 2029 Stierlin Court, Mountain View CA 94043.',
    ].join('\n'),
  }).then(signedAs('linkedin.com', options.dkim));
}

/** Constructed: a Facebook friend request (X-Facebook-Notify: friend; from=<id>), authenticated. */
export function facebookFriendRequest(name: string, to: MailAddress, memberId: string): Promise<Buffer> {
  return buildMail({
    from: { name: 'Facebook', address: 'notification+zj4za@facebookmail.com' },
    replyTo: 'noreply@facebookmail.com',
    to,
    subject: `${name} wants to be friends on Facebook`,
    headers: { 'X-Facebook-Notify': `friend; from=${memberId}; mailid=5a9c3e1G2b4f` },
    text: `${name} wants to be friends with you on Facebook.\n\n3 mutual friends\n\nConfirm request: https://www.facebook.com/n/?reqs.php&profile_id=${memberId}\n`,
  }).then(signedAs('facebookmail.com'));
}

/** Constructed: Facebook's notice of a Messenger message from member `memberId`. */
export function facebookMessage(name: string, to: MailAddress, memberId: string, message: string): Promise<Buffer> {
  return buildMail({
    from: { name: 'Facebook', address: 'notification+zj4za@facebookmail.com' },
    to,
    subject: `${name} sent you a message`,
    headers: { 'X-Facebook-Notify': `msg; from=${memberId}; mailid=7b1d2e3G4c5a` },
    text: `${name}\n\n${message}\n\nView conversation on Facebook: https://www.facebook.com/messages/t/${memberId}\n\nThis message was sent to morgan@example.test.\n`,
  }).then(signedAs('facebookmail.com'));
}

/** Constructed: a LinkedIn InMail, shaped like the real one in the corpus, with its reply.linkedin.com relay. */
export function linkedInInMail(name: string, to: MailAddress, message: string, relay: string, options: { dkim?: DkimResult } = {}): Promise<Buffer> {
  return buildMail({
    from: { name, address: 'inmail-hit-reply@linkedin.com' },
    replyTo: { name, address: relay },
    to,
    subject: 'A question about your network',
    headers: { 'X-LinkedIn-Class': 'INMAIL', 'X-LinkedIn-Template': 'email_inmail_single_01' },
    text: [`      ${name}`, '        Reply', '        https://www.linkedin.com/messaging/thread/2-NzA1/', '', 'Hi Morgan,', '', message, '', '----------------------------------------', '', 'This email was intended for Morgan Example', 'You are receiving LinkedIn notification emails.'].join('\n'),
  }).then(signedAs('linkedin.com', options.dkim));
}
