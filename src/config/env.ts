import { z } from 'zod';
import { parseDuration } from './duration.ts';

/**
 * The one place that reads the environment. Every problem is collected and reported together,
 * before anything connects, and the result is frozen.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const port = z.coerce
  .number({ message: 'must be a port number' })
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
        context.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 7d, 12h or 30s` });
        return z.NEVER;
      }
      if (ms < parseDuration(min)! || ms > parseDuration(max)!) {
        context.addIssue({ code: 'custom', message: `must be between ${min} and ${max} (got ${value})` });
        return z.NEVER;
      }
      return ms;
    });

const required = (what: string) => z.string({ message: `is required (${what})` }).trim().min(1, `is required (${what})`);

/** Parses `Name <address>` or a bare address. */
const mailFrom = z
  .string({ message: 'is required (your own address, e.g. "Ada Lovelace <ada@example.com>")' })
  .trim()
  .transform((value, context) => {
    const match = /^(?:"?([^"<]*?)"?\s*)?<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+|[^\s<>@]+@localhost|[^\s<>@]+@[^\s<>@.]+)>?$/.exec(value);
    if (!match || /[\r\n]/.test(value)) {
      context.addIssue({ code: 'custom', message: `"${value}" is not an address such as "Ada Lovelace <ada@example.com>"` });
      return z.NEVER;
    }
    return { name: (match[1] ?? '').trim(), address: match[2]!.toLowerCase() };
  });

const schema = z
  .object({
    IMAP_HOST: required('your IMAP server, e.g. imap.gmail.com'),
    IMAP_PORT: port.default(993),
    IMAP_SECURE: bool.optional(),
    IMAP_USER: required('the login of your mailbox'),
    IMAP_PASS: required('the password or app password of your mailbox'),
    IMAP_MAILBOX: z.string().trim().min(1).default('INBOX'),
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
    TRUST_PROXY: bool.default(false),
    ALLOW_PLAINTEXT: bool.default(false),
    DASHBOARD_PASSWORD: z
      .string({ message: 'is required (the password for the dashboard login)' })
      .min(8, 'must be at least 8 characters'),
    API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    RESPONSE_DEADLINE: duration('7d', '1s', '365d'),
    DEDUPE_WINDOW: duration('90d', '1m', '3650d'),
    // Renewed every third of itself (at least every second), so it must leave room for that.
    MAILBOX_LEASE: duration('30s', '2s', '10m'),
    BACKFILL_DAYS: z.coerce.number({ message: 'must be a number of days' }).int().min(0).max(3650).default(0),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // The authserv-id your receiving server writes in Authentication-Results (RFC 8601), such as
    // mx.example.org. Only its verdicts are believed; unset believes none.
    AUTHSERV_ID: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9.-]+$/, 'must be a host name such as mx.example.org')
      .optional(),
    // Platform mail with no Authentication-Results at all (or any, while AUTHSERV_ID is unset):
    // answered and flagged "unverified" (accept), or left alone (ignore).
    UNVERIFIED_MAIL: z.enum(['accept', 'ignore'], { message: 'must be accept or ignore' }).default('accept'),
    // Where the dashboard is reached from the user's browser, for the links in the digest mail.
    DASHBOARD_URL: z
      .string()
      .trim()
      .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i, 'must be a web address such as https://winnow.example.org')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  })
  .superRefine((env, context) => {
    if ((env.SMTP_USER === undefined || env.SMTP_USER === '') !== (env.SMTP_PASS === undefined || env.SMTP_PASS === '')) {
      context.addIssue({ code: 'custom', path: ['SMTP_PASS'], message: 'SMTP_USER and SMTP_PASS go together: set both or neither' });
    }
  });

export interface Config {
  /** `requireTls`: on a port without TLS from the first byte, log in only after STARTTLS. */
  imap: { host: string; port: number; secure: boolean; requireTls: boolean; user: string; pass: string; mailbox: string };
  smtp: { host: string; port: number; secure: boolean; requireTls: boolean; user: string | null; pass: string | null };
  mailFrom: { name: string; address: string };
  redis: { url: string; prefix: string };
  web: { port: number; host: string; trustProxy: boolean; dashboardPassword: string; apiToken: string | null };
  responseDeadlineMs: number;
  dedupeWindowMs: number;
  /** How long a process's hold on a mailbox lasts unrenewed; another process takes over after it. */
  mailboxLeaseMs: number;
  backfillDays: number;
  logLevel: string;
  /** The authserv-id of the user's receiving server; only its Authentication-Results are believed. */
  authservId: string | null;
  /** Platform mail without Authentication-Results of that server: answered and flagged, or ignored. */
  unverifiedMail: 'accept' | 'ignore';
  /** The dashboard's address as the user's browser reaches it (DASHBOARD_URL, else localhost and PORT). */
  dashboardUrl: string;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Winnow cannot start: the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment or in a .env file (see README.md, "Configuration").`);
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  // Empty values count as unset, as in most .env conventions.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
    throw new ConfigError(problems);
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
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    web: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY, dashboardPassword: e.DASHBOARD_PASSWORD, apiToken: e.API_TOKEN ?? null },
    responseDeadlineMs: e.RESPONSE_DEADLINE,
    dedupeWindowMs: e.DEDUPE_WINDOW,
    mailboxLeaseMs: e.MAILBOX_LEASE,
    backfillDays: e.BACKFILL_DAYS,
    logLevel: e.LOG_LEVEL,
    authservId: e.AUTHSERV_ID ?? null,
    unverifiedMail: e.UNVERIFIED_MAIL,
    dashboardUrl: e.DASHBOARD_URL ?? `http://localhost:${e.PORT}`,
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
