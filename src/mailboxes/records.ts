import { PROVIDER_LABELS } from './oauth-providers.ts';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { fromAddressSchema, type Config } from '../config/env.ts';
import { secretKeyMissingAdvice, type Sealer } from '../config/sealed.ts';
import { mailboxKeys, serverKeys } from '../store/keys.ts';

/**
 * The user's mailboxes as records. The first is the one the environment describes (IMAP_*, SMTP_*,
 * MAIL_FROM): it has the id `primary`, is read from the config on every call and can only be paused
 * here. Others are added on the Mailboxes page or through the API and kept in Redis, one hash each,
 * their passwords and tokens only sealed (src/config/sealed.ts): without WINNOW_SECRET there is no
 * key to seal with, and adding one is refused with advice.
 *
 * Settings and templates are shared; each mailbox has its own From identity, IMAP and SMTP.
 * Every change bumps one version number, so the processes that watch mailboxes see it with one GET.
 */

/** The mailbox the environment describes. Its Redis keys (cursor, lease, health) keep this id. */
export const PRIMARY_MAILBOX = 'primary';

export class MailboxError extends Error {
  readonly problem: 'invalid' | 'missing' | 'state' | 'no_key';

  constructor(message: string, problem: MailboxError['problem']) {
    super(message);
    this.problem = problem;
    this.name = 'MailboxError';
  }
}

/** The advice when there is no key to seal a secret with. */
export const NO_SECRET_KEY_ADVICE = `${secretKeyMissingAdvice("A mailbox's password or sign-in token")}, then add the mailbox again.`;

export type MailboxAuth = 'password' | 'google' | 'microsoft';

export interface ServerSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
}

/** A mailbox as Winnow shows it: never a secret. */
export interface Mailbox {
  id: string;
  name: string;
  from: { name: string; address: string };
  imap: ServerSettings & { folder: string };
  smtp: ServerSettings;
  auth: MailboxAuth;
  /** `env` for the one the environment describes (change it there); `added` for the others. */
  source: 'env' | 'added';
  paused: boolean;
  /** Its provider refused its sign-in (OAuth2): not watched, nothing sent from it, until the user signs in again. */
  needsSignIn: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Where a mailbox stands, as its watcher last recorded it (in Redis, so every process sees it). */
export type MailboxState = 'connected' | 'connecting' | 'failing' | 'paused' | 'needs_sign_in';

export interface MailboxWithState extends Mailbox {
  state: MailboxState;
  /** Since when it is connected (state `connected`); null otherwise. */
  connectedSince: number | null;
  /** The last error as advice (what is wrong and what to change); null when there is none. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** When the last new mail was seen in it. */
  lastMailAt: number | null;
}

/** A mailbox's state from its record and its watcher's health hash (src/mailbox/watcher.ts). */
export function stateOf(mailbox: Mailbox, health: Record<string, string>, signIn: string | undefined): MailboxWithState {
  const lastError = health.lastError || null;
  const connected = health.connected === '1';
  const state: MailboxState = mailbox.paused ? 'paused' : signIn === 'needed' ? 'needs_sign_in' : connected ? 'connected' : lastError ? 'failing' : 'connecting';
  return {
    ...mailbox,
    state,
    connectedSince: state === 'connected' ? Number(health.connectedAt) || null : null,
    lastError: state === 'connected' ? null : lastError,
    lastErrorAt: state === 'connected' ? null : Number(health.lastErrorAt) || null,
    lastMailAt: Number(health.lastMailAt) || null,
  };
}

/** What Winnow needs to reach a mailbox: the record with its secrets opened. */
export interface MailboxAccess extends Mailbox {
  imapPass: string | null;
  smtpPass: string | null;
}

// ---- What a user may give ----------------------------------------------------------------------

const host = z
  .string({ error: 'is required (a host name such as imap.example.com)' })
  .trim()
  .min(1, 'is required (a host name such as imap.example.com)')
  .max(253, 'is longer than a host name can be')
  // Said only of a host that was given: an empty one is "required", not also "not a host name".
  .refine((value) => value === '' || /^[A-Za-z0-9.:[\]-]+$/.test(value), 'is not a host name or an IP address');
const port = z.number({ error: 'must be a port number' }).int('must be a whole number').min(1, 'must be from 1 to 65535').max(65535, 'must be from 1 to 65535');
const user = z.string({ error: 'is required (the login, usually your address)' }).trim().min(1, 'is required (the login, usually your address)').max(320, 'must be at most 320 characters');
const pass = z.string({ error: 'is required' }).min(1, 'is required').max(2000, 'must be at most 2000 characters');
const serverFields = { host, port: port.optional(), secure: z.boolean({ error: 'must be true or false' }).optional(), user, pass };

/** TLS from the first byte on the usual TLS port, and by default; the port follows from it when left out. */
function withTlsDefault(ports: { tls: number; plain: number }) {
  return <T extends { port?: number | undefined; secure?: boolean | undefined }>(value: T) => {
    const secure = value.secure ?? (value.port === undefined || value.port === ports.tls);
    return { ...value, secure, port: value.port ?? (secure ? ports.tls : ports.plain) };
  };
}

const fromField = fromAddressSchema('is required (the address scripts come from, e.g. "Ada Lovelace <ada@example.com>")');

const name = z.string({ error: 'is required (what you call this mailbox, e.g. "Work")' }).trim().min(1, 'is required (what you call this mailbox, e.g. "Work")').max(100, 'must be at most 100 characters');
const folder = z.string({ error: 'must be a folder name' }).trim().min(1, 'must be a folder name').max(200, 'must be at most 200 characters');

/** A mail server's host and port, and what the user calls a mailbox, as every form of one takes them. */
export { host as serverHost, port as serverPort, name as mailboxName };

/** A new mailbox with a password, as the API and the Mailboxes page take it. */
export const newMailboxSchema = z.object({
  name,
  from: fromField,
  imap: z.object({ ...serverFields, folder: folder.optional() }).transform(withTlsDefault({ tls: 993, plain: 143 })),
  smtp: z.object(serverFields).transform(withTlsDefault({ tls: 465, plain: 587 })),
});
export type NewMailbox = z.input<typeof newMailboxSchema>;

/** Every problem of a new mailbox's settings, as "imap.port: must be …" lines; empty when there is none. */
export function mailboxProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'mailbox'}: ${issue.message}`);
}

// ---- The store ---------------------------------------------------------------------------------

/** Passwords, and the OAuth2 tokens of src/mailboxes/oauth-tokens.ts. */
const SECRET_FIELDS = ['imapPass', 'smtpPass', 'refreshToken', 'accessToken'] as const;

export function newMailboxId(): string {
  return `mbx_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
}

/** A mailbox id as the API takes it: `primary` or `mbx_` and letters and digits. */
export const MAILBOX_ID = /^(?:primary|mbx_[a-z0-9]{6,32})$/;

export interface MailboxStoreOptions {
  /** Seals passwords and tokens; null without WINNOW_SECRET (then adding a mailbox is refused). */
  secrets: Sealer | null;
  /** The environment's mailbox. */
  config: Pick<Readonly<Config>, 'imap' | 'smtp' | 'mailFrom' | 'allowPlaintext'>;
  now?: () => number;
}

export function createMailboxStore(redis: Redis, prefix: string, options: MailboxStoreOptions) {
  const keys = serverKeys(prefix).mailboxes;
  const now = options.now ?? Date.now;
  const { config } = options;

  function primary(fields: Record<string, string>): Mailbox {
    return {
      id: PRIMARY_MAILBOX,
      name: fields.name || 'Main mailbox',
      from: config.mailFrom,
      imap: { host: config.imap.host, port: config.imap.port, secure: config.imap.secure, user: config.imap.user, folder: config.imap.mailbox },
      smtp: { host: config.smtp.host, port: config.smtp.port, secure: config.smtp.secure, user: config.smtp.user ?? '' },
      auth: 'password',
      source: 'env',
      paused: fields.paused === '1',
      needsSignIn: false,
      createdAt: Number(fields.createdAt) || 0,
      updatedAt: Number(fields.updatedAt) || 0,
    };
  }

  function fromHash(id: string, fields: Record<string, string>): Mailbox | null {
    if (id === PRIMARY_MAILBOX) return primary(fields);
    if (!fields.imapHost) return null;
    return {
      id,
      name: fields.name ?? id,
      from: { name: fields.fromName ?? '', address: fields.fromAddress ?? '' },
      imap: { host: fields.imapHost, port: Number(fields.imapPort), secure: fields.imapSecure === '1', user: fields.imapUser ?? '', folder: fields.imapFolder || 'INBOX' },
      smtp: { host: fields.smtpHost ?? '', port: Number(fields.smtpPort), secure: fields.smtpSecure === '1', user: fields.smtpUser ?? '' },
      auth: (fields.auth as MailboxAuth | undefined) ?? 'password',
      source: 'added',
      paused: fields.paused === '1',
      needsSignIn: fields.signIn === 'needed',
      createdAt: Number(fields.createdAt) || 0,
      updatedAt: Number(fields.updatedAt) || 0,
    };
  }

  function opened(value: string | undefined, what: string, id: string): string | null {
    if (!value) return null;
    if (!options.secrets) throw new MailboxError(`the ${what} of mailbox ${id} is encrypted and WINNOW_SECRET is not set, so it cannot be read. ${NO_SECRET_KEY_ADVICE}`, 'no_key');
    return options.secrets.open(value);
  }

  const store = {
    /** The number every change bumps; equal numbers mean nothing changed. */
    async version(): Promise<number> {
      return Number(await redis.get(keys.version)) || 0;
    },

    /** Every mailbox, the environment's first, then the others oldest first. */
    async list(): Promise<Mailbox[]> {
      const ids = await redis.zrange(keys.ids, 0, -1);
      const batch = redis.pipeline();
      for (const id of [PRIMARY_MAILBOX, ...ids]) batch.hgetall(keys.record(id));
      const results = (await batch.exec()) ?? [];
      return [PRIMARY_MAILBOX, ...ids]
        .map((id, index) => fromHash(id, (results[index]?.[1] as Record<string, string> | undefined) ?? {}))
        .filter((mailbox): mailbox is Mailbox => mailbox !== null);
    },

    /** Every mailbox with where it stands. */
    async withState(): Promise<MailboxWithState[]> {
      const all = await store.list();
      const batch = redis.pipeline();
      for (const mailbox of all) batch.hgetall(mailboxKeys(prefix, mailbox.id).health).hget(keys.record(mailbox.id), 'signIn');
      const results = (await batch.exec()) ?? [];
      return all.map((mailbox, index) => stateOf(mailbox, (results[index * 2]?.[1] as Record<string, string> | undefined) ?? {}, (results[index * 2 + 1]?.[1] as string | null | undefined) ?? undefined));
    },

    async get(id: string): Promise<Mailbox | null> {
      if (!MAILBOX_ID.test(id)) return null;
      return fromHash(id, await redis.hgetall(keys.record(id)));
    },

    /** The mailbox with its secrets opened, for the processes that connect to it. */
    async access(id: string): Promise<MailboxAccess | null> {
      if (!MAILBOX_ID.test(id)) return null;
      const fields = await redis.hgetall(keys.record(id));
      const mailbox = fromHash(id, fields);
      if (!mailbox) return null;
      if (id === PRIMARY_MAILBOX) return { ...mailbox, imapPass: config.imap.pass, smtpPass: config.smtp.pass };
      return { ...mailbox, imapPass: opened(fields.imapPass, 'IMAP password', id), smtpPass: opened(fields.smtpPass, 'SMTP password', id) };
    },

    /**
     * Adds a mailbox with a password. Throws MailboxError: `invalid` with every problem of the
     * settings, `no_key` without WINNOW_SECRET. Whether the servers answer is not checked here:
     * the mailbox is watched at once, and its state says why it does not connect.
     */
    async add(input: unknown): Promise<Mailbox> {
      const parsed = newMailboxSchema.safeParse(input);
      if (!parsed.success) throw new MailboxError(mailboxProblems(parsed.error).join('; '), 'invalid');
      if (!options.secrets) throw new MailboxError(NO_SECRET_KEY_ADVICE, 'no_key');
      const value = parsed.data;
      const id = newMailboxId();
      const at = now();
      const fields: Record<string, string> = {
        name: value.name,
        fromName: value.from.name,
        fromAddress: value.from.address,
        imapHost: value.imap.host,
        imapPort: String(value.imap.port),
        imapSecure: value.imap.secure ? '1' : '0',
        imapUser: value.imap.user,
        imapFolder: value.imap.folder ?? 'INBOX',
        imapPass: options.secrets.seal(value.imap.pass),
        smtpHost: value.smtp.host,
        smtpPort: String(value.smtp.port),
        smtpSecure: value.smtp.secure ? '1' : '0',
        smtpUser: value.smtp.user,
        smtpPass: options.secrets.seal(value.smtp.pass),
        auth: 'password',
        paused: '0',
        createdAt: String(at),
        updatedAt: String(at),
      };
      await redis.multi().hset(keys.record(id), fields).zadd(keys.ids, at, id).incr(keys.version).exec();
      return fromHash(id, fields)!;
    },

    /** Adds or updates a mailbox whose fields a caller has checked (the OAuth sign-in); secrets are sealed here. */
    async save(id: string, fields: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
      if (Object.keys(secrets).length > 0 && !options.secrets) throw new MailboxError(NO_SECRET_KEY_ADVICE, 'no_key');
      const sealed = Object.fromEntries(Object.entries(secrets).map(([field, value]) => [field, options.secrets!.seal(value)]));
      const at = now();
      const exists = await redis.exists(keys.record(id));
      const batch = redis.multi().hset(keys.record(id), { ...fields, ...sealed, updatedAt: String(at) });
      if (!exists) batch.hset(keys.record(id), 'createdAt', String(at)).zadd(keys.ids, at, id);
      await batch.incr(keys.version).exec();
    },

    /** Opens one sealed field of a mailbox (a token); null when it has none. */
    async secret(id: string, field: string): Promise<string | null> {
      return opened((await redis.hget(keys.record(id), field)) ?? undefined, field, id);
    },

    /** Changes name, From, folder or the servers of an added mailbox; a password left out stays. */
    async update(id: string, input: unknown): Promise<Mailbox> {
      const current = await store.get(id);
      if (!current) throw new MailboxError('there is no such mailbox', 'missing');
      if (current.source === 'env') throw new MailboxError('the main mailbox is set in the environment (IMAP_*, SMTP_*, MAIL_FROM); change it there', 'state');
      const patchSchema = z.object({
        name: name.optional(),
        from: fromField.optional(),
        imap: z.object({ host: host.optional(), port: port.optional(), secure: z.boolean().optional(), user: user.optional(), pass: pass.optional(), folder: folder.optional() }).optional(),
        smtp: z.object({ host: host.optional(), port: port.optional(), secure: z.boolean().optional(), user: user.optional(), pass: pass.optional() }).optional(),
      });
      const parsed = patchSchema.safeParse(input);
      if (!parsed.success) throw new MailboxError(mailboxProblems(parsed.error).join('; '), 'invalid');
      const value = parsed.data;
      if ((value.imap?.pass || value.smtp?.pass) && !options.secrets) throw new MailboxError(NO_SECRET_KEY_ADVICE, 'no_key');
      // A stored password or token is only ever sent to the server it was given for: a new host or
      // login needs the password again, and a mailbox signed in with a provider keeps its servers.
      const moved = (['imap', 'smtp'] as const).filter((side) => {
        const given = value[side];
        const stored = current[side];
        return given !== undefined && ((given.host !== undefined && given.host.toLowerCase() !== stored.host.toLowerCase()) || (given.user !== undefined && given.user !== stored.user));
      });
      if (current.auth !== 'password' && moved.length > 0) {
        const provider = PROVIDER_LABELS[current.auth];
        throw new MailboxError(`${moved.map((side) => `${side}: a mailbox signed in with ${provider} keeps its servers and login; connect another mailbox instead`).join('; ')}`, 'invalid');
      }
      const passless = moved.filter((side) => !value[side]?.pass);
      if (passless.length > 0) {
        throw new MailboxError(passless.map((side) => `${side}.pass: is required when the ${side.toUpperCase()} host or login changes (the stored one is sent to no other server)`).join('; '), 'invalid');
      }
      const fields: Record<string, string> = {};
      if (value.name !== undefined) fields.name = value.name;
      if (value.from) Object.assign(fields, { fromName: value.from.name, fromAddress: value.from.address });
      for (const side of ['imap', 'smtp'] as const) {
        const given = value[side];
        if (!given) continue;
        if (given.host !== undefined) fields[`${side}Host`] = given.host;
        if (given.port !== undefined) fields[`${side}Port`] = String(given.port);
        if (given.secure !== undefined) fields[`${side}Secure`] = given.secure ? '1' : '0';
        if (given.user !== undefined) fields[`${side}User`] = given.user;
        if (given.pass !== undefined) fields[`${side}Pass`] = options.secrets!.seal(given.pass);
      }
      if (value.imap?.folder !== undefined) fields.imapFolder = value.imap.folder;
      fields.updatedAt = String(now());
      await redis.multi().hset(keys.record(id), fields).incr(keys.version).exec();
      return (await store.get(id))!;
    },

    /** Stops or starts watching a mailbox (the main one too); the record stays. */
    async setPaused(id: string, paused: boolean): Promise<Mailbox> {
      const current = await store.get(id);
      if (!current) throw new MailboxError('there is no such mailbox', 'missing');
      await redis.multi().hset(keys.record(id), { paused: paused ? '1' : '0', updatedAt: String(now()) }).incr(keys.version).exec();
      return { ...current, paused };
    },

    /**
     * Removes an added mailbox: its record, secrets, cursor and health. The people whose requests
     * came to it stay; their scripts can no longer be sent from it. Null when there is none.
     */
    async remove(id: string): Promise<Mailbox | null> {
      const current = await store.get(id);
      if (!current) return null;
      if (current.source === 'env') throw new MailboxError('the main mailbox is set in the environment; pause it instead, or change IMAP_* there', 'state');
      const own = mailboxKeys(prefix, id);
      await redis.multi().del(keys.record(id), own.cursor, own.health).zrem(keys.ids, id).incr(keys.version).exec();
      return current;
    },
  };
  return store;
}

export type MailboxStore = ReturnType<typeof createMailboxStore>;

/** The fields of a record that hold sealed secrets, for the check that none is kept in clear. */
export const SEALED_FIELDS: readonly string[] = SECRET_FIELDS;
