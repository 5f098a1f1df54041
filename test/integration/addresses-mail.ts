import { buildMail, type MailAddress } from '../support/mail.ts';

/** Constructed mail for the address and inbound-settings tests; none of it is a real sample. */

/** Constructed: a LinkedIn invitation in the 2016 format, which carries no address of the person (From is invitations@linkedin.com). */
export function linkedInInvitation(name: string, to: MailAddress, invitationId: string): Promise<Buffer> {
  const first = name.split(' ')[0];
  return buildMail({
    from: { name, address: 'invitations@linkedin.com' },
    to,
    subject: 'Morgan, please add me to your LinkedIn network',
    messageId: `<${invitationId}.JavaMail.app@lva1-app3333.prod.linkedin.com>`,
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
}

/** Constructed: a personal email asking to connect. */
export function personalRequest(from: { name: string; address: string }, to: MailAddress, messageId: string): Promise<Buffer> {
  return buildMail({
    from,
    to,
    subject: "I'd like to connect",
    messageId,
    text: `Hi Morgan,\n\nI'd like to connect. I run a small design studio in Lisbon.\n\nBest,\n${from.name}`,
  });
}

/** Constructed: an ordinary mail, neither request nor answer. */
export function ordinaryMail(from: MailAddress, to: MailAddress, subject: string): Promise<Buffer> {
  return buildMail({ from, to, subject, text: 'Here are the slides from Tuesday, as promised.' });
}

