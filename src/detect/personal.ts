import type { Message } from '../mail/message.ts';
import { refusalFor } from './address.ts';
import { senderAuthentication } from './authentication.ts';
import { bodyText, cleanLine, extractUrls, firstNameOf, isReplyOrForwardSubject, parseUrl, straightenQuotes, stripQuoted } from './text.ts';
import { UNKNOWN_DETAILS, type ClassifyContext, type Requester } from './types.ts';

/**
 * Plain emails in English asking to connect. Only called for mail that passed suppression.
 * Deliberately narrow: a stranger's script arriving at a friend's "let's connect next week" is
 * worse than a missed request, so phrases must stand on their own ("I'd like to connect.",
 * "connect with you on LinkedIn"), and replies inside an existing conversation never count.
 */
export type PersonalReading =
  | { kind: 'request'; requester: Requester; replyTo: string | null; reason: string }
  | { kind: 'not-request'; reason: string };

// What may follow "connect" for the phrase to be about connecting with the reader, not
// "connect you with Bob" (an introduction) or "connect the printer".
const TAIL = String.raw`(?=\s*(?:with you\s*)?(?:(?:on|via|through|here on) (?:linkedin|facebook|twitter|xing|x|instagram|email|e-mail)\b|professionally\b|and\b|sometime\b|soon\b|[.!?,;:)\-–—]|$))`;

const BODY_PATTERNS: RegExp[] = [
  new RegExp(String.raw`\b(?:i'?d|i would|we'?d|we would|would)\s+(?:really\s+|very much\s+|also\s+|so\s+)?(?:like|love)\s+to\s+connect\b${TAIL}`, 'i'),
  new RegExp(String.raw`\blet'?s\s+connect\b${TAIL}`, 'i'),
  /\badd you to my (?:professional )?network\b/i,
  /\bconnect with you (?:on|via) (?:linkedin|facebook|twitter|xing|x)\b/i,
  new RegExp(String.raw`\b(?:keen|hoping|eager|happy|glad|want|wanted|wish)\s+to\s+connect\b${TAIL}`, 'i'),
  new RegExp(String.raw`\b(?:open to|interested in)\s+connecting\b${TAIL}`, 'i'),
];

const SUBJECT_PATTERNS: RegExp[] = [
  ...BODY_PATTERNS,
  /\b(?:request|invitation|invite)\s+to\s+connect\b/i,
  /\bconnection\s+request\b/i,
  /^\s*(?:can|could|shall|should|may)\s+we\s+connect\s*(?:[?!.]+\s*)?$/i,
  /^\s*let'?s\s+connect\b/i,
];

/** Longest stretch of body searched for a phrase; requests say it early. */
const BODY_SEARCH_CHARS = 20_000;

function firstMatch(patterns: RegExp[], text: string): string | null {
  for (const pattern of patterns) {
    const found = pattern.exec(text);
    if (found) return found[0];
  }
  return null;
}

/** A LinkedIn profile named in the mail ("my profile: linkedin.com/in/jane"), without tracking. */
function profileUrlIn(text: string): string | null {
  for (const raw of extractUrls(text)) {
    const url = parseUrl(raw);
    if (!url) continue;
    const host = url.hostname.toLowerCase();
    if (host !== 'linkedin.com' && !host.endsWith('.linkedin.com')) continue;
    const slug = /^\/in\/([^/?#]{1,100})\/?$/.exec(url.pathname)?.[1];
    if (slug && /^[\p{L}\p{N}%_-]+$/u.test(slug)) return `https://www.linkedin.com/in/${slug}`;
  }
  return null;
}

export function readPersonalRequest(message: Message, context: ClassifyContext): PersonalReading | null {
  const subject = straightenQuotes(message.subject).replace(/\s+/g, ' ');
  const reply = isReplyOrForwardSubject(subject) || message.inReplyTo.length > 0 || message.references.length > 0;
  const newText = stripQuoted(bodyText(message)).slice(0, BODY_SEARCH_CHARS);
  const body = straightenQuotes(newText).replace(/\s+/g, ' ');
  const subjectHit = firstMatch(SUBJECT_PATTERNS, subject);
  const bodyHit = subjectHit === null ? firstMatch(BODY_PATTERNS, body) : null;
  if (subjectHit === null && bodyHit === null) return null;
  if (reply) return { kind: 'not-request', reason: 'reads like a request to connect, but replies in an existing conversation' };

  const from = message.from;
  if (!from || from.address === '') return { kind: 'not-request', reason: 'request to connect without a sender address' };

  let reason = subjectHit !== null
    ? `personal request to connect: subject matches "${cleanLine(subjectHit, 60)}"`
    : `personal request to connect: body matches "${cleanLine(bodyHit ?? '', 60)}"`;

  // RFC 5322: replies go to Reply-To when present, but never to a robot, a list or a platform relay.
  let replyTo: string | null = null;
  let replyName = from.name;
  const refusals: string[] = [];
  for (const candidate of [...message.replyTo, from]) {
    if (candidate.address === '') continue;
    const refusal = refusalFor(candidate.address, context);
    if (refusal === null) {
      replyTo = candidate.address;
      replyName = candidate.name;
      break;
    }
    refusals.push(refusal);
  }
  if (replyTo === null) reason += `; no reply address: ${refusals[0] ?? 'none given'}`;
  else if (senderAuthentication(message) === 'fail') {
    replyTo = null;
    reason += '; no reply address: sender authentication failed';
  }

  const name = cleanLine(from.name !== '' ? from.name : replyName, 120);
  return {
    kind: 'request',
    requester: {
      name,
      firstName: firstNameOf(name),
      email: replyTo,
      profileUrl: profileUrlIn(newText),
      headline: null,
      invitationId: null,
      ...UNKNOWN_DETAILS,
    },
    replyTo,
    reason,
  };
}
