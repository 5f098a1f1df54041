import { buildMail, type MailAddress } from './mail.ts';

/**
 * Constructed (not real samples): what an outsider floods a user with to grow Winnow's storage.
 * Shared by the flood test and `npm run bench:flood`.
 */

/** A subject of about `bytes` characters, of words (folded like a real long header). */
export function longSubject(bytes: number, serial: number): string {
  const word = `flood${serial} `;
  return `Let us connect ${word.repeat(Math.ceil(bytes / word.length))}`.slice(0, bytes);
}

/**
 * A forged LinkedIn invitation in the 2016 format, from an invented person with an invitation id of
 * its own and a subject the outsider chose. It carries no address of the person: Winnow records
 * them as waiting for an address and writes to no one.
 */
export function forgedInvitation(serial: number, to: MailAddress, subjectBytes: number): Promise<Buffer> {
  const name = `Flood Person${serial}`;
  const invitationId = `66${String(serial).padStart(8, '0')}`;
  return buildMail({
    from: { name, address: 'invitations@linkedin.com' },
    to,
    subject: longSubject(subjectBytes, serial),
    messageId: `<flood-${serial}.${invitationId}@forged.example>`,
    headers: { 'X-LinkedIn-Class': 'INVITE-SINGLE', 'X-LinkedIn-Template': 'email_m2m_invite_single_01' },
    text: [
      "I'd like to join your LinkedIn network.",
      '',
      name,
      'Managing Director at Example Ventures',
      '',
      `View profile: https://www.linkedin.com/comm/profile/view?id=AAsAAAJUVTYB${invitationId}`,
      '',
      `Accept: https://www.linkedin.com/comm/people/invite-accept?mboxid=I${invitationId}_500&invitationId=${invitationId}&fe=true`,
    ].join('\n'),
  });
}

/**
 * A personal "I'd like to connect" mail with a forged From: the sender names a third party (a
 * victim) as the one asking. Who gets a script for it is the authentication rules' to decide.
 */
export function spoofedPersonalRequest(serial: number, to: MailAddress, subjectBytes: number): Promise<Buffer> {
  return buildMail({
    from: { name: `Victim Number${serial}`, address: `victim${serial}@victims.example` },
    to,
    subject: longSubject(subjectBytes, serial),
    messageId: `<spoof-${serial}@victims.example>`,
    text: "Hi Morgan,\n\nI'd like to connect. I run a small bakery and saw your talk.\n\nBest,\nVictim",
  });
}

/** The genuine request in the middle of a flood: a real person asking, from their own address. */
export function genuineRequest(from: { name: string; address: string }, to: MailAddress, messageId: string): Promise<Buffer> {
  return buildMail({
    from,
    to,
    subject: "I'd like to connect",
    messageId,
    text: `Hi Morgan,\n\nI'd like to connect. I run a small design studio in Lisbon and we met at the conference.\n\nBest,\n${from.name}`,
  });
}
