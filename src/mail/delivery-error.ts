/**
 * What a failed SMTP delivery means for the script being sent. Pure: no I/O, so the send worker's
 * retry policy is tested with plain error objects.
 *
 * Follows emailengine's lib/delivery-error.js: 4xx replies and network errors are retried, 5xx
 * replies are permanent, 503 is retried (it answers an earlier failed command in the session, not
 * this message). Where this module differs, deliberately: failures that say the SMTP settings are
 * wrong (login, TLS, a server that refuses the session itself) are not permanent, because the
 * script is fine and must wait until the settings are fixed, not be marked failed.
 */

export interface DeliveryVerdict {
  /** True when retrying the same message cannot succeed. */
  permanent: boolean;
  /** The SMTP reply code, or null when the server gave none (network errors, local checks). */
  code: number | null;
  /** One line for the person's timeline and the logs. */
  reason: string;
  /**
   * `permanent`: the message is refused; `transient`: retry with backoff; `settings`: every message
   * will fail the same way until the SMTP settings change, so it is better to pause than to retry.
   */
  kind: 'permanent' | 'transient' | 'settings';
}

/** nodemailer codes that mean the login failed (or was never possible). */
const LOGIN_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
/** 530 authentication required, 534 mechanism too weak, 535 credentials invalid, 538 encryption required. */
const LOGIN_REPLIES = new Set([530, 534, 535, 538]);
/** Connection, DNS, socket and timeout errors from nodemailer and from Node itself (greeting timeouts are ETIMEDOUT). */
const NETWORK_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  // The pool closed a connection after its message limit; the next one will do.
  'EMAXLIMIT',
  // Reading the message source failed, which says nothing about the server or the recipient.
  'ESTREAM',
]);
/** Commands that open the session: a refusal there is about us as a client, not about this message. */
const SESSION_COMMANDS = new Set(['CONN', 'EHLO', 'HELO', 'LHLO', 'STARTTLS', 'RSET']);

const MAX_REASON_LENGTH = 300;

interface ErrorFacts {
  code: string | null;
  reply: number | null;
  command: string | null;
  message: string;
}

export function classifyDeliveryError(error: unknown): DeliveryVerdict {
  const { code, reply, command, message } = readFacts(error);
  const detail = message === '' ? (code ?? 'unknown error') : message;
  const verdict = (kind: DeliveryVerdict['kind'], reason: string): DeliveryVerdict => ({
    permanent: kind === 'permanent',
    code: reply,
    reason: oneLine(reason),
    kind,
  });

  if ((code !== null && LOGIN_CODES.has(code)) || (reply !== null && LOGIN_REPLIES.has(reply)) || command?.startsWith('AUTH')) {
    return verdict('settings', `SMTP login failed (${detail}); check SMTP_USER and SMTP_PASS, the script waits until the login works`);
  }
  if (code === 'ETLS') {
    return verdict('settings', `TLS with the SMTP server failed (${detail}); check SMTP_SECURE and SMTP_PORT`);
  }
  if (code === 'EPROTOCOL' || (command !== null && SESSION_COMMANDS.has(command) && reply !== null && reply >= 500)) {
    return verdict('settings', `the SMTP server refused the session (${detail}); check SMTP_HOST, SMTP_PORT and SMTP_SECURE`);
  }

  if (reply !== null) {
    if (reply >= 400 && reply < 500) return verdict('transient', `temporary SMTP failure (${detail})`);
    if (reply === 503) return verdict('transient', `SMTP command out of sequence (${detail})`);
    if (reply >= 500 && reply < 600) return verdict('permanent', `${rejected(command)} (${detail})`);
    return verdict('transient', `unexpected SMTP reply (${detail})`);
  }

  if (code !== null && NETWORK_CODES.has(code)) return verdict('transient', `network error ${code} (${detail})`);
  // nodemailer's own checks before anything is sent: no recipient, an invalid address, an empty
  // or oversized message. Retrying the same message gives the same answer.
  if (code === 'EENVELOPE') return verdict('permanent', `invalid envelope (${detail})`);
  if (code === 'EMESSAGE') return verdict('permanent', `message refused (${detail})`);
  return verdict('transient', `unexpected error (${detail})`);
}

function rejected(command: string | null): string {
  if (command === 'RCPT TO') return 'recipient rejected';
  if (command === 'MAIL FROM') return 'sender rejected';
  if (command === 'DATA') return 'message rejected';
  return 'rejected by the SMTP server';
}

function readFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { code: null, reply: null, command: null, message: '' };
  if (typeof error === 'string') {
    facts.message = error;
    return facts;
  }
  if (typeof error !== 'object' || error === null) {
    facts.message = error === undefined || error === null ? '' : String(error);
    return facts;
  }
  const record = error as Record<string, unknown>;
  facts.message = typeof record.message === 'string' ? record.message : '';
  facts.command = typeof record.command === 'string' ? record.command.toUpperCase() : null;
  facts.code = typeof record.code === 'string' && record.code !== '' ? record.code.toUpperCase() : null;
  // Node's happy-eyeballs connect reports an AggregateError whose parts carry the code.
  if (facts.code === null && Array.isArray(record.errors)) {
    const inner = record.errors.find((part: unknown) => typeof (part as { code?: unknown } | null)?.code === 'string') as
      | { code: string; message?: unknown }
      | undefined;
    if (inner !== undefined) {
      facts.code = inner.code.toUpperCase();
      if (facts.message === '' && typeof inner.message === 'string') facts.message = inner.message;
    }
  }
  const reply = typeof record.responseCode === 'number' ? record.responseCode : replyFrom(record.response);
  facts.reply = Number.isInteger(reply) && reply !== null && reply >= 200 && reply <= 599 ? reply : null;
  if (facts.message === '' && typeof record.response === 'string') facts.message = record.response;
  return facts;
}

function replyFrom(response: unknown): number | null {
  if (typeof response !== 'string') return null;
  const digits = /^\s*([2-5]\d\d)\b/.exec(response)?.[1];
  return digits === undefined ? null : Number(digits);
}

/** Server replies can be multi-line and long; the reason is one short line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_REASON_LENGTH ? flat : `${flat.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
