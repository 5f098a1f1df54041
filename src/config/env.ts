import { isIP } from 'node:net';
import { z } from 'zod';
import { parseMailbox } from '../text/address.ts';
import { maskUrl } from './advice.ts';
import { parseDuration } from './duration.ts';
import { webhookSecretProblem, webhookUrlFormProblem } from './webhook.ts';

/**
 * The one place that reads the environment. Every problem is collected and reported together,
 * before anything connects, and the result is frozen.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const port = z.coerce
  .number({ message: 'must be a port number (1 to 65535)' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const duration = (fallback: string, min: string, max: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      const ms = parseDuration(value);
      if (ms === null) {
        context.addIssue({ code: 'custom', message: 'is not a duration such as 7d, 12h or 30s' });
        return z.NEVER;
      }
      if (ms < parseDuration(min)! || ms > parseDuration(max)!) {
        context.addIssue({ code: 'custom', message: `must be between ${min} and ${max}` });
        return z.NEVER;
      }
      return ms;
    });

/**
 * Which proxies in front of the dashboard may say who the client is (X-Forwarded-For, -Proto):
 * none (`false`, the default), the nearest N hops (`1` for one reverse proxy), or the proxies'
 * own addresses or ranges (`10.0.0.2, 192.168.0.0/16`, or proxy-addr's names `loopback`,
 * `linklocal`, `uniquelocal`). Never "every proxy": that would believe whatever address a client
 * writes into the header, and every login attempt could come from a new one.
 */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, an address range (CIDR), or one of proxy-addr's names, else why not. */
function proxyEntryProblem(entry: string): string | null {
  if (PROXY_NAMES.has(entry)) return null;
  const [address = '', bits, ...extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return `"${entry}" is not an address, a range such as 10.0.0.0/8, or loopback, linklocal, uniquelocal`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}" has a range size that is not 0 to ${max}`;
  return null;
}

const trustProxy = z
  .string()
  .trim()
  .default('false')
  .transform((value, context): TrustProxy => {
    const lower = value.toLowerCase();
    if (lower === 'false' || lower === 'no' || lower === '0' || lower === 'none') return false;
    if (lower === 'true' || lower === 'yes') {
      context.addIssue({
        code: 'custom',
        message: 'true would believe any X-Forwarded-For a client writes (and give it a new address for every login attempt); give the number of proxies in front of Winnow (1 for one reverse proxy) or their addresses',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(lower)) {
      const hops = Number(lower);
      if (hops > 10) context.addIssue({ code: 'custom', message: `must be a number of proxies from 1 to 10 (got ${value})` });
      return hops;
    }
    const entries = lower.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    for (const entry of entries) {
      const problem = proxyEntryProblem(entry);
      if (problem) context.addIssue({ code: 'custom', message: `${problem}; give false, a number of proxies, or proxy addresses separated by commas` });
    }
    return entries;
  });

/** A text setting checked by a function that says what is wrong with a value (null: nothing). */
const checkedBy = (problemOf: (value: string) => string | null) =>
  z
    .string()
    .trim()
    .superRefine((value, context) => {
      const problem = problemOf(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    });

/** Shorter dashboard passwords could be guessed: the login limits slow guessing down, they do not stop it. */
export const MIN_DASHBOARD_PASSWORD_LENGTH = 12;

const required = (what: string) => z.string({ message: `is required (${what})` }).trim().min(1, `is required (${what})`);

/** Parses `Name <address>` or a bare address. */
/**
 * A From address as the user writes it ("Ada Lovelace <ada@example.com>" or a bare address), read
 * into its name and lower-cased address: MAIL_FROM's, and that of every added mailbox.
 */
export const fromAddressSchema = (required: string) =>
  z
    .string({ message: required })
    .trim()
    .max(400, 'must be at most 400 characters')
    .transform((value, context) => {
      // A one-label domain ("ada@localhost") is fine for the user's own address on a private server.
      const mailbox = parseMailbox(value, { singleLabelDomain: true });
      if (!mailbox) {
        context.addIssue({ code: 'custom', message: 'is not an address such as "Ada Lovelace <ada@example.com>"' });
        return z.NEVER;
      }
      return { name: mailbox.name, address: mailbox.address.toLowerCase() };
    });

const mailFrom = fromAddressSchema('is required (your own address, e.g. "Ada Lovelace <ada@example.com>")');

const authservId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+$/, 'must be a host name such as mx.example.org');

const unverifiedMail = z.enum(['approve', 'accept', 'ignore'], { message: 'must be approve, accept or ignore' }).default('approve');

/** Settings that mean something only together: both set, or neither. */
const PAIRS: Array<{ names: [string, string]; advice: string }> = [
  { names: ['SMTP_USER', 'SMTP_PASS'], advice: 'set both to log in to the SMTP server, or neither to send without a login' },
  { names: ['WEBHOOK_URL', 'WEBHOOK_SECRET'], advice: 'set both to send signed webhooks to one receiver, or neither' },
  { names: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'], advice: 'set both to offer "Connect Google" (your OAuth app in the Google Cloud console), or neither' },
  { names: ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET'], advice: 'set both to offer "Connect Microsoft" (your app registration in Microsoft Entra), or neither' },
];

/**
 * An OpenID provider's issuer: https, or plain http only on this machine (a provider for tests
 * or a local stand-in), since tokens and client secrets travel to it.
 */
const issuer = z
  .string()
  .trim()
  .transform((value) => value.replace(/\/+$/, ''))
  .refine((value) => {
    try {
      const url = new URL(value);
      if (url.search || url.hash || url.username) return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])$/.test(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https address of an OpenID provider (plain http only for one on this machine: 127.0.0.1, localhost or [::1])');
const clientId = z.string().trim().min(1).max(500, 'must be at most 500 characters');


const schema = z
  .object({
    IMAP_HOST: required('your IMAP server, e.g. imap.gmail.com'),
    IMAP_PORT: port.default(993),
    IMAP_SECURE: bool.optional(),
    IMAP_USER: required('the login of your mailbox'),
    IMAP_PASS: required('the password or app password of your mailbox'),
    IMAP_MAILBOX: z.string().trim().min(1, 'must name a folder, such as INBOX').default('INBOX'),
    SMTP_HOST: required('your SMTP server, e.g. smtp.gmail.com'),
    SMTP_PORT: port.default(465),
    SMTP_SECURE: bool.optional(),
    SMTP_USER: z.string().trim().optional(),
    SMTP_PASS: z.string().optional(),
    MAIL_FROM: mailFrom,
    REDIS_URL: z
      .string()
      .trim()
      .default('redis://127.0.0.1:6379')
      .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://'),
    REDIS_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits, "_", "." and "-"')
      .default('winnow'),
    PORT: port.default(3000),
    HOST: z.string().trim().default('127.0.0.1'),
    TRUST_PROXY: trustProxy,
    ALLOW_PLAINTEXT: bool.default(false),
    DASHBOARD_PASSWORD: z
      .string({ message: 'is required (the password for the dashboard login)' })
      .min(MIN_DASHBOARD_PASSWORD_LENGTH, `must be at least ${MIN_DASHBOARD_PASSWORD_LENGTH} characters (several words make a good one)`),
    API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    // Opens /metrics, and then API_TOKEN no longer does: a scraper holds a token that opens nothing else.
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    RESPONSE_DEADLINE: duration('7d', '1s', '365d'),
    DEDUPE_WINDOW: duration('90d', '1m', '3650d'),
    // Renewed every third of itself (at least every second), so it must leave room for that.
    MAILBOX_LEASE: duration('30s', '2s', '10m'),
    BACKFILL_DAYS: z.coerce
      .number({ message: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(0, 'must be between 0 and 3650 days')
      .max(3650, 'must be between 0 and 3650 days')
      .default(0),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    // Unset: readable lines on a terminal, JSON lines otherwise (a container, a pipe, a log collector).
    LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional(),
    // The authserv-id your receiving server writes in Authentication-Results (RFC 8601), such as
    // mx.example.org. Only its verdicts are believed; unset believes none.
    AUTHSERV_ID: authservId.optional(),
    // Requests whose sender neither Winnow's own DKIM/DMARC check nor the receiving server could
    // authenticate: they wait for the user's approval (approve), are answered hands-off and
    // flagged "unverified" (accept), or are left alone (ignore). The first value of the setting
    // "Unverified senders" on the settings page, which wins once saved.
    UNVERIFIED_MAIL: unverifiedMail,
    // Seals the Message-IDs of scripts so that no one else can write a "reply" or a bounce that
    // changes a person's record. Unset: one is generated at the first start and kept in Redis.
    WINNOW_SECRET: z.string().min(16, 'must be at least 16 characters (e.g. the output of: openssl rand -base64 32)').optional(),
    // Where the dashboard is reached from the user's browser, for the links in the digest mail.
    DASHBOARD_URL: z
      .string()
      .trim()
      .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i, 'must be a web address such as https://winnow.example.org')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    // One receiver of signed webhooks (src/webhooks), for the simple case; its secret signs them.
    WEBHOOK_URL: checkedBy(webhookUrlFormProblem).optional(),
    WEBHOOK_SECRET: checkedBy(webhookSecretProblem).optional(),
    // Webhooks to loopback, private and link-local addresses; off, so a stolen session cannot probe the network.
    WEBHOOK_ALLOW_PRIVATE: bool.default(false),
    // Sign-in with Google and Microsoft 365 (OAuth2, XOAUTH2): the user's own OAuth apps. A provider
    // without a client id is not offered. The issuers default to the real ones; another OpenID
    // provider that speaks the same can stand in.
    GOOGLE_CLIENT_ID: clientId.optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).max(2000, 'must be at most 2000 characters').optional(),
    GOOGLE_ISSUER: issuer.optional(),
    MICROSOFT_CLIENT_ID: clientId.optional(),
    MICROSOFT_CLIENT_SECRET: z.string().min(1).max(2000, 'must be at most 2000 characters').optional(),
    MICROSOFT_TENANT: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.-]{1,100}$/, 'must be common, organizations, consumers, your tenant id or your domain (such as contoso.onmicrosoft.com)')
      .default('common'),
    MICROSOFT_ISSUER: issuer.optional(),
  })
  // Paired settings are checked however the rest went, so they are listed with every other
  // problem instead of after the rest is fixed (zod skips refinements of an invalid object unless
  // told otherwise). Only the raw strings are read here: other fields may be invalid.
  .superRefine(
    (env, context) => {
      const raw = env as Record<string, unknown>;
      for (const pair of PAIRS) {
        const [first, second] = pair.names;
        const has = (name: string) => typeof raw[name] === 'string' && (raw[name] as string).trim() !== '';
        if (has(first) === has(second)) continue;
        const [set, missing] = has(first) ? [first, second] : [second, first];
        context.addIssue({ code: 'custom', path: [], message: `${set} is set but ${missing} is not: ${pair.advice}` });
      }
    },
    { when: () => true },
  );

/** Names whose values are never shown, not even in an error message: only their length is. */
const SECRET_NAME = /(PASS|PASSWORD|TOKEN|SECRET|KEY)$/;

/** A value as a problem shows it: quoted, a secret masked, a password inside a URL replaced. */
export function shownValue(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return `*** (${value.length} character${value.length === 1 ? '' : 's'})`;
  const visible = name.endsWith('_URL') ? maskUrl(value) : value;
  // JSON quoting shows a stray quote, space or line break for what it is.
  return JSON.stringify(visible.length > 80 ? `${visible.slice(0, 80)}…` : visible);
}

/** One problem as a line: the setting, its value (when it has one), what is wrong. */
function problemLine(issue: z.core.$ZodIssue, env: Record<string, string>): string {
  const [name] = issue.path;
  if (typeof name !== 'string') return issue.message;
  const value = env[name];
  return value === undefined ? `${name} ${issue.message}` : `${name}=${shownValue(name, value)} ${issue.message}`;
}

export interface Config {
  /** `requireTls`: on a port without TLS from the first byte, log in only after STARTTLS. */
  imap: { host: string; port: number; secure: boolean; requireTls: boolean; user: string; pass: string; mailbox: string };
  smtp: { host: string; port: number; secure: boolean; requireTls: boolean; user: string | null; pass: string | null };
  mailFrom: { name: string; address: string };
  /** ALLOW_PLAINTEXT: log in without TLS where the server offers none (a trusted link only); also for added mailboxes. */
  allowPlaintext: boolean;
  redis: { url: string; prefix: string };
  web: { port: number; host: string; trustProxy: TrustProxy; dashboardPassword: string; apiToken: string | null; metricsToken: string | null };
  responseDeadlineMs: number;
  dedupeWindowMs: number;
  /** How long a process's hold on a mailbox lasts unrenewed; another process takes over after it. */
  mailboxLeaseMs: number;
  backfillDays: number;
  logLevel: string;
  /** `json` or `pretty`; null chooses by whether standard output is a terminal. */
  logFormat: 'json' | 'pretty' | null;
  /** The authserv-id of the user's receiving server; only its Authentication-Results are believed. */
  authservId: string | null;
  /** Requests from senders that could not be authenticated: wait for approval, answered and flagged, or left alone. */
  unverifiedMail: 'approve' | 'accept' | 'ignore';
  /** WINNOW_SECRET, or null to use the secret generated and kept in Redis (src/config/secret.ts). */
  secret: string | null;
  /** The dashboard's address as the user's browser reaches it (DASHBOARD_URL, else localhost and PORT). */
  dashboardUrl: string;
  /** The receiver set by WEBHOOK_URL and WEBHOOK_SECRET (null: none), and whether private addresses may receive webhooks. */
  webhook: { url: string | null; secret: string | null; allowPrivate: boolean };
  /** The OAuth apps for signing in with Google and Microsoft 365; a provider is null when its client id is not set. */
  oauth: { google: OAuthAppConfig | null; microsoft: (OAuthAppConfig & { tenant: string }) | null };
}

/** One provider's OAuth app: its client credentials, and the issuer when it is not the provider's own. */
export interface OAuthAppConfig {
  clientId: string;
  clientSecret: string;
  /** GOOGLE_ISSUER / MICROSOFT_ISSUER; null for the real provider. */
  issuer: string | null;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Winnow cannot start: the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment or in a .env file (see README.md, "Configuration").`);
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

/** Empty values count as unset, as in most .env conventions. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** Reads the configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const cleaned = withoutEmpty(env);
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => problemLine(issue, cleaned)));
  }
  const e = result.data;
  const imapSecure = e.IMAP_SECURE ?? e.IMAP_PORT === 993;
  const smtpSecure = e.SMTP_SECURE ?? e.SMTP_PORT === 465;
  const config: Config = {
    // Ports 993 and 465 speak TLS from the first byte; others must upgrade with STARTTLS before
    // the password is sent, unless ALLOW_PLAINTEXT says the server is on a trusted link.
    imap: { host: e.IMAP_HOST, port: e.IMAP_PORT, secure: imapSecure, requireTls: !imapSecure && !e.ALLOW_PLAINTEXT, user: e.IMAP_USER, pass: e.IMAP_PASS, mailbox: e.IMAP_MAILBOX },
    smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: smtpSecure, requireTls: !smtpSecure && !e.ALLOW_PLAINTEXT, user: e.SMTP_USER || null, pass: e.SMTP_PASS || null },
    mailFrom: e.MAIL_FROM,
    allowPlaintext: e.ALLOW_PLAINTEXT,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    web: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY, dashboardPassword: e.DASHBOARD_PASSWORD, apiToken: e.API_TOKEN ?? null, metricsToken: e.METRICS_TOKEN ?? null },
    responseDeadlineMs: e.RESPONSE_DEADLINE,
    dedupeWindowMs: e.DEDUPE_WINDOW,
    mailboxLeaseMs: e.MAILBOX_LEASE,
    backfillDays: e.BACKFILL_DAYS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? null,
    authservId: e.AUTHSERV_ID ?? null,
    unverifiedMail: e.UNVERIFIED_MAIL,
    dashboardUrl: e.DASHBOARD_URL ?? `http://localhost:${e.PORT}`,
    secret: e.WINNOW_SECRET ?? null,
    webhook: { url: e.WEBHOOK_URL ?? null, secret: e.WEBHOOK_SECRET ?? null, allowPrivate: e.WEBHOOK_ALLOW_PRIVATE },
    oauth: {
      google: e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET ? { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, issuer: e.GOOGLE_ISSUER ?? null } : null,
      microsoft: e.MICROSOFT_CLIENT_ID && e.MICROSOFT_CLIENT_SECRET ? { clientId: e.MICROSOFT_CLIENT_ID, clientSecret: e.MICROSOFT_CLIENT_SECRET, issuer: e.MICROSOFT_ISSUER ?? null, tenant: e.MICROSOFT_TENANT } : null,
    },
  };
  return deepFreeze(config);
}

/** The settings that decide how mail is read: whose mail is the user's own, and whom to believe. */
export interface ReadingConfig {
  /** The user's own address (MAIL_FROM), lower-cased; null where it is not set. */
  mailFrom: string | null;
  /** The mailbox login, which may be another address of the user's; null where it is not set. */
  imapUser: string | null;
  authservId: string | null;
  unverifiedMail: Config['unverifiedMail'];
}

export function readingConfigOf(config: Readonly<Config>): ReadingConfig {
  return { mailFrom: config.mailFrom.address, imapUser: config.imap.user, authservId: config.authservId, unverifiedMail: config.unverifiedMail };
}

const readingSchema = z.object({ MAIL_FROM: mailFrom.optional(), IMAP_USER: z.string().trim().optional(), AUTHSERV_ID: authservId.optional(), UNVERIFIED_MAIL: unverifiedMail });

/**
 * The reading settings alone, for `winnow scan`, which reads files of mail and needs no mailbox:
 * each may be unset, and each that is set is checked as `winnow start` checks it.
 */
export function loadReadingConfig(env: Record<string, string | undefined>): ReadingConfig {
  const cleaned = withoutEmpty(env);
  const result = readingSchema.safeParse(cleaned);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => problemLine(issue, cleaned)));
  const e = result.data;
  return { mailFrom: e.MAIL_FROM?.address ?? null, imapUser: e.IMAP_USER ?? null, authservId: e.AUTHSERV_ID ?? null, unverifiedMail: e.UNVERIFIED_MAIL };
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
