import type { Message } from '../mail/message.ts';
import { SCRIPT_ID_PREFIX } from '../mail/message-id.ts';
import { escapeRegExp } from '../text/regex.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Recognises Winnow's own Message-IDs (`winnow.<anything>@<domain>`, the domain of any mailbox's
 * From) in threading headers and in quoted text. The domain compares case-insensitively (RFC 5321
 * domains have no case); the result is spelled with the configured domain, so it matches what the
 * store keeps.
 */

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]";

/** Every domain our Message-IDs may carry, the main mailbox's first. */
function ourDomains(context: ClassifyContext): string[] {
  return [...new Set([context.messageIdDomain, ...(context.otherMessageIdDomains ?? [])].map((domain) => domain.trim()).filter((domain) => domain !== ''))];
}

function ourIdPattern(context: ClassifyContext, flags: string): RegExp | null {
  const domains = ourDomains(context);
  if (domains.length === 0) return null;
  return new RegExp(`(${escapeRegExp(SCRIPT_ID_PREFIX)}${ATEXT}{1,200})@(${domains.map(escapeRegExp).join('|')})(?![A-Za-z0-9-])`, flags);
}

/** The id spelled with the domain as configured. */
function canonical(match: RegExpExecArray, context: ClassifyContext): string {
  const domain = ourDomains(context).find((known) => known.toLowerCase() === match[2]!.toLowerCase()) ?? match[2]!;
  return `${match[1]}@${domain}`;
}

/** Our Message-ID if `id` (without angle brackets) is one, spelled canonically; else null. */
export function asOurMessageId(id: string, context: ClassifyContext): string | null {
  const pattern = ourIdPattern(context, 'i');
  if (!pattern) return null;
  const match = new RegExp(`^${pattern.source}$`, 'i').exec(id.trim().replace(/^<|>$/g, ''));
  return match ? canonical(match, context) : null;
}

/** The message of ours a mail replies to: In-Reply-To first, then References from the newest. */
export function repliedOurMessageId(message: Message, context: ClassifyContext): string | null {
  for (const id of [...message.inReplyTo, ...[...message.references].reverse()]) {
    const ours = asOurMessageId(id, context);
    if (ours) return ours;
  }
  return null;
}

/** The first Message-ID of ours mentioned anywhere in a text (a bounce quoting our script's headers). */
export function mentionedOurMessageId(text: string, context: ClassifyContext): string | null {
  const pattern = ourIdPattern(context, 'i');
  if (!pattern) return null;
  const match = pattern.exec(text);
  return match ? canonical(match, context) : null;
}
