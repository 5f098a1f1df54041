import type { Message } from '../mail/message.ts';
import { SCRIPT_ID_PREFIX } from '../mail/message-id.ts';
import { escapeRegExp } from '../text/regex.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Recognises Winnow's own Message-IDs (`winnow.<anything>@<messageIdDomain>`) in threading
 * headers and in quoted text. The domain compares case-insensitively (RFC 5321 domains have no
 * case); the result is spelled with the configured domain, so it matches what the store keeps.
 */

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]";

function ourIdPattern(context: ClassifyContext, flags: string): RegExp | null {
  const domain = context.messageIdDomain.trim();
  if (domain === '') return null;
  return new RegExp(`(${escapeRegExp(SCRIPT_ID_PREFIX)}${ATEXT}{1,200})@(${escapeRegExp(domain)})(?![A-Za-z0-9-])`, flags);
}

/** Our Message-ID if `id` (without angle brackets) is one, spelled canonically; else null. */
export function asOurMessageId(id: string, context: ClassifyContext): string | null {
  const pattern = ourIdPattern(context, 'i');
  if (!pattern) return null;
  const match = new RegExp(`^${pattern.source}$`, 'i').exec(id.trim().replace(/^<|>$/g, ''));
  return match ? `${match[1]}@${context.messageIdDomain.trim()}` : null;
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
  return match ? `${match[1]}@${context.messageIdDomain.trim()}` : null;
}
