import type { Message } from '../mail/message.ts';
import { readDeliveryReport } from './bounce.ts';
import { claimedPlatform } from './platform.ts';
import { findSuppression } from './suppression.ts';
import { repliedOurMessageId } from './thread.ts';
import type { Classification, ClassifyContext } from './types.ts';

/**
 * Whether a message needs its body read, judged from its header block alone (a Message parsed
 * from the headers, with no text). The watcher asks this of every new message before it fetches
 * a source, so a backlog of newsletters and notifications costs a header each.
 *
 * Conservative by construction: a body is skipped only where classify() would end on a
 * "suppressed" verdict that no body can change and that the inbound worker acts on in no way.
 * Everything the worker could act on keeps its body:
 * - mail from an address a person here has (an answer needs no threading when authenticated, an
 *   out-of-office pauses a deadline, whatever list or robot headers it carries);
 * - replies to a script of ours (In-Reply-To, References);
 * - anything with a delivery report's signs (the returned Message-ID is in the body);
 * - mail claiming to be a platform's (requests and message notices carry list headers);
 * - anything no header rule holds back: a personal request is read from its body.
 */
export type BodyNeed = { needed: true; why: string } | { needed: false; reason: string };

export function bodyNeed(headers: Message, context: ClassifyContext, fromKnownPerson: boolean): BodyNeed {
  if (fromKnownPerson) return { needed: true, why: 'from the address of a person here' };
  if (repliedOurMessageId(headers, context)) return { needed: true, why: 'replies to a script of ours' };
  if (readDeliveryReport(headers, context)) return { needed: true, why: 'looks like a delivery report' };
  const platform = claimedPlatform(headers);
  if (platform) return { needed: true, why: `${platform} mail` };
  // Recipients too: a request must be addressed to the user (RFC 5230 §4.5), as classify() asks.
  const suppression = findSuppression(headers, context, { explicitRecipient: true });
  if (!suppression) return { needed: true, why: 'may be a person writing' };
  return { needed: false, reason: suppression.reason };
}

/**
 * Whether the inbound worker would act on a message read in full and classified with no
 * authentication checked (the watcher's second look at a backlog, src/workers/intake.ts). Whether a
 * sender is authenticated changes a request's flags, never a verdict (classify() is asked with
 * unverified mail accepted), so this needs no DKIM check. The worker does nothing with mail that
 * is ignored, unless it is a platform's notice of a message (whose answer it may be) or comes from
 * the address of a person here and no robot wrote it (their answer needs no threading when
 * authenticated). Everything else gets its job, and there its full check.
 */
export function worthAJob(classification: Classification, fromKnownPerson: boolean): boolean {
  if (classification.verdict !== 'ignored') return true;
  if (classification.platformMessage) return true;
  return fromKnownPerson && !classification.suppressed;
}
