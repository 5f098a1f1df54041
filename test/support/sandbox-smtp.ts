// The sandbox's SMTP peer: accepts mail like a submission server, records every message, and files
// a copy into the Dovecot INBOX of each recipient that is a sandbox user, the way an MTA with a
// local delivery agent would.
//
//   const { peer, close } = await startSmtpPeer({ accounts, user, pass, fileInto, isLocal });
//   await peer.waitFor((mail) => mail.recipients.includes('alice@example.test'));
//
// AUTH PLAIN and LOGIN check `accounts`. With `oauth2` (a provider's introspection endpoint and the
// client that may call it, see sandbox-oauth.ts), AUTH XOAUTH2 is offered too and accepted only
// when the provider says the token is active and its `email` (or `sub`) is the user name given.
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { OAuthIntrospection } from './sandbox-oauth.ts';
import { nowMs } from './sandbox-process.ts';

export interface ReceivedMail {
  envelopeFrom: string;
  recipients: string[];
  raw: Buffer;
  messageId: string | null;
  /** Lower-cased header name -> first value, unfolded. */
  headers: Map<string, string>;
  /** performance.timeOrigin + performance.now() when the end of DATA arrived. */
  acceptedAt: number;
}

export interface SmtpPeer {
  host: string;
  port: number;
  secure: false;
  user: string;
  pass: string;
  /** Messages accepted (250), in order of acceptance. */
  received: ReceivedMail[];
  /** Messages refused at the end of DATA, through failNext() or because filing them failed. */
  rejected: ReceivedMail[];
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** The next `count` (default 1) messages are refused at the end of DATA with this reply. */
  failNext(code: number, message: string, count?: number): void;
}

export interface SmtpPeerOptions {
  /** Credentials accepted for AUTH PLAIN/LOGIN (address -> password). */
  accounts: Map<string, string>;
  user: string;
  pass: string;
  /** Files a message into a local user's INBOX; null for addresses that are not local. */
  fileInto: ((recipient: string, raw: Buffer) => Promise<void>) | null;
  isLocal: (address: string) => boolean;
  /** Offer AUTH XOAUTH2, checking each token at this introspection endpoint. */
  oauth2?: OAuthIntrospection;
}

/** smtp-server answers an error with its responseCode (and adds the enhanced status code). */
class SmtpReplyError extends Error {
  readonly responseCode: number;
  constructor(responseCode: number, message: string) {
    super(message);
    this.responseCode = responseCode;
  }
}

interface Waiter {
  predicate: (mail: ReceivedMail) => boolean;
  resolve: (mail: ReceivedMail) => void;
  reject: (error: Error) => void;
}

export async function startSmtpPeer(options: SmtpPeerOptions): Promise<{ peer: SmtpPeer; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const rejected: ReceivedMail[] = [];
  const failures: Array<{ code: number; message: string }> = [];
  const waiters = new Set<Waiter>();

  const accept = async (raw: Buffer, session: SMTPServerSession): Promise<void> => {
    const acceptedAt = nowMs();
    const headers = parseHeaders(raw);
    const mail: ReceivedMail = {
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
      raw,
      messageId: headers.get('message-id')?.trim() || null,
      headers,
      acceptedAt,
    };
    const failure = failures.shift();
    if (failure) {
      rejected.push(mail);
      throw new SmtpReplyError(failure.code, failure.message);
    }
    // Filed before the 250 reply, so a sender that has its answer can read the mail over IMAP.
    if (options.fileInto) {
      const fileInto = options.fileInto;
      try {
        await Promise.all(
          mail.recipients
            .filter((recipient) => options.isLocal(recipient))
            .map((recipient) => fileInto(recipient, withDeliveryHeaders(raw, mail.envelopeFrom, recipient))),
        );
      } catch (error) {
        rejected.push(mail);
        // Like an MTA whose mailbox store is down: a temporary failure, the sender retries.
        throw new SmtpReplyError(451, `sandbox could not file the message into Dovecot: ${(error as Error).message}`);
      }
    }
    received.push(mail);
    for (const waiter of waiters) {
      let matches: boolean;
      try {
        matches = waiter.predicate(mail);
      } catch (error) {
        waiter.reject(error as Error);
        continue;
      }
      if (matches) waiter.resolve(mail);
    }
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: options.oauth2 ? ['PLAIN', 'LOGIN', 'XOAUTH2'] : ['PLAIN', 'LOGIN'],
    // A reverse DNS lookup of 127.0.0.1 per connection is useless here, and on a machine whose
    // resolver does not answer it delays every greeting by up to 1.5 s.
    disableReverseLookup: true,
    logger: false,
    banner: 'Winnow test sandbox',
    // stop() should not wait 30 s for pooled client connections to leave on their own.
    closeTimeout: 50,
    // Replies go out as whole lines; never hold one back for Nagle's algorithm.
    noDelay: true,
    onAuth(auth, _session, callback) {
      if (auth.method === 'XOAUTH2') {
        const oauth2 = options.oauth2;
        const username = auth.username ?? '';
        if (!oauth2 || !auth.accessToken) {
          callback(new SmtpReplyError(535, 'Authentication credentials invalid'));
          return;
        }
        tokenOwner(oauth2, auth.accessToken).then(
          (owner) => {
            if (owner !== null && owner === username.toLowerCase()) callback(null, { user: username });
            // Gmail's way: a 334 challenge with the error as JSON; the client answers with an
            // empty line and then gets 535.
            else callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } });
          },
          (error: Error) => callback(new SmtpReplyError(454, `Temporary authentication failure: the token could not be checked (${error.message})`)),
        );
        return;
      }
      const expected = auth.username === undefined ? undefined : options.accounts.get(auth.username.toLowerCase());
      if (expected !== undefined && auth.password === expected) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new SmtpReplyError(535, 'Authentication credentials invalid'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let answered = false;
      const answer = (error: Error | null) => {
        if (answered) return;
        answered = true;
        if (error) callback(error);
        else callback(null, 'OK: message accepted by the Winnow sandbox');
      };
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error: Error) => answer(error));
      stream.on('end', () => {
        accept(Buffer.concat(chunks), session).then(() => answer(null), (error: Error) => answer(error));
      });
    },
  });
  // Client misbehaviour (a dropped connection mid-DATA) is reported per connection and is part of
  // what tests provoke; it must not become an unhandled 'error' event that ends the test process.
  server.on('error', () => {});

  // In-process, so the kernel can pick the port while we listen: no window for anyone to take it.
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      const address = server.server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('could not read the port of the SMTP peer'));
    });
  });

  const peer: SmtpPeer = {
    host: '127.0.0.1',
    port,
    secure: false,
    user: options.user,
    pass: options.pass,
    received,
    rejected,
    failNext(code, message, count = 1) {
      if (!Number.isInteger(code) || code < 400 || code > 599) throw new Error(`failNext: ${code} is not a 4xx or 5xx SMTP reply code`);
      for (let i = 0; i < count; i++) failures.push({ code, message });
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const already = received.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter: Waiter = {
          predicate,
          resolve: (mail) => {
            settle();
            resolve(mail);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        };
        const timer = setTimeout(() => {
          const seen = received.map((mail) => `${mail.recipients.join(', ')}: ${mail.headers.get('subject') ?? '(no subject)'}`);
          const list = seen.length > 0 ? `:\n  ${seen.join('\n  ')}` : '';
          waiter.reject(new Error(`smtp.waitFor: no matching message arrived within ${timeoutMs} ms; ${received.length} received${list}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };

  let closing: Promise<void> | null = null;
  return {
    peer,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const waiter of waiters) waiter.reject(new Error('smtp.waitFor: the sandbox was stopped before a matching message arrived'));
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

/**
 * The address the provider vouches for (lower-cased), or null when it says the token is not
 * active. Throws when the provider cannot be asked, so the client sees a temporary failure.
 */
async function tokenOwner(oauth2: OAuthIntrospection, accessToken: string): Promise<string | null> {
  const response = await fetch(oauth2.introspectionUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(oauth2.clientId)}:${encodeURIComponent(oauth2.clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ token: accessToken, token_type_hint: 'access_token' }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`introspection answered HTTP ${response.status}`);
  const answer = (await response.json()) as { active?: unknown; email?: unknown; sub?: unknown };
  if (answer.active !== true) return null;
  const owner = typeof answer.email === 'string' ? answer.email : typeof answer.sub === 'string' ? answer.sub : null;
  return owner?.toLowerCase() ?? null;
}

/** Header block of a raw message: lower-cased name -> first value, folded lines joined. */
export function parseHeaders(raw: Buffer): Map<string, string> {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  const headers = new Map<string, string>();
  // Unfold: a line break followed by white space continues the previous header (RFC 5322 2.2.3).
  for (const line of block.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** What a local delivery agent adds in front of the message: the envelope sender and recipient. */
function withDeliveryHeaders(raw: Buffer, envelopeFrom: string, recipient: string): Buffer {
  return Buffer.concat([Buffer.from(`Return-Path: <${envelopeFrom}>\r\nDelivered-To: ${recipient}\r\n`), raw]);
}
