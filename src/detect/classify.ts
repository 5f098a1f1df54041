import type { ReadingConfig } from '../config/env.ts';
import { messageIdDomain } from '../mail/message-id.ts';
import type { Message } from '../mail/message.ts';
import { mayWriteTo, refusalFor } from './address.ts';
import { readAutoReply } from './auto-reply.ts';
import { readDeliveryReport } from './bounce.ts';
import { readPersonalRequest } from './personal.ts';
import { imitation, readPlatformMail } from './platform.ts';
import { findSuppression, fromOwnAddress } from './suppression.ts';
import { repliedOurMessageId } from './thread.ts';
import { senderAuthentication } from './authentication.ts';
import type { Classification, ClassifyContext, Explanation, RequestAuthentication, Verdict } from './types.ts';
import type { Flag, Language, Requester } from '../vocabulary/contact.ts';
import type { Platform } from '../vocabulary/platforms.ts';

/**
 * Decides what one message is. Order matters: robots first (bounces, auto-replies), then the
 * user's own mail, then answers to our scripts, then mail imitating a platform, then platform
 * mail (which carries list headers and so comes before suppression), then suppression, then
 * personal requests. Mail that no person wrote is `suppressed` (its reason starts "suppressed: ").
 * Never throws: whatever goes wrong leaves the mail ignored with the reason.
 */
export function classify(message: Message, context: ClassifyContext): Classification {
  try {
    const decided = decide(message, context);
    // Requests say for themselves whom they authenticate; any other mail is judged by its From.
    if (decided.verdict === 'connection_request') return decided;
    const sender = senderAuthentication(message, context);
    return { ...decided, authentication: { verified: sender.outcome === 'pass', detail: sender.detail } };
  } catch (error) {
    return ignored(`could not be classified: ${error instanceof Error ? error.message : String(error)}`, [{ rule: 'error', detail: String(error) }]);
  }
}

/** Fewer connections than this is a sign of a new or inactive account. */
const FEW_CONNECTIONS = 100;
/** "LION" (LinkedIn Open Networker) and kin: people who accept everyone, to grow a list. */
const OPEN_NETWORKER = [/\bL\.?I\.?O\.?N\.?\b/, /\bopen[- ]network(?:er|ing)\b/i, /\btop ?linked\b/i, /\boffene[rn]? netzwerker\b/i, /\bopen netwerker\b/i];

function decide(message: Message, context: ClassifyContext): Classification {
  const report = readDeliveryReport(message, context);
  if (report?.kind === 'bounce') {
    return outcome('bounce', report.reason, {
      answersMessageId: report.answersMessageId,
      bouncedRecipient: report.bouncedRecipient,
      bounce: { status: report.status, permanent: report.permanent, diagnostic: report.diagnostic },
      explanation: explanationOf(report.explanation, { rule: 'bounce', detail: report.reason }),
    });
  }
  if (report?.kind === 'notice') return suppressed(`suppressed: ${report.reason}`, explanationOf(report.explanation, { rule: 'delivery-notice', detail: report.reason }));

  const autoReply = readAutoReply(message, context);
  if (autoReply) {
    return outcome('auto_reply', autoReply.reason, {
      answersMessageId: autoReply.answersMessageId,
      outOfOffice: autoReply.outOfOffice,
      returnsAt: autoReply.returnsAt,
      language: autoReply.language,
      explanation: explanationOf(autoReply.explanation, { rule: 'auto-reply', detail: autoReply.reason }),
    });
  }

  // Before answers: the user writing in a thread of ours is not the person answering.
  if (fromOwnAddress(message, context)) return suppressed('suppressed: from your own address', [{ rule: 'suppression.own-address', detail: message.from?.address ?? '' }]);

  const answered = repliedOurMessageId(message, context);
  if (answered) {
    const explanation: Explanation[] = [{ rule: 'answer.thread', detail: `In-Reply-To or References names our script ${answered}` }];
    // A ticket system's acknowledgement threads under our script too; robots do not answer.
    const robot = findSuppression(message, context);
    // A person's reply can carry X-Auto-Response-Suppress (Outlook sets it) or a spam filter's
    // flag; neither makes it automatic.
    if (robot && !PERSON_MAY_CARRY.has(robot.rule)) {
      explanation.push({ rule: `suppression.${robot.rule}`, detail: robot.reason });
      return outcome('auto_reply', `auto-reply: automatic mail about our script (${robot.reason})`, { answersMessageId: answered, explanation });
    }
    return outcome('answer', 'answer: replies to our script', { answersMessageId: answered, explanation });
  }

  const imitated = imitation(message);
  if (imitated) {
    const detail = `${imitated.field} ${imitated.address} imitates ${imitated.domain}`;
    return suppressed(`suppressed: ${detail}: a look-alike domain, not ${imitated.domain}`, [{ rule: 'look-alike', detail }]);
  }

  const platform = readPlatformMail(message, context);
  if (platform?.kind === 'request') {
    return request(platform.platform, platform.requester, platform.replyTo, platform.reason, context, {
      language: platform.language,
      authentication: platform.authentication,
      explanation: platform.explanation,
    });
  }
  if (platform?.kind === 'not-request') return suppressed(platform.reason, platform.explanation);
  // A platform's notice of a message: never a request; the inbound worker decides whose answer it is.
  if (platform?.kind === 'message') return { ...suppressed(platform.reason, platform.explanation), platformMessage: platform.message };

  // RFC 5230 §4.5 too: a request must be addressed to the user, not reach them through a list or a Bcc.
  const suppression = findSuppression(message, context, { explicitRecipient: true });
  if (suppression) return suppressed(suppression.reason, [{ rule: `suppression.${suppression.rule}`, detail: suppression.reason }]);

  const personal = readPersonalRequest(message, context);
  if (personal?.kind === 'request') {
    return request('email', personal.requester, personal.replyTo, personal.reason, context, {
      language: personal.language,
      authentication: { verified: personal.authentication.outcome === 'pass', detail: personal.authentication.detail },
      explanation: personal.explanation,
    });
  }
  if (personal?.kind === 'not-request') return ignored(personal.reason, personal.explanation);

  return ignored('no request to connect found', [{ rule: 'no-rule', detail: 'no platform, no personal request phrase' }]);
}

/** Suppression rules that a person's own reply may also trip. */
const PERSON_MAY_CARRY = new Set(['auto-response-suppress', 'spam-flag']);

/** The rules a reader gave for its verdict, or one line saying which reader decided. */
function explanationOf(given: Explanation[], fallback: Explanation): Explanation[] {
  return given.length > 0 ? given : [fallback];
}

interface Extras {
  answersMessageId?: string | null;
  bouncedRecipient?: string | null;
  bounce?: Classification['bounce'];
  outOfOffice?: boolean;
  returnsAt?: number | null;
  language?: Language | null;
  explanation?: Explanation[];
}

function outcome(verdict: Exclude<Verdict, 'connection_request'>, reason: string, extras: Extras = {}): Classification {
  return {
    verdict,
    platform: null,
    requester: null,
    replyTo: null,
    reason,
    suppressed: false,
    answersMessageId: extras.answersMessageId ?? null,
    bouncedRecipient: extras.bouncedRecipient ?? null,
    bounce: extras.bounce ?? null,
    outOfOffice: extras.outOfOffice ?? false,
    returnsAt: extras.returnsAt ?? null,
    flags: [],
    language: extras.language ?? null,
    explanation: extras.explanation ?? [],
    authentication: { verified: false, detail: 'not checked' },
  };
}

function ignored(reason: string, explanation: Explanation[] = []): Classification {
  return outcome('ignored', reason, { explanation });
}

/** Ignored, and written by no person: never a person's answer, whoever it seems to come from. */
function suppressed(reason: string, explanation: Explanation[] = []): Classification {
  return { ...ignored(reason, explanation), suppressed: true };
}

/** Signs shown beside the person, from what the request itself tells. */
function requestFlags(requester: Requester, authentication: RequestAuthentication, explanation: Explanation[]): Flag[] {
  const flags: Flag[] = [];
  if (requester.connectionCount !== null && requester.connectionCount < FEW_CONNECTIONS) {
    flags.push('few_connections');
    explanation.push({ rule: 'flag.few_connections', detail: `${requester.connectionCount} connections (under ${FEW_CONNECTIONS})` });
  }
  if (requester.hasPhoto === false) {
    flags.push('no_photo');
    explanation.push({ rule: 'flag.no_photo', detail: 'the notification shows the placeholder image' });
  }
  for (const [field, value] of [
    ['name', requester.name],
    ['headline', requester.headline],
    ['note', requester.note],
  ] as Array<[string, string | null]>) {
    const found = value === null ? undefined : OPEN_NETWORKER.map((pattern) => pattern.exec(value)).find((match) => match !== null);
    if (found) {
      flags.push('open_networker');
      explanation.push({ rule: 'flag.open_networker', detail: `${field} says "${found[0]}"` });
      break;
    }
  }
  if (!authentication.verified) {
    flags.push('unverified');
    explanation.push({ rule: 'flag.unverified', detail: authentication.detail });
  }
  return flags;
}

function request(
  platform: Platform,
  requester: Requester,
  replyTo: string | null,
  reason: string,
  context: ClassifyContext,
  details: { language: Language | null; authentication: RequestAuthentication; explanation: Explanation[] },
): Classification {
  const explanation = [...details.explanation];
  // The last word on where a script may go, whatever a detector concluded.
  let address = replyTo;
  if (address !== null && !mayWriteTo(address, context)) {
    explanation.push({ rule: 'address.refused', detail: `${address}: ${refusalFor(address, context) ?? ''}` });
    address = null;
  }
  const flags = requestFlags(requester, details.authentication, explanation);
  return {
    verdict: 'connection_request',
    platform,
    requester: { ...requester, email: address },
    replyTo: address,
    reason,
    suppressed: false,
    answersMessageId: null,
    bouncedRecipient: null,
    bounce: null,
    outOfOffice: false,
    returnsAt: null,
    flags,
    language: details.language,
    explanation,
    authentication: details.authentication,
  };
}

/** What the classifier knows of this user: their own addresses, our Message-ID domain, whom to believe. */
export function classifyContextOf(reading: ReadingConfig): ClassifyContext {
  return {
    ownAddresses: [...new Set([reading.mailFrom, reading.imapUser?.toLowerCase()])].filter((address): address is string => address?.includes('@') === true),
    messageIdDomain: reading.mailFrom ? messageIdDomain(reading.mailFrom) : 'winnow.invalid',
    authservId: reading.authservId,
    unverifiedMail: reading.unverifiedMail,
  };
}
