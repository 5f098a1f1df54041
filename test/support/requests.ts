import { signMail } from './dkim.ts';
import { buildMail, type MailAddress } from './mail.ts';

/**
 * Constructed (not a real sample): a LinkedIn invitation in the 2011–2013 format, whose From is
 * the inviter's own mailbox, so the script can go to the person. LinkedIn sent these with its
 * own Sender and DKIM signature (made here with the test world's key for linkedin.com), which is
 * what vouches for the From; `forged: true` gives the same mail as an outsider would send it,
 * unsigned. Used by integration tests, the demo and the benchmarks.
 */
export async function oldLinkedInInvitation(from: { name: string; address: string }, to: MailAddress, messageId: string, options: { forged?: boolean } = {}): Promise<Buffer> {
  const raw = await buildMail({
    from,
    to,
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
      'Founder at Example Ventures',
      '',
      `Accept invitation from ${from.name}`,
      'http://www.linkedin.com/e/-abc123/blk/I123456789_2/accept/',
      '',
      '© 2012, LinkedIn Corporation',
    ].join('\n'),
  });
  return options.forged ? raw : signMail(raw, { domain: 'linkedin.com' });
}
