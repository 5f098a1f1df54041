import { header, headerValues, type Message } from '../mail/message.ts';
import { isMailboxAddress } from '../text/address.ts';
import { localPart } from './address.ts';
import { cleanLine } from '../text/line.ts';
import { mentionedOurMessageId, repliedOurMessageId } from './thread.ts';
import type { ClassifyContext, Explanation } from './types.ts';

/**
 * Delivery status notifications (RFC 3464 message/delivery-status) and the non-standard bounces
 * of big providers (Gmail's X-Failed-Recipients prose, Exchange's "Delivery has failed to these
 * recipients", qmail, Postfix without a report part). A bounce ends a person's screening, so a
 * delay or success notice must not count as one: those are kind `notice`.
 */
export type DeliveryReport =
  | {
      kind: 'bounce';
      reason: string;
      bouncedRecipient: string | null;
      answersMessageId: string | null;
      /** RFC 3463 status such as "5.1.1", or null when the report states none. */
      status: string | null;
      /** Whether the failure is final for that address (5.x.x, or a failure that says so). */
      permanent: boolean;
      /** What the receiving server said ("550 5.1.1 User unknown"), cleaned and capped. */
      diagnostic: string | null;
      explanation: Explanation[];
    }
  | { kind: 'notice'; reason: string; explanation: Explanation[] };

const BOUNCE_SUBJECT =
  /^\s*(?:delivery status notification|undeliverable|undelivered mail|undeliverable mail|mail delivery failed|mail delivery failure|mail delivery system|delivery failure|delivery has failed|failure notice|returned mail|message not delivered|sorry, your message could not be delivered|non[- ]?delivery report|nicht zustellbar|unzustellbar|non remis|non distribuable|mail system error|permanent delivery failure|address not found|message undeliverable|message blocked|rejected|returned to sender|unable to deliver|zustellung fehlgeschlagen|unzustellbare nachricht|échec de la remise|echec de la remise|no se puede entregar|no entregado|mensagem não entregue|mensagem nao entregue|impossibile recapitare|non recapitabile|onbestelbaar|niet bezorgd)\b/i;
const DELAY_SUBJECT =
  /\(delay\)|\bdelayed mail\b|\bstill being retried\b|^\s*warning:\s.*delayed|\bdelivery delayed\b|\bdelivery (?:status notification )?\((?:delay|success|relay)\)|^\s*delivery status notification \((?:success|relay)\)|\bzustellung verz[öo]gert\b|\bdelivered:|^\s*relayed:/i;
const PROSE_MARKERS = [
  'failed permanently:',
  'these recipients or groups:',
  'could not be delivered to',
  'following address(es) failed',
  'following addresses had permanent fatal errors',
  'following recipients',
  "wasn't delivered to",
  'was not delivered to',
  'unable to deliver your message to',
  'delivery to the following recipient',
  'an den folgenden empfänger',
  'konnte nicht zugestellt werden',
];
const ADDRESS = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const DAEMON_NAME = /^(?:mail delivery (?:system|subsystem)|mailer[- ]daemon|postmaster|microsoft outlook|mail administrator|system administrator|mail delivery service)$/i;
/** RFC 3463 enhanced status code. */
const STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
/** "550 5.1.1", "550-5.1.1", "#550 5.1.1": an SMTP reply with its enhanced code. */
const SMTP_WITH_STATUS = /(?:^|[\s'"#(])([245]\d\d)[\s-]+#?([245]\.\d{1,3}\.\d{1,3})\b/;
/** "(#5.1.1)" as qmail and Exchange write it. */
const HASH_STATUS = /#([245]\.\d{1,3}\.\d{1,3})\b/;
/** A plain SMTP failure reply at the start of a line or after "said:" ("550 No such user"). */
// [ \t]* and at most one line break, not \s*: with the m flag, \s* from every line start would
// rescan a long run of blank lines once per line.
const SMTP_REPLY = /(?:^|said:|returned:|replied:|response(?: from the remote server)?(?: was)?:|error:)[ \t]*(?:\n[ \t]*)?['"]?([45]\d\d)[\s-][^\n]{3,}/im;
const TRANSIENT_PROSE = /\b(?:will (?:continue to )?(?:retry|try again)|still trying|temporar(?:y|ily)|delayed|deferred|has not yet been delivered|not yet delivered|is being retried)\b/i;
const PERMANENT_PROSE = /\b(?:failed permanently|permanent (?:error|failure|fatal)|permanently|does not exist|doesn't exist|no such user|user unknown|unknown user|address not found|mailbox unavailable|recipient not found|recipnotfound|account (?:has been )?disabled|no mailbox here)\b/i;
/** Longest diagnostic kept. */
const MAX_DIAGNOSTIC_CHARS = 300;
/** Longest text searched for report fields and prose. */
const MAX_SCAN_CHARS = 128 * 1024;

function isDaemonSender(message: Message): boolean {
  const from = message.from;
  if (!from) return false;
  const local = localPart(from.address);
  return /^(?:mailer[-_.]?daemon|postmaster|microsoftexchange[0-9a-f]*)$/.test(local) || DAEMON_NAME.test(from.name.trim());
}

function deliveryStatusReport(message: Message): boolean {
  return /^multipart\/report\b/.test(message.contentType) && /report-type\s*=\s*"?(?:global-)?delivery-status"?/.test(message.contentType);
}

function addressFromField(value: string): string | null {
  // "rfc822; jane@example.org" or "rfc822;<jane@example.org>"
  const address = value.replace(/^[^;]*;/, '').trim().replace(/^<|>$/g, '').trim().toLowerCase();
  return isMailboxAddress(address) ? address : null;
}

/** One per-recipient block of a delivery-status part (RFC 3464 §2.3). */
interface RecipientFields {
  finalRecipient: string | null;
  originalRecipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
}

/**
 * The per-recipient blocks of delivery-status text: blocks are separated by blank lines, fields
 * may be folded onto indented continuation lines, and only blocks naming a recipient, an action
 * or a status count. Field names compare without case.
 */
export function parseDeliveryStatus(text: string): RecipientFields[] {
  const blocks: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line) && last !== null) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`.slice(0, 2000));
      continue;
    }
    const field = /^([A-Za-z][A-Za-z0-9-]{1,40})[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!field) {
      last = null;
      continue;
    }
    last = (field[1] ?? '').toLowerCase();
    if (!current.has(last)) current.set(last, (field[2] ?? '').trim().slice(0, 2000));
  }
  if (current.size > 0) blocks.push(current);
  return blocks
    .filter((block) => block.has('final-recipient') || block.has('original-recipient') || block.has('action') || (block.has('status') && STATUS.test(block.get('status') ?? '')))
    .map((block) => ({
      finalRecipient: block.has('final-recipient') ? addressFromField(block.get('final-recipient') ?? '') : null,
      originalRecipient: block.has('original-recipient') ? addressFromField(block.get('original-recipient') ?? '') : null,
      action: block.get('action')?.trim().toLowerCase().split(/[\s(]/)[0] || null,
      status: STATUS.exec(block.get('status') ?? '')?.[0] ?? null,
      // "smtp; 550 5.1.1 ..." keeps what the server said, not the type.
      diagnostic: block.has('diagnostic-code') ? (block.get('diagnostic-code') ?? '').replace(/^[a-z0-9-]+\s*;\s*/i, '') : null,
    }));
}

/** The recipient that failed, from prose bounces: X-Failed-Recipients, a fixed phrase, Postfix's "<x>:". */
function proseRecipient(message: Message, text: string): string | null {
  for (const value of headerValues(message, 'x-failed-recipients')) {
    const address = addressFromField(`;${value.split(',')[0] ?? ''}`);
    if (address) return address;
  }
  const lower = text.toLowerCase();
  for (const marker of PROSE_MARKERS) {
    const at = lower.indexOf(marker);
    if (at < 0) continue;
    const match = ADDRESS.exec(text.slice(at + marker.length, at + marker.length + 300));
    const address = match?.[0].toLowerCase().replace(/\.$/, '');
    if (address && isMailboxAddress(address)) return address;
  }
  // Postfix: "<jane@example.org>: host mx.example.org said: 550 ..."
  const postfix = /^[ \t]*<([^\s<>]{1,254}@[^\s<>]{1,254})>[ \t]*:/m.exec(text)?.[1]?.toLowerCase();
  if (postfix && isMailboxAddress(postfix)) return postfix;
  return null;
}

/** What the receiving server said, from the prose: the first SMTP failure reply. */
function proseDiagnostic(text: string): string | null {
  const withStatus = SMTP_WITH_STATUS.exec(text);
  if (withStatus) {
    const lineStart = text.lastIndexOf('\n', withStatus.index) + 1;
    const lineEnd = text.indexOf('\n', withStatus.index + 1);
    return text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  }
  const reply = SMTP_REPLY.exec(text);
  return reply ? reply[0].replace(/^[^0-9'"]*['"]?/, '') : null;
}

function statusFrom(...texts: Array<string | null>): string | null {
  for (const text of texts) {
    if (!text) continue;
    const withReply = SMTP_WITH_STATUS.exec(text)?.[2];
    if (withReply) return withReply;
    const hashed = HASH_STATUS.exec(text)?.[1];
    if (hashed) return hashed;
  }
  return null;
}

function cleanDiagnostic(value: string | null): string | null {
  if (value === null) return null;
  const cleaned = cleanLine(value, MAX_DIAGNOSTIC_CHARS);
  return cleaned === '' ? null : cleaned;
}

export function readDeliveryReport(message: Message, context: ClassifyContext): DeliveryReport | null {
  const subject = message.subject;
  const nullSender = message.returnPath === '';
  const daemon = isDaemonSender(message);
  const autoSubmitted = (header(message, 'auto-submitted') ?? 'no').trim().toLowerCase().split(/[\s;(]/)[0] !== 'no';
  const bounceSubject = BOUNCE_SUBJECT.test(subject);
  const delaySubject = DELAY_SUBJECT.test(subject);

  let signal: string | null = null;
  if (deliveryStatusReport(message)) signal = 'delivery status report (multipart/report)';
  else if (headerValues(message, 'x-failed-recipients').length > 0) signal = 'X-Failed-Recipients present';
  else if (daemon && (nullSender || bounceSubject || delaySubject)) signal = `from ${message.from?.address || 'a mail daemon'}`;
  else if ((bounceSubject || delaySubject) && (nullSender || autoSubmitted)) signal = `subject "${cleanLine(subject, 60)}"`;
  if (signal === null) return null;

  const reportText = (message.reports ?? '').slice(0, MAX_SCAN_CHARS);
  const bodyText = message.text.slice(0, MAX_SCAN_CHARS).replace(/\r\n?/g, '\n');
  const recipients = parseDeliveryStatus(`${reportText}\n\n${bodyText}`);
  const named = recipients.map((fields) => fields.action).filter((action): action is string => action !== null);
  const failed = named.includes('failed');
  const explanation: Explanation[] = [{ rule: 'bounce:signal', detail: signal }];

  // A report that only says "delayed", "delivered", "relayed" or "expanded" is news, not a failure.
  const transientOnly = !failed && named.length === 0 && recipients.some((fields) => fields.status?.startsWith('4.')) && TRANSIENT_PROSE.test(bodyText);
  if (!failed && (named.length > 0 || delaySubject || transientOnly)) {
    const delayed = named.includes('delayed') || delaySubject || transientOnly;
    const what = delayed ? 'delivery delay notice' : 'delivery success notice';
    explanation.push({ rule: 'bounce:notice', detail: named.length > 0 ? `Action: ${[...new Set(named)].join(', ')}` : what });
    return { kind: 'notice', reason: `${what} (${signal})`, explanation };
  }

  const block = recipients.find((fields) => fields.action === 'failed') ?? recipients.find((fields) => fields.status?.startsWith('5.')) ?? recipients[0] ?? null;
  const bouncedRecipient = block?.originalRecipient ?? block?.finalRecipient ?? proseRecipient(message, bodyText);
  const diagnostic = cleanDiagnostic(block?.diagnostic ?? proseDiagnostic(bodyText));
  const status = block?.status ?? statusFrom(block?.diagnostic ?? null, bodyText) ?? STATUS.exec(block?.diagnostic ?? '')?.[0] ?? null;
  const basicCode = /^([45])\d\d\b/.exec(diagnostic ?? '')?.[1] ?? null;
  let permanent: boolean;
  if (status !== null) permanent = status.startsWith('5.');
  else if (basicCode !== null) permanent = basicCode === '5';
  // A failure report without any code: final unless it says it is passing.
  else permanent = PERMANENT_PROSE.test(bodyText) || !TRANSIENT_PROSE.test(bodyText);

  explanation.push({
    rule: 'bounce:report',
    detail: `recipient ${bouncedRecipient ?? 'not named'}, status ${status ?? 'not stated'}, ${permanent ? 'permanent' : 'temporary'}${diagnostic ? `: ${diagnostic}` : ''}`,
  });
  return {
    kind: 'bounce',
    reason: `bounce: ${signal}`,
    bouncedRecipient,
    answersMessageId: repliedOurMessageId(message, context) ?? mentionedOurMessageId(`${reportText}\n${bodyText}\n${message.html.slice(0, MAX_SCAN_CHARS)}`, context),
    status,
    permanent,
    diagnostic,
    explanation,
  };
}
