/**
 * Turns a failed IMAP, SMTP or Redis connection into advice: what went wrong, in words, and the
 * setting or command that most likely fixes it. Pure (no I/O), so `doctor`, the mailbox watcher's
 * log and the overview's mailbox health say the same thing, and it is tested with plain errors.
 *
 * The facts read here are what the libraries expose (imapflow 2.10, nodemailer 10.6, ioredis 5):
 * imapflow marks a refused login with `authenticationFailed` and the server's
 * `serverResponseCode` (AUTHENTICATIONFAILED), a missing STARTTLS with `tlsFailed`, a silent server
 * with code GREETING_TIMEOUT; nodemailer has `code` EAUTH / ETLS / ETIMEDOUT (with `timeoutType`
 * GREETING_TIMEOUT) / ESOCKET with the TLS library's code in `originalCode`; Node itself gives
 * ECONNREFUSED, ETIMEDOUT, ENOTFOUND, ERR_SSL_WRONG_VERSION_NUMBER, CERT_HAS_EXPIRED and the like.
 */

export type MailService = 'IMAP' | 'SMTP';

/** How Winnow tried to reach a mail server: what the advice refers to. Never holds a password. */
export interface MailEndpoint {
  service: MailService;
  host: string;
  port: number;
  /** TLS from the first byte (IMAP_SECURE / SMTP_SECURE, or the default on 993 / 465). */
  secure: boolean;
  /** STARTTLS insisted on before the login (not secure and ALLOW_PLAINTEXT off). */
  requireTls: boolean;
  /** The login name, or null when none is set (SMTP without SMTP_USER). */
  user: string | null;
  /**
   * Where the user changes these settings: the environment (IMAP_HOST…, the default), or a mailbox
   * record on the Mailboxes page and the API (imap.host…).
   */
  settings?: 'environment' | 'record';
}

const RECORD_FIELDS: Readonly<Record<string, string>> = { HOST: 'host', PORT: 'port', SECURE: 'secure', USER: 'user', PASS: 'pass', MAILBOX: 'folder' };

export type AdviceKind =
  | 'login-refused'
  | 'login-needed'
  | 'connection-refused'
  | 'timed-out'
  | 'host-not-found'
  | 'dns-unavailable'
  | 'tls-to-plain-port'
  | 'plain-to-tls-port'
  | 'no-starttls'
  | 'certificate'
  | 'connection-dropped'
  | 'folder-missing'
  | 'redis-password'
  | 'redis-unreachable'
  | 'redis-eviction'
  | 'other';

export interface Advice {
  /** Which failure this is; a log line is written when it changes, not on every retry. */
  kind: AdviceKind;
  /** What went wrong, in words: one sentence without a full stop. */
  problem: string;
  /** What to change or run: one or more sentences, or '' when there is nothing to suggest. */
  fix: string;
}

/** Problem and fix as one line, for logs, health records and the dashboard. */
export function adviceText(advice: Advice): string {
  return advice.fix ? `${capitalise(advice.problem)}. ${advice.fix}` : `${capitalise(advice.problem)}.`;
}

interface ErrorFacts {
  message: string;
  code: string | null;
  originalCode: string | null;
  /** The server's own words, where it gave some. */
  serverText: string | null;
  command: string | null;
  responseCode: number | null;
  authenticationFailed: boolean;
  tlsFailed: boolean;
  greetingTimeout: boolean;
  /** Set on the error when the login worked but this folder could not be opened. */
  folder: string | null;
  name: string;
}

function factsOf(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) {
    return { message: String(error), code: null, originalCode: null, serverText: null, command: null, responseCode: null, authenticationFailed: false, tlsFailed: false, greetingTimeout: false, folder: null, name: '' };
  }
  const e = error as Error & Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
  const code = text(e.code);
  return {
    message: error.message.split('\n')[0]!.trim(),
    code,
    originalCode: text(e.originalCode),
    serverText: text(e.responseText) ?? text(e.response),
    command: text(e.command) ?? text(e.executedCommand),
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
    authenticationFailed: e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED',
    tlsFailed: e.tlsFailed === true,
    greetingTimeout: code === 'GREETING_TIMEOUT' || e.timeoutType === 'GREETING_TIMEOUT',
    folder: text(e.folder),
    name: error.name,
  };
}

/** Ports that speak TLS from the first byte, and the ones that upgrade with STARTTLS. */
const PORTS = {
  IMAP: { tls: 993, starttls: 143 },
  SMTP: { tls: 465, starttls: 587 },
} as const;

/** Node's TLS codes for a peer that did not answer in TLS (it spoke plain text). */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'EPROTO']);
/** Node's codes for a certificate the system does not trust. */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'ESOCKETTIMEDOUT', 'UPGRADE_TIMEOUT', 'ECONNECTION_TIMEOUT', 'CONNECT_TIMEOUT']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'NoConnection', 'EConnectionClosed']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/** An imapflow or nodemailer error as advice about the IMAP_* or SMTP_* settings. */
export function mailAdvice(error: unknown, endpoint: MailEndpoint): Advice {
  const facts = factsOf(error);
  const { service, host, port } = endpoint;
  const ports = PORTS[service];
  const at = `${host}:${port}`;
  const setting = (name: string) => (endpoint.settings === 'record' ? `${service.toLowerCase()}.${RECORD_FIELDS[name] ?? name.toLowerCase()}` : `${service}_${name}`);
  const codes = [facts.code, facts.originalCode];
  const has = (set: Set<string>) => codes.some((code) => code !== null && set.has(code));
  const serverSaid = facts.serverText ? ` (the server said: ${quote(facts.serverText)})` : '';

  if (facts.folder !== null) {
    return {
      kind: 'folder-missing',
      problem: facts.message,
      fix: `Check ${setting('MAILBOX')}: usually INBOX; other folders by their full name as your mail client shows it (on some servers with a prefix such as INBOX.Requests).`,
    };
  }
  const loginRefused =
    facts.authenticationFailed ||
    (service === 'SMTP' && (facts.code === 'EAUTH' || facts.responseCode === 535 || facts.responseCode === 534 || (facts.command?.startsWith('AUTH') ?? false)));
  if (loginRefused) {
    return {
      kind: 'login-refused',
      problem: `the ${service} server at ${at} refused the login${endpoint.user ? ` of ${endpoint.user}` : ''}${serverSaid}`,
      fix: `Check ${setting('USER')} and ${setting('PASS')}. Gmail, Outlook/Microsoft 365, iCloud and Yahoo take an app password here (made in the account's security settings, with two-step verification on), not the password you sign in with.`,
    };
  }
  if (service === 'SMTP' && (facts.code === 'ENOAUTH' || facts.responseCode === 530)) {
    return {
      kind: 'login-needed',
      problem: `the SMTP server at ${at} wants a login before it takes mail${serverSaid}`,
      fix: endpoint.user ? `Check ${setting('USER')} and ${setting('PASS')}.` : `Set ${setting('USER')} and ${setting('PASS')} (usually the same as ${endpoint.settings === 'record' ? 'the IMAP login' : 'IMAP_USER and IMAP_PASS'}).`,
    };
  }

  const noStarttls = (service === 'IMAP' && facts.tlsFailed && /STARTTLS/i.test(facts.message)) || (service === 'SMTP' && facts.code === 'ETLS' && facts.command === 'STARTTLS' && facts.responseCode !== null);
  if (noStarttls) {
    return {
      kind: 'no-starttls',
      problem: `${at} does not offer STARTTLS, so Winnow did not send the password over a plain connection`,
      fix: `Use the TLS port: ${setting('PORT')}=${ports.tls} with ${setting('SECURE')}=true. For a server on this machine or a link you trust, ALLOW_PLAINTEXT=true lets Winnow log in without TLS.`,
    };
  }
  if (has(NOT_TLS_CODES) || /wrong version number|packet length too long|http request/i.test(facts.message)) {
    return {
      kind: 'tls-to-plain-port',
      problem: `Winnow spoke TLS to ${at} (${setting('SECURE')}=true${port === ports.tls ? `, the default on port ${ports.tls}` : ''}), and the server answered in plain text`,
      fix: `That port expects STARTTLS or no TLS: set ${setting('SECURE')}=false to keep port ${port} (Winnow then upgrades with STARTTLS), or use the TLS port ${ports.tls} with ${setting('SECURE')}=true.`,
    };
  }
  if (facts.greetingTimeout) {
    return {
      kind: 'plain-to-tls-port',
      problem: `${at} accepted the connection but never sent its greeting`,
      fix: endpoint.secure
        ? `Check ${setting('HOST')} and ${setting('PORT')}: the server may be overloaded, or something other than ${service} listens there.`
        : `A port that expects TLS from the first byte (${ports.tls}) stays silent like this: set ${setting('SECURE')}=true, or use the STARTTLS port ${ports.starttls}.`,
    };
  }
  if (has(CERTIFICATE_CODES)) {
    return {
      kind: 'certificate',
      problem: `the TLS certificate of ${at} is not trusted (${facts.message})`,
      fix: `Check that ${setting('HOST')} is the name the server's certificate is made out to (your provider's documented host name, not an IP address or an alias).`,
    };
  }
  if (has(new Set(['ECONNREFUSED']))) {
    return {
      kind: 'connection-refused',
      problem: `nothing accepts connections at ${at} (connection refused)`,
      fix: `Check ${setting('HOST')} and ${setting('PORT')}: ${service} servers listen on ${ports.tls} (TLS, ${setting('SECURE')}=true) or ${ports.starttls} (STARTTLS).${isLocal(host) ? ` If the server runs on this machine, is it running?` : ''}`,
    };
  }
  if (has(new Set(['ENOTFOUND']))) {
    return {
      kind: 'host-not-found',
      problem: `the host name ${quote(host)} does not exist (DNS found no address for it)`,
      fix: `Check ${setting('HOST')} for a typo; your provider documents it (for example imap.gmail.com and smtp.gmail.com, outlook.office365.com and smtp.office365.com).`,
    };
  }
  if (has(new Set(['EAI_AGAIN', 'EDNS']))) {
    return {
      kind: 'dns-unavailable',
      problem: `the host name ${quote(host)} could not be looked up (DNS did not answer)`,
      fix: 'Check the network connection and DNS settings of this machine, then try again.',
    };
  }
  if (has(TIMEOUT_CODES) || has(UNREACHABLE_CODES) || /timed? ?out/i.test(facts.message)) {
    return {
      kind: 'timed-out',
      problem: `${at} did not answer in time (${facts.message})`,
      fix: `The host is down or unreachable, a firewall drops the connection, or the port is wrong: check ${setting('HOST')} and ${setting('PORT')} (${service} uses ${ports.tls} with ${setting('SECURE')}=true, or ${ports.starttls} with STARTTLS).`,
    };
  }
  if (has(DROPPED_CODES) || /closed|reset/i.test(facts.message)) {
    return {
      kind: 'connection-dropped',
      problem: `${at} closed the connection (${facts.message})`,
      fix: facts.tlsFailed
        ? `The TLS upgrade failed: check ${setting('PORT')} and ${setting('SECURE')} (${ports.tls} with ${setting('SECURE')}=true, or ${ports.starttls} with STARTTLS).`
        : 'Winnow reconnects on its own; if this repeats, the server may limit connections or have dropped this client.',
    };
  }
  return {
    kind: 'other',
    problem: `${service} at ${at} failed: ${facts.message}${facts.serverText && !facts.message.includes(facts.serverText) ? ` (the server said: ${quote(facts.serverText)})` : ''}`,
    fix: '',
  };
}

/** Whether an error comes from ioredis (a connection that is gone, or a reply), not from a mail server. */
export function isRedisError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return ['MaxRetriesPerRequestError', 'ReplyError', 'AbortError', 'RedisError'].includes(error.name) || /^Connection is closed\.?$|^Stream isn't writeable/.test(error.message);
}

/**
 * An ioredis error (best: the one its 'error' event reported, which carries the cause) as advice
 * about REDIS_URL. Without a URL (a component that only holds a connection) it says "Redis".
 */
export function redisAdvice(error: unknown, url: string | null): Advice {
  const facts = factsOf(error);
  const shown = url ? maskUrl(url) : 'Redis';
  const where = url ? ` at ${maskUrl(url)}` : '';
  const { host, port } = hostOf(url);
  const codes = [facts.code, facts.originalCode];
  const has = (...names: string[]) => codes.some((code) => code !== null && names.includes(code));
  if (/^(NOAUTH|WRONGPASS)/.test(facts.message) || /invalid password|AUTH <password> called without/i.test(facts.message)) {
    const missing = facts.message.startsWith('NOAUTH');
    return {
      kind: 'redis-password',
      problem: missing ? `Redis${where} wants a password` : `Redis${where} refused the password in REDIS_URL`,
      fix: `Put the password (and the user, with Redis ACLs) in REDIS_URL: redis://:PASSWORD@${host}:${port} or redis://USER:PASSWORD@${host}:${port}.`,
    };
  }
  if (has('ECONNREFUSED')) {
    return {
      kind: 'redis-unreachable',
      problem: `Redis is unreachable: nothing accepts connections at ${shown}`,
      fix: isLocal(host)
        ? `Start Redis (\`sudo systemctl start redis-server\`, or \`redis-server --port ${port} --appendonly yes --maxmemory-policy noeviction\`), or correct REDIS_URL.`
        : 'Check that Redis runs there and accepts connections from this machine (bind and protected-mode in redis.conf), or correct REDIS_URL.',
    };
  }
  if (has('ENOTFOUND', 'EAI_AGAIN')) {
    return { kind: 'redis-unreachable', problem: `Redis is unreachable: the host name ${quote(host)} in REDIS_URL was not found`, fix: 'Check REDIS_URL for a typo.' };
  }
  if (has('ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH')) {
    return { kind: 'redis-unreachable', problem: `Redis${where} is unreachable: it did not answer in time`, fix: 'Check that the host is up and that no firewall drops the connection, or correct REDIS_URL.' };
  }
  if (has(...NOT_TLS_CODES) || /wrong version number/i.test(facts.message)) {
    return { kind: 'redis-unreachable', problem: `Winnow spoke TLS to ${shown} (rediss://) and the server answered in plain text`, fix: `Use redis:// instead of rediss:// in REDIS_URL, or the server's TLS port.` };
  }
  if (isRedisError(error) || has('ECONNRESET')) {
    // ioredis reports the cause (refused, not found) as an 'error' event; what the command or
    // connect() rejects with says only that the connection is gone.
    return {
      kind: 'redis-unreachable',
      problem: `Redis${where} is unreachable: the connection closed (${facts.message})`,
      fix: 'Check that Redis is running and that REDIS_URL points at it (Redis listens on 6379 unless told otherwise).',
    };
  }
  return { kind: 'other', problem: `Redis${where} failed: ${facts.message}`, fix: '' };
}

/** Redis would evict keys under memory pressure: people and jobs could vanish without a trace. */
export function evictionAdvice(policy: string, url: string): Advice {
  return {
    kind: 'redis-eviction',
    problem: `Redis maxmemory-policy is ${quote(policy)}, so under memory pressure Redis would silently drop people and jobs`,
    fix: `Run \`redis-cli -u ${maskUrl(url)} CONFIG SET maxmemory-policy noeviction\`, and set \`maxmemory-policy noeviction\` in redis.conf so it survives a restart (on a managed Redis, choose noeviction in its settings).`,
  };
}

/** REDIS_URL with any password replaced by ***, for messages and logs. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_match, userinfo: string) => {
    const user = userinfo.includes(':') ? userinfo.slice(0, userinfo.indexOf(':')) : '';
    return `//${user}:***@`;
  });
}

function hostOf(url: string | null): { host: string; port: number } {
  try {
    if (!url) throw new Error('no URL');
    const parsed = new URL(url);
    return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
  } catch {
    return { host: '127.0.0.1', port: 6379 };
  }
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function quote(text: string): string {
  return `"${text.length > 200 ? `${text.slice(0, 200)}…` : text}"`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
