import type { Message } from '../mail/message.ts';
import { mayWriteTo } from './address.ts';
import { readAutoReply } from './auto-reply.ts';
import { readDeliveryReport } from './bounce.ts';
import { readLinkedIn } from './linkedin.ts';
import { readPersonalRequest } from './personal.ts';
import { findSuppression, fromOwnAddress } from './suppression.ts';
import { repliedOurMessageId } from './thread.ts';
import type { Classification, ClassifyContext, Platform, Requester, Verdict } from './types.ts';

/**
 * Decides what one message is. Order matters: robots first (bounces, auto-replies), then the
 * user's own mail, then answers to our scripts, then platform invitations (which carry list
 * headers and so come before suppression), then suppression, then personal requests.
 * Reasons of mail that no person wrote start with "suppressed: ".
 */
export function classify(message: Message, context: ClassifyContext): Classification {
  const report = readDeliveryReport(message, context);
  if (report?.kind === 'bounce') {
    return outcome('bounce', report.reason, { answersMessageId: report.answersMessageId, bouncedRecipient: report.bouncedRecipient });
  }
  if (report?.kind === 'notice') return ignored(`suppressed: ${report.reason}`);

  const autoReply = readAutoReply(message, context);
  if (autoReply) return outcome('auto_reply', autoReply.reason, { answersMessageId: autoReply.answersMessageId });

  // Before answers: the user writing in a thread of ours is not the person answering.
  if (fromOwnAddress(message, context)) return ignored('suppressed: from your own address');

  const answered = repliedOurMessageId(message, context);
  if (answered) {
    // A ticket system's acknowledgement threads under our script too; robots do not answer.
    const robot = findSuppression(message, context);
    if (robot && robot.rule !== 'auto-response-suppress') {
      return outcome('auto_reply', `auto-reply: automatic mail about our script (${robot.reason})`, { answersMessageId: answered });
    }
    return outcome('answer', 'answer: replies to our script', { answersMessageId: answered });
  }

  const linkedIn = readLinkedIn(message, context);
  if (linkedIn?.kind === 'invitation') return request('linkedin', linkedIn.requester, linkedIn.replyTo, linkedIn.reason, context);
  if (linkedIn?.kind === 'not-invitation') return ignored(linkedIn.reason);

  const suppression = findSuppression(message, context);
  if (suppression) return ignored(suppression.reason);

  const personal = readPersonalRequest(message, context);
  if (personal?.kind === 'request') return request('email', personal.requester, personal.replyTo, personal.reason, context);
  if (personal?.kind === 'not-request') return ignored(personal.reason);

  return ignored('no request to connect found');
}

function outcome(
  verdict: Exclude<Verdict, 'connection_request'>,
  reason: string,
  refs: { answersMessageId?: string | null; bouncedRecipient?: string | null } = {},
): Classification {
  return {
    verdict,
    platform: null,
    requester: null,
    replyTo: null,
    reason,
    answersMessageId: refs.answersMessageId ?? null,
    bouncedRecipient: refs.bouncedRecipient ?? null,
    bounce: null,
    returnsAt: null,
    flags: [],
    language: null,
    explanation: [],
  };
}

function ignored(reason: string): Classification {
  return outcome('ignored', reason);
}

function request(platform: Platform, requester: Requester, replyTo: string | null, reason: string, context: ClassifyContext): Classification {
  // The last word on where a script may go, whatever a detector concluded.
  const address = replyTo !== null && mayWriteTo(replyTo, context) ? replyTo : null;
  return {
    verdict: 'connection_request',
    platform,
    requester: { ...requester, email: address },
    replyTo: address,
    reason,
    answersMessageId: null,
    bouncedRecipient: null,
    bounce: null,
    returnsAt: null,
    flags: [],
    language: null,
    explanation: [],
  };
}
