import { header, headerValues, type Address, type Message } from '../mail/message.ts';
import { isOwnAddress, isSystemAddress, localPart, NO_REPLY_LOCAL, platformDomainOf, robotRule } from './address.ts';
import { cleanLine } from '../text/line.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Mail that must never get a script: robots, lists, bulk mail, the user's own mail. One rule per
 * source, each with its name, so `winnow scan --explain` can say which one held a mail back:
 *
 * - RFC 3834 §2 and §5: `Auto-Submitted` other than "no"; the null sender.
 * - RFC 5230 §4.5 and Dovecot Pigeonhole's vacation action (src/lib-sieve/plugins/vacation/
 *   cmd-vacation.c): never answer yourself; list headers (List-Id, List-Owner, List-Subscribe,
 *   List-Post, List-Unsubscribe, List-Help, List-Archive); `Precedence: bulk|list|junk`; system
 *   senders (MAILER-DAEMON*, LISTSERV*, majordomo*, *-request@, owner-*); and the explicit-recipient
 *   check (the user's own address must be in To, Cc, Bcc, Resent-To, Resent-Cc or Resent-Bcc,
 *   else the mail came through a list, an alias or a Bcc and gets no automatic reply).
 * - Microsoft's `X-Auto-Response-Suppress` (All, OOF, AutoReply, DR, RN, NRN).
 * - Vendor auto-reply headers (X-Autoreply, X-Autorespond, X-Auto-Reply, X-Apple-Action: VACATION ...).
 * - Spam flags set by the receiving server (X-Spam-Flag: YES, X-Spam-Status: Yes): replying would
 *   answer forged senders.
 * - No-reply senders (noreply, no-reply, do-not-reply ...) and other robot addresses.
 *
 * Applied by classify() to everything that is not recognised, allow-listed platform mail (every
 * platform notification carries list headers and would otherwise be dropped here) and to every
 * answer. The explicit-recipient check is separate (`explicitRecipientRule`, or the option of
 * findSuppression) because an answer to our script need not name the user's address to be one.
 */
export type SuppressionRule =
  | 'own-address'
  | 'auto-submitted'
  | 'precedence'
  | 'list-headers'
  | 'null-sender'
  | 'auto-response-suppress'
  | 'autoreply-header'
  | 'spam-flag'
  | 'report'
  | 'robot-address'
  | 'system-address'
  | 'no-reply-address'
  | 'platform-notification'
  | 'explicit-recipient';

export interface Suppression {
  rule: SuppressionRule;
  /** Starts with "suppressed: ", which the inbound worker reads as "not a person writing". */
  reason: string;
}

export interface SuppressionOptions {
  /** Also require the user's own address among the recipients (RFC 5230 §4.5). Default false. */
  explicitRecipient?: boolean;
}

/** The list headers Pigeonhole's vacation checks (RFC 2369, RFC 2919). */
export const LIST_HEADERS = ['List-Id', 'List-Unsubscribe', 'List-Post', 'List-Help', 'List-Subscribe', 'List-Owner', 'List-Archive'] as const;
/** Microsoft's X-Auto-Response-Suppress values that ask for no automatic answer. */
const SUPPRESS_VALUES = ['all', 'oof', 'autoreply', 'dr', 'rn', 'nrn'];
/** Headers that vendors put on automatic replies instead of (or beside) Auto-Submitted. */
const AUTOREPLY_HEADERS = ['X-Autoreply', 'X-Autorespond', 'X-Auto-Reply', 'X-Autoresponder', 'X-Mail-Autoreply', 'X-AutoReply-From', 'X-Autoresponse'] as const;
/** Recipient headers of RFC 5230's explicit-recipient check. */
const RECIPIENT_HEADERS = ['resent-to', 'resent-cc', 'bcc', 'resent-bcc'] as const;

function suppressed(rule: SuppressionRule, detail: string): Suppression {
  return { rule, reason: `suppressed: ${cleanLine(detail, 160)}` };
}

export function fromOwnAddress(message: Message, context: ClassifyContext): boolean {
  return message.from !== null && isOwnAddress(message.from.address, context);
}

/** RFC 3834 §5: Auto-Submitted with any value but "no" (a comment or parameter after "no" still means no). */
export function autoSubmittedRule(message: Message): Suppression | null {
  for (const value of headerValues(message, 'auto-submitted')) {
    const keyword = value.replace(/\([^()]*\)/g, ' ').trim().split(/[\s;]/)[0]?.toLowerCase() ?? '';
    if (keyword !== '' && keyword !== 'no') return suppressed('auto-submitted', `Auto-Submitted: ${cleanLine(value.split(';')[0] ?? '', 40)}`);
  }
  return null;
}

function precedenceRule(message: Message): Suppression | null {
  for (const value of headerValues(message, 'precedence')) {
    const keyword = value.trim().toLowerCase().split(/[\s;]/)[0] ?? '';
    if (keyword === 'bulk' || keyword === 'list' || keyword === 'junk') return suppressed('precedence', `Precedence: ${keyword}`);
  }
  return null;
}

function autoResponseSuppressRule(message: Message): Suppression | null {
  for (const value of headerValues(message, 'x-auto-response-suppress')) {
    const asked = value
      .toLowerCase()
      .split(/[\s,;]+/)
      .filter((word) => SUPPRESS_VALUES.includes(word));
    if (asked.length > 0) return suppressed('auto-response-suppress', `X-Auto-Response-Suppress: ${cleanLine(value, 40)}`);
  }
  return null;
}

function autoReplyHeaderRule(message: Message): Suppression | null {
  for (const name of AUTOREPLY_HEADERS) {
    const value = header(message, name);
    if (value !== null && !/^\s*(?:no|false|0|off)\s*$/i.test(value)) return suppressed('autoreply-header', `${name} present`);
  }
  if (/^\s*vacation\b/i.test(header(message, 'x-apple-action') ?? '')) return suppressed('autoreply-header', 'X-Apple-Action: VACATION');
  if (/^\s*reply\b/i.test(header(message, 'x-autogenerated') ?? '')) return suppressed('autoreply-header', 'X-Autogenerated: Reply');
  if (/^\s*auto_reply\b/i.test(header(message, 'precedence') ?? '')) return suppressed('autoreply-header', 'Precedence: auto_reply');
  return null;
}

function spamRule(message: Message): Suppression | null {
  if (/^\s*yes\b/i.test(header(message, 'x-spam-flag') ?? '')) return suppressed('spam-flag', 'X-Spam-Flag: YES');
  if (/^\s*yes\b/i.test(header(message, 'x-spam-status') ?? '')) return suppressed('spam-flag', 'X-Spam-Status: Yes');
  if (/^\s*(?:yes|true|spam)\b/i.test(header(message, 'x-spam') ?? '')) return suppressed('spam-flag', 'X-Spam: yes');
  return null;
}

/** Addresses that speak for the mail's sender: From, Sender, Reply-To. */
function senderAddresses(message: Message): Array<[string, string]> {
  return [
    ['From', message.from?.address ?? ''],
    ['Sender', message.sender?.address ?? ''],
    ...message.replyTo.map((entry): [string, string] => ['Reply-To', entry.address]),
  ].filter((pair): pair is [string, string] => pair[1] !== '');
}

function addressesIn(values: string[]): string[] {
  const found: string[] = [];
  for (const value of values) for (const match of value.slice(0, 10_000).matchAll(/[^\s<>,;:"()[\]]{1,64}@[^\s<>,;:"()[\]]{1,255}/g)) found.push(match[0].toLowerCase());
  return found;
}

/**
 * RFC 5230 §4.5: no automatic reply unless one of the user's own addresses is among the explicit
 * recipients (To, Cc, Bcc, Resent-To, Resent-Cc, Resent-Bcc). Mail that reached the user through a
 * list, an alias or a Bcc fails it. Null when it passes, or when no own address is configured.
 */
export function explicitRecipientRule(message: Message, context: ClassifyContext): Suppression | null {
  if (context.ownAddresses.length === 0) return null;
  const listed: string[] = [...message.to, ...message.cc].map((entry: Address) => entry.address);
  for (const name of RECIPIENT_HEADERS) listed.push(...addressesIn(headerValues(message, name)));
  if (listed.some((address) => address !== '' && isOwnAddress(address, context))) return null;
  return suppressed('explicit-recipient', 'your address is not among the recipients (a list, an alias or a Bcc copy)');
}

/** The first rule that keeps this mail from ever getting a script, or null. */
export function findSuppression(message: Message, context: ClassifyContext, options: SuppressionOptions = {}): Suppression | null {
  if (fromOwnAddress(message, context)) return suppressed('own-address', 'from your own address');

  const rule =
    autoSubmittedRule(message) ??
    precedenceRule(message) ??
    listHeaderRule(message) ??
    (message.returnPath === '' ? suppressed('null-sender', 'null Return-Path <>') : null) ??
    autoResponseSuppressRule(message) ??
    autoReplyHeaderRule(message) ??
    spamRule(message) ??
    (/^multipart\/report\b/.test(message.contentType) ? suppressed('report', 'automatic report (multipart/report)') : null) ??
    addressRule(message);
  if (rule) return rule;

  return options.explicitRecipient === true ? explicitRecipientRule(message, context) : null;
}

function listHeaderRule(message: Message): Suppression | null {
  const listHeader = LIST_HEADERS.find((name) => headerValues(message, name).length > 0);
  return listHeader ? suppressed('list-headers', `${listHeader} present`) : null;
}

function addressRule(message: Message): Suppression | null {
  const senders = senderAddresses(message);
  for (const [field, address] of senders) {
    const robot = robotRule(address);
    if (robot) return suppressed('robot-address', `${field} is a ${robot} address (${address})`);
  }
  // Pigeonhole checks the envelope sender too: that is where a list or a daemon shows itself.
  const envelope: Array<[string, string]> = message.returnPath ? [['Return-Path', message.returnPath]] : [];
  for (const [field, address] of [...senders, ...envelope]) {
    if (isSystemAddress(address)) return suppressed('system-address', `${field} is a system address (${address})`);
  }
  for (const [field, address] of senders) {
    if (NO_REPLY_LOCAL.test(localPart(address))) return suppressed('no-reply-address', `${field} is a no-reply address (${address})`);
  }
  // Platforms Winnow does not read send only robot mail.
  const platform = message.from ? platformDomainOf(message.from.address) : null;
  if (platform) return suppressed('platform-notification', `notification from ${platform}`);
  return null;
}
