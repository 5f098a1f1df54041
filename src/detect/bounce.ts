import { header, headerValues, type Message } from '../mail/message.ts';
import { isPlausibleAddress, localPart } from './address.ts';
import { cleanLine } from './text.ts';
import { mentionedOurMessageId, repliedOurMessageId } from './thread.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Delivery status notifications (RFC 3464) and the non-standard bounces of big providers.
 * A bounce ends a person's screening, so a delay or success notice must not count as one.
 */
export type DeliveryReport =
  | { kind: 'bounce'; reason: string; bouncedRecipient: string | null; answersMessageId: string | null }
  | { kind: 'notice'; reason: string };

const BOUNCE_SUBJECT =
  /^\s*(?:delivery status notification|undeliverable|undelivered mail|undeliverable mail|mail delivery failed|mail delivery failure|mail delivery system|delivery failure|delivery has failed|failure notice|returned mail|message not delivered|sorry, your message could not be delivered|non[- ]?delivery report|nicht zustellbar|unzustellbar|non remis|non distribuable|mail system error|permanent delivery failure)\b/i;
const DELAY_SUBJECT = /\(delay\)|\bdelayed mail\b|\bstill being retried\b|^\s*warning:\s.*delayed|\bdelivery delayed\b|^\s*delivery status notification \((?:success|relay)\)/i;
const PROSE_MARKERS = [
  'failed permanently:',
  'these recipients or groups:',
  'could not be delivered to',
  'following address(es) failed',
  'following addresses had permanent fatal errors',
  'following recipients',
];
const ADDRESS = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const DAEMON_NAME = /^(?:mail delivery (?:system|subsystem)|mailer[- ]daemon|postmaster|microsoft outlook|mail administrator|system administrator)$/i;

function isDaemonSender(message: Message): boolean {
  const from = message.from;
  if (!from) return false;
  const local = localPart(from.address);
  return /^(?:mailer[-_.]?daemon|postmaster|microsoftexchange[0-9a-f]*)$/.test(local) || DAEMON_NAME.test(from.name.trim());
}

function deliveryStatusReport(message: Message): boolean {
  return /^multipart\/report\b/.test(message.contentType) && /report-type\s*=\s*"?delivery-status"?/.test(message.contentType);
}

function addressFromField(value: string): string | null {
  // "rfc822; jane@example.org" or "rfc822;<jane@example.org>"
  const address = value.replace(/^[^;]*;/, '').trim().replace(/^<|>$/g, '').trim().toLowerCase();
  return isPlausibleAddress(address) ? address : null;
}

/** The recipient that failed: from the delivery-status fields, X-Failed-Recipients, or the prose. */
function failedRecipient(message: Message): string | null {
  const text = message.text;
  for (const field of ['Original-Recipient', 'Final-Recipient']) {
    const match = new RegExp(`^[ \\t]*${field}[ \\t]*:[ \\t]*(.+)$`, 'im').exec(text);
    const address = match?.[1] ? addressFromField(match[1]) : null;
    if (address) return address;
  }
  for (const value of headerValues(message, 'x-failed-recipients')) {
    const address = addressFromField(`;${value.split(',')[0] ?? ''}`);
    if (address) return address;
  }
  // Prose bounces name the address shortly after a fixed phrase, sometimes behind a display name.
  for (const marker of PROSE_MARKERS) {
    const at = text.search(new RegExp(marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
    if (at < 0) continue;
    const match = ADDRESS.exec(text.slice(at + marker.length, at + marker.length + 300));
    const address = match?.[0].toLowerCase().replace(/\.$/, '');
    if (address && isPlausibleAddress(address)) return address;
  }
  // Postfix: "<jane@example.org>: host mx.example.org said: 550 ..."
  const postfix = /^[ \t]*<([^\s<>]{1,254}@[^\s<>]{1,254})>[ \t]*:/m.exec(text)?.[1]?.toLowerCase();
  if (postfix && isPlausibleAddress(postfix)) return postfix;
  return null;
}

/** Actions named in the delivery-status fields ("Action: failed"), lower-cased. */
function actions(text: string): string[] {
  return [...text.matchAll(/^[ \t]*Action[ \t]*:[ \t]*([a-z]+)/gim)].map((match) => (match[1] ?? '').toLowerCase());
}

export function readDeliveryReport(message: Message, context: ClassifyContext): DeliveryReport | null {
  const subject = message.subject;
  const nullSender = message.returnPath === '';
  const daemon = isDaemonSender(message);
  const autoSubmitted = (header(message, 'auto-submitted') ?? 'no').trim().toLowerCase() !== 'no';
  const bounceSubject = BOUNCE_SUBJECT.test(subject);
  const delaySubject = DELAY_SUBJECT.test(subject);

  let signal: string | null = null;
  if (deliveryStatusReport(message)) signal = 'delivery status report (multipart/report)';
  else if (headerValues(message, 'x-failed-recipients').length > 0) signal = 'X-Failed-Recipients present';
  else if (daemon && (nullSender || bounceSubject || delaySubject)) signal = `from ${message.from?.address || 'a mail daemon'}`;
  else if ((bounceSubject || delaySubject) && (nullSender || autoSubmitted)) signal = `subject "${cleanLine(subject, 60)}"`;
  if (signal === null) return null;

  const named = actions(message.text);
  const failed = named.includes('failed');
  // A report that only says "delayed", "delivered" or "relayed" is news, not a failure.
  if (!failed && (named.length > 0 || delaySubject)) {
    const what = named.includes('delayed') || delaySubject ? 'delivery delay notice' : 'delivery success notice';
    return { kind: 'notice', reason: `${what} (${signal})` };
  }
  return {
    kind: 'bounce',
    reason: `bounce: ${signal}`,
    bouncedRecipient: failedRecipient(message),
    answersMessageId: repliedOurMessageId(message, context) ?? mentionedOurMessageId(`${message.text}\n${message.html}`, context),
  };
}
