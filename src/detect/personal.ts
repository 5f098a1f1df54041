import type { Message } from '../mail/message.ts';
import { domainOf, refusalFor } from './address.ts';
import { aligned, senderAuthentication, type SenderAuthentication } from './authentication.ts';
import { PERSONAL } from './platforms/email.ts';
import { fold } from './phrases/index.ts';
import { cleanLine } from '../text/line.ts';
import { firstNameOf } from '../text/names.ts';
import { isReplyOrForwardSubject } from '../text/subject.ts';
import { bodyText, extractUrls, parseUrl, straightenQuotes, stripQuoted } from './text.ts';
import { LANGUAGES, UNKNOWN_DETAILS, type Language, type Requester } from '../vocabulary/contact.ts';
import type { ClassifyContext, Explanation } from './types.ts';

/**
 * Personal emails asking to connect or to meet, in every language of platforms/email.ts. Only
 * called for mail that passed suppression and belongs to no platform. Deliberately narrow (see
 * platforms/email.ts); replies inside an existing conversation never count.
 */
export type PersonalReading =
  | { kind: 'request'; requester: Requester; replyTo: string | null; reason: string; language: Language; authentication: SenderAuthentication; explanation: Explanation[] }
  | { kind: 'not-request'; reason: string; explanation: Explanation[] };

/** Longest stretch of body searched for a phrase; requests say it early. */
const BODY_SEARCH_CHARS = 20_000;
/** Longest personal note kept with the person. */
const MAX_NOTE_CHARS = 1000;

interface PhraseHit {
  language: Language;
  where: 'subject' | 'body';
  text: string;
}

/** Text as fold sees it before folding: same spacing, so a match's position is the same. */
function spaced(text: string): string {
  return straightenQuotes(text).replace(/\s+/g, ' ').trim();
}

/** The matched words as the sender wrote them, when folding kept every position; else folded. */
function asWritten(original: string, folded: string, found: RegExpExecArray): string {
  const plain = spaced(original);
  return plain.length === folded.length ? plain.slice(found.index, found.index + found[0].length) : found[0];
}

function findPhrase(subject: string, body: string): PhraseHit | null {
  const folded = { subject: fold(subject), body: fold(body) };
  for (const language of LANGUAGES) {
    const phrases = PERSONAL[language];
    for (const pattern of [...phrases.body, ...phrases.subject]) {
      const found = pattern.exec(folded.subject);
      if (found) return { language, where: 'subject', text: asWritten(subject, folded.subject, found) };
    }
  }
  for (const language of LANGUAGES) {
    for (const pattern of PERSONAL[language].body) {
      const found = pattern.exec(folded.body);
      if (found) return { language, where: 'body', text: asWritten(body, folded.body, found) };
    }
  }
  return null;
}

/** A LinkedIn or XING profile named in the mail ("my profile: linkedin.com/in/jane"), without tracking. */
function profileUrlIn(text: string): string | null {
  for (const raw of extractUrls(text)) {
    const url = parseUrl(raw);
    if (!url) continue;
    const host = url.hostname.toLowerCase();
    if (host === 'linkedin.com' || host.endsWith('.linkedin.com')) {
      const slug = /^\/in\/([^/?#]{1,100})\/?$/.exec(url.pathname)?.[1];
      if (slug && /^[\p{L}\p{N}%_-]+$/u.test(slug)) return `https://www.linkedin.com/in/${slug}`;
    }
    if (host === 'xing.com' || host.endsWith('.xing.com')) {
      const slug = /^\/profile\/([A-Za-z0-9_-]{2,100})\/?$/.exec(url.pathname)?.[1];
      if (slug) return `https://www.xing.com/profile/${slug}`;
    }
  }
  return null;
}

export interface PersonalAddress {
  /** Where a script may go, or null. */
  address: string | null;
  /** The display name that came with it. */
  name: string;
  /** Why there is none, when there is none. */
  refusal: string | null;
  /** Whether the From domain is authenticated, and the words for it. */
  authentication: SenderAuthentication;
  explanation: Explanation[];
}

/**
 * The address of a person who wrote themselves (or whose platform wrote from their mailbox):
 * RFC 5322 says replies go to Reply-To, but a Reply-To other than the From is used only when the
 * From's domain is authenticated (else anyone could make Winnow write to a third party). The From
 * itself is kept whatever the authentication says: whether a script goes there on its own or
 * waits for the user's approval is decided from `authentication` (contacts/resolve.ts).
 */
export function personalAddress(message: Message, context: ClassifyContext): PersonalAddress {
  const from = message.from;
  const explanation: Explanation[] = [];
  const authentication = senderAuthentication(message, context);
  explanation.push({ rule: 'address.authentication', detail: authentication.detail });
  const fromAddress = from?.address ?? '';
  const others = message.replyTo.filter((entry) => entry.address !== '' && entry.address !== fromAddress);
  const verified = authentication.outcome === 'pass';
  const candidates = verified ? [...others, ...(from ? [from] : [])] : from ? [from] : [];
  if (!verified && others.length > 0) {
    explanation.push({ rule: 'address.reply-to', detail: `Reply-To ${others[0]?.address ?? ''} not used: the From domain is not authenticated` });
  }
  const refusals: string[] = [];
  for (const candidate of candidates) {
    if (candidate.address === '') continue;
    const refusal = refusalFor(candidate.address, context);
    if (refusal === null) {
      const field = candidate === from ? 'From' : 'Reply-To';
      explanation.push({ rule: `address.${field.toLowerCase()}`, detail: `the script would go to the ${field} address ${candidate.address}` });
      // Authentication proves the From domain, not a Reply-To: anyone with a signing mailbox could
      // otherwise name a third party there. One in another domain waits for the user's approval.
      if (candidate !== from && !aligned(candidate.address, domainOf(fromAddress))) {
        const unproven: SenderAuthentication = {
          outcome: 'none',
          detail: `the From domain passed (${authentication.detail}), but the Reply-To ${candidate.address} is in another domain, which nothing authenticates`,
        };
        explanation.push({ rule: 'address.reply-to-domain', detail: unproven.detail });
        return { address: candidate.address, name: candidate.name, refusal: null, authentication: unproven, explanation };
      }
      return { address: candidate.address, name: candidate.name, refusal: null, authentication, explanation };
    }
    refusals.push(refusal);
    explanation.push({ rule: 'address.refused', detail: `${candidate.address}: ${refusal}` });
  }
  return { address: null, name: from?.name ?? '', refusal: refusals[0] ?? 'none given', authentication, explanation };
}

export function readPersonalRequest(message: Message, context: ClassifyContext): PersonalReading | null {
  const reply = isReplyOrForwardSubject(message.subject) || message.inReplyTo.length > 0 || message.references.length > 0;
  const newText = stripQuoted(bodyText(message)).slice(0, BODY_SEARCH_CHARS);
  const hit = findPhrase(message.subject, newText);
  if (hit === null) return null;
  const phrase = `${hit.where} matches "${cleanLine(hit.text, 60)}" (${hit.language})`;
  const explanation: Explanation[] = [{ rule: `email.${hit.where}-phrase`, detail: phrase }];
  if (reply) {
    explanation.push({ rule: 'email.reply', detail: 'Re:/Fwd: subject, In-Reply-To or References: part of an existing conversation' });
    return { kind: 'not-request', reason: 'reads like a request to connect, but replies in an existing conversation', explanation };
  }

  const from = message.from;
  if (!from || from.address === '') return { kind: 'not-request', reason: 'request to connect without a sender address', explanation };

  let reason = `personal request to connect: ${hit.where} matches "${cleanLine(hit.text, 60)}"`;
  const resolved = personalAddress(message, context);
  explanation.push(...resolved.explanation);
  if (resolved.address === null) reason += `; no reply address: ${resolved.refusal ?? 'none given'}`;

  const name = cleanLine(from.name !== '' ? from.name : resolved.name, 120);
  const note = cleanLine(newText, MAX_NOTE_CHARS);
  return {
    kind: 'request',
    requester: {
      name,
      firstName: firstNameOf(name),
      email: resolved.address,
      profileUrl: profileUrlIn(newText),
      headline: null,
      invitationId: null,
      ...UNKNOWN_DETAILS,
      note: note === '' ? null : note,
    },
    replyTo: resolved.address,
    reason,
    language: hit.language,
    authentication: resolved.authentication,
    explanation,
  };
}
