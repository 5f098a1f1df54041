import net from 'node:net';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  /** Without `secure`: insist on STARTTLS before logging in. */
  requireTls: boolean;
  user: string | null;
  pass: string | null;
}

/** One script, ready to go: every header value here is single-line already. */
export interface OutgoingScript {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  /**
   * RFC 3834: `auto-replied` (the default) for an answer to a mail; `auto-generated` for a mail
   * Winnow writes on its own (the circuit breaker's notice to the user, the user's digest).
   */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
}

/** Removes CR, LF and other control characters, so a hostile value cannot add a header. */
export function cleanHeader(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Longest Message-ID echoed in In-Reply-To or References; real ones are well under 100 characters. */
export const MAX_ECHOED_MESSAGE_ID_LENGTH = 250;

// RFC 5322 §3.6.4 msg-id without its angle brackets: dot-atom-text "@" (dot-atom-text / no-fold-literal).
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const MSG_ID = new RegExp(`^${DOT_ATOM}@(?:${DOT_ATOM}|\\[[!-Z^-~]*\\])$`);

/**
 * Whether a Message-ID taken from received mail may be echoed in In-Reply-To or References: a
 * valid msg-id of at most 250 characters. Anything else is left out (the script then starts a
 * thread of its own): the sender chose it, and an over-long or malformed one makes strict
 * servers refuse the script (a header line over RFC 5322's 998 characters).
 */
export function echoableMessageId(id: string | null | undefined): id is string {
  return typeof id === 'string' && id.length <= MAX_ECHOED_MESSAGE_ID_LENGTH && MSG_ID.test(id);
}

/** Builds the message once, so what is sent and what is filed in Sent are the same bytes. */
function compose(script: OutgoingScript): Promise<Buffer> {
  const references = script.references.filter(echoableMessageId).map((id) => `<${id}>`);
  const inReplyTo = echoableMessageId(script.inReplyTo) ? script.inReplyTo : null;
  const composer = new MailComposer({
    from: { name: cleanHeader(script.from.name), address: script.from.address },
    to: cleanHeader(script.to),
    subject: cleanHeader(script.subject),
    text: script.text,
    html: script.html,
    messageId: `<${cleanHeader(script.messageId)}>`,
    date: new Date(),
    ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
    ...(references.length > 0 ? { references } : {}),
    headers: {
      // RFC 3834: marks this as an automatic answer, so other robots do not answer it.
      'Auto-Submitted': script.autoSubmitted ?? 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
    },
  });
  return composer.compile().build();
}

const CONNECT_TIMEOUT_MS = 20_000;

function connectNoDelay(host: string, port: number, callback: (error: Error | null, socketOptions?: { connection: net.Socket }) => void) {
  const socket = net.connect({ host, port, noDelay: true, keepAlive: true });
  let settled = false;
  const settle = (error: Error | null) => {
    if (settled) return;
    settled = true;
    socket.setTimeout(0);
    socket.removeListener('error', settle);
    if (error) {
      socket.destroy();
      callback(Object.assign(error, { code: (error as NodeJS.ErrnoException).code ?? 'ECONNECTION' }));
    } else callback(null, { connection: socket });
  };
  socket.once('connect', () => settle(null));
  socket.once('error', settle);
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => settle(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })));
}

/**
 * Sends scripts over one pooled SMTP transport. The pool keeps connections open,
 * so the server's greeting delay is paid once per connection rather than once per message.
 */
export interface SenderOptions {
  greetingTimeoutMs?: number;
  /**
   * For a mailbox that signs in with OAuth2 (XOAUTH2): a current access token for `smtp.user`;
   * `renew` asks for a new one after the server refused the last.
   */
  accessToken?: (renew: boolean) => Promise<string>;
}

export function createSender(smtp: SmtpSettings, waits: SenderOptions = {}) {
  const options: SMTPPool.Options = {
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    maxConnections: 3,
    maxMessages: 500,
    connectionTimeout: 20_000,
    // A port that expects TLS from the first byte, spoken to in plain text, stays silent until this.
    greetingTimeout: waits.greetingTimeoutMs ?? 15_000,
    socketTimeout: 60_000,
    // nodemailer leaves Nagle's algorithm on, and the end of DATA then waits for the server's
    // delayed ACK: about 40 ms per script. We open the TCP connection ourselves, with no delay;
    // nodemailer still does the TLS (for port 465) or STARTTLS on it.
    getSocket: (_options, callback) => connectNoDelay(smtp.host, smtp.port, callback),
    ...(waits.accessToken && smtp.user ? { auth: { type: 'OAuth2', user: smtp.user } } : smtp.user && smtp.pass ? { auth: { user: smtp.user, pass: smtp.pass } } : {}),
  };
  const transport = nodemailer.createTransport(options);
  const accessToken = waits.accessToken;
  if (accessToken) {
    // nodemailer asks for a token before each login, and again with `renew` after a refusal.
    transport.set('oauth2_provision_cb', (_user: string, renew: boolean, callback: (error: Error | null, token?: string) => void) => {
      accessToken(renew).then(
        (token) => callback(null, token),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  return {
    /** Sends one script; returns the raw message as sent, for the copy in the Sent folder. */
    async send(script: OutgoingScript): Promise<{ raw: Buffer; response: string }> {
      const raw = await compose(script);
      const info = await transport.sendMail({ envelope: { from: script.from.address, to: [cleanHeader(script.to)] }, raw });
      return { raw, response: info.response };
    },

    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}

export type Sender = ReturnType<typeof createSender>;
