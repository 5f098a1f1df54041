import { header, headerValues, type Message } from '../mail/message.ts';
import { isOwnAddress, platformDomainOf, robotRule } from './address.ts';
import { cleanLine } from './text.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Mail that must never get a script: lists, robots, the user's own mail (RFC 3834 §2,
 * RFC 5230 §4.5). Applied to everything that is not recognised platform mail, because every
 * platform notification carries list headers and would otherwise be dropped here.
 */
export type SuppressionRule =
  | 'own-address'
  | 'auto-submitted'
  | 'precedence'
  | 'list-headers'
  | 'null-sender'
  | 'auto-response-suppress'
  | 'report'
  | 'robot-address'
  | 'platform-notification';

export interface Suppression {
  rule: SuppressionRule;
  /** Starts with "suppressed: ", which the inbound worker reads as "not a person writing". */
  reason: string;
}

const LIST_HEADERS = ['List-Id', 'List-Unsubscribe', 'List-Post', 'List-Help', 'List-Subscribe', 'List-Owner', 'List-Archive'];

function suppressed(rule: SuppressionRule, detail: string): Suppression {
  return { rule, reason: `suppressed: ${cleanLine(detail, 160)}` };
}

export function fromOwnAddress(message: Message, context: ClassifyContext): boolean {
  return message.from !== null && isOwnAddress(message.from.address, context);
}

/** The first rule that keeps this mail from ever getting a script, or null. */
export function findSuppression(message: Message, context: ClassifyContext): Suppression | null {
  if (fromOwnAddress(message, context)) return suppressed('own-address', 'from your own address');

  const autoSubmitted = header(message, 'auto-submitted');
  if (autoSubmitted !== null && autoSubmitted.trim() !== '' && !/^\s*no\s*(?:;|$)/i.test(autoSubmitted)) {
    return suppressed('auto-submitted', `Auto-Submitted: ${autoSubmitted.split(';')[0]?.trim().slice(0, 40) ?? ''}`);
  }

  const precedence = (header(message, 'precedence') ?? '').trim().toLowerCase();
  if (/^(?:bulk|list|junk)\b/.test(precedence)) return suppressed('precedence', `Precedence: ${precedence.split(/\s/)[0] ?? ''}`);

  const listHeader = LIST_HEADERS.find((name) => headerValues(message, name).length > 0);
  if (listHeader) return suppressed('list-headers', `${listHeader} present`);

  if (message.returnPath === '') return suppressed('null-sender', 'null Return-Path <>');

  const arSuppress = header(message, 'x-auto-response-suppress');
  if (arSuppress !== null && /\b(?:all|autoreply|oof)\b/i.test(arSuppress)) {
    return suppressed('auto-response-suppress', `X-Auto-Response-Suppress: ${arSuppress.trim().slice(0, 40)}`);
  }

  if (/^multipart\/report\b/.test(message.contentType)) return suppressed('report', 'automatic report (multipart/report)');

  const addresses: Array<[string, string | undefined]> = [
    ['From', message.from?.address],
    ['Sender', message.sender?.address],
    ...message.replyTo.map((entry): [string, string] => ['Reply-To', entry.address]),
  ];
  for (const [field, address] of addresses) {
    if (!address) continue;
    const robot = robotRule(address);
    if (robot) return suppressed('robot-address', `${field} is a ${robot} address (${address})`);
  }

  // Platforms Winnow does not read yet (Facebook, XING, Twitter/X) send only robot mail.
  const platform = message.from ? platformDomainOf(message.from.address) : null;
  if (platform) return suppressed('platform-notification', `notification from ${platform}`);

  return null;
}
