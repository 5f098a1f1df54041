// The test sandbox: a private redis-server, a private Dovecot IMAP server and an SMTP peer that
// files what it receives into the recipients' Dovecot mailboxes. Used by integration tests, by the
// benchmarks and by `npm run demo`; see "Real parts in tests" in the design notes.
//
//   const sandbox = await startSandbox();
//   try { ... } finally { await sandbox.stop(); }
//
// With `oauth: true` (or provider options) it also runs an OAuth2 provider (sandbox-oauth.ts) whose
// accounts are the sandbox users with their passwords, and Dovecot and the SMTP peer then also
// accept XOAUTH2 with the tokens it issues: `sandbox.oauth.registerApp(...)`, then sign in.
//
// Everything lives in one temporary folder that stop() removes. Server processes cannot outlive
// this process: stop() is idempotent, an 'exit' hook kills what is still running, and the kernel
// sends SIGTERM to the servers if Node dies without running either (setpriv --pdeathsig).
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDovecot, type SandboxDovecot } from './sandbox-dovecot.ts';
import { createMailboxAdmin, type MailboxAdmin } from './sandbox-mailboxes.ts';
import { registerExitCleanup } from './sandbox-process.ts';
import { externalRedis, startRedis, type RedisControl, type SandboxRedis } from './sandbox-redis.ts';
import { startSmtpPeer, type SmtpPeer } from './sandbox-smtp.ts';
import type { OAuthProviderOptions, SandboxOAuthProvider } from './sandbox-oauth.ts';

export type { ReceivedMail } from './sandbox-smtp.ts';

export interface SandboxUser {
  address: string;
  /** IMAP and SMTP login name: the address itself. */
  user: string;
  pass: string;
}

export interface SandboxOptions {
  /** Local parts (which get @example.test) or full addresses. The first one is "the user". */
  users?: string[];
  redis?: boolean;
  imap?: boolean;
  smtp?: boolean;
  /** Run an OAuth2 provider for the users too, trusted by Dovecot and the SMTP peer for XOAUTH2. Default false. */
  oauth?: boolean | Omit<OAuthProviderOptions, 'accounts'>;
}

export interface Sandbox {
  /** redis://127.0.0.1:PORT (or REDIS_URL when that is set). */
  redisUrl: string;
  /** AOF is on, so data survives restart(). Not available with an external REDIS_URL. */
  redis: RedisControl;
  imap: { host: string; port: number; secure: false };
  smtp: SmtpPeer;
  /** The OAuth2 provider (only with the `oauth` option). */
  oauth: SandboxOAuthProvider;
  users: SandboxUser[];
  /** A sandbox user by local part or address; throws for unknown users. */
  user(localPartOrAddress: string): SandboxUser;
  /** Files a raw message into a user's mailbox (IMAP APPEND through Dovecot, so IDLE watchers are notified). */
  deliver(to: string, raw: string | Buffer, folder?: string): Promise<{ uid: number; deliveredAt: number }>;
  /** Lists messages in a folder (uid, raw source), e.g. to read Sent. */
  messages(userAddress: string, folder?: string): Promise<Array<{ uid: number; source: Buffer }>>;
  /** Kills Dovecot (all its processes, so every IMAP connection drops) and starts it again on the same port. */
  imapRestart(): Promise<void>;
  /** Winnow's configuration variables for the first user, pointing at this sandbox. */
  env(): Record<string, string>;
  /** Process ids of the servers this sandbox runs right now (Redis, Dovecot and its children). */
  pids(): number[];
  /** The temporary folder holding configuration, data and logs (dovecot.log, redis/redis.log). */
  dir: string;
  /** Stops everything and removes the temporary folder; idempotent. */
  stop(): Promise<void>;
}

export const SANDBOX_DOMAIN = 'example.test';
export const SANDBOX_PASSWORD = 'secret';
const DEFAULT_USERS = ['me@example.test', 'alice@example.test', 'bob@example.test'];
const DIR_PREFIX = 'winnow-sandbox-';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const users = sandboxUsers(options.users ?? DEFAULT_USERS);
  const first = users[0];
  if (!first) throw new Error('startSandbox: at least one user is needed');
  const wantRedis = options.redis ?? true;
  const wantImap = options.imap ?? true;
  const wantSmtp = options.smtp ?? true;
  const oauthOptions = options.oauth === true ? {} : options.oauth || null;

  const base = temporaryBase();
  removeAbandonedSandboxes(base);
  const dir = mkdtempSync(path.join(base, DIR_PREFIX));
  // Dovecot's auth and mail processes run as other users and must reach their files in here.
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));

  let redis: SandboxRedis | null = null;
  let dovecot: SandboxDovecot | null = null;
  let admin: MailboxAdmin | null = null;
  let smtp: { peer: SmtpPeer; close(): Promise<void> } | null = null;
  let oauth: SandboxOAuthProvider | null = null;
  const byAddress = new Map(users.map((user) => [user.address, user]));

  const unregister = registerExitCleanup({
    kill: () => {
      admin?.close();
      for (const pid of dovecot?.pids() ?? []) signal(pid, 'SIGKILL');
      for (const pid of redis?.pids() ?? []) signal(pid, 'SIGTERM');
    },
    dirs: [dir],
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const problems: unknown[] = [];
      const attempt = async (step: (() => Promise<void>) | undefined) => {
        try {
          await step?.();
        } catch (error) {
          problems.push(error);
        }
      };
      await attempt(smtp?.close);
      admin?.close();
      await Promise.all([attempt(dovecot?.shutdown), attempt(redis?.shutdown)]);
      await attempt(oauth?.close);
      rmSync(dir, { recursive: true, force: true });
      unregister();
      if (problems.length > 0) throw new AggregateError(problems, 'sandbox.stop: some parts did not stop cleanly');
    })();
    return stopping;
  };

  const user = (localPartOrAddress: string): SandboxUser => {
    const found = byAddress.get(normalizeAddress(localPartOrAddress));
    if (!found) throw new Error(`no sandbox user ${JSON.stringify(localPartOrAddress)}; the users are ${users.map((u) => u.address).join(', ')}`);
    return found;
  };
  const mailboxes = (): MailboxAdmin => {
    if (!admin) throw new Error('this sandbox was started with imap: false');
    return admin;
  };
  const credentials = (account: SandboxUser) => ({ address: account.address, pass: account.pass });

  // First, in this process and quickly: Dovecot and the SMTP peer are configured with its address.
  if (oauthOptions) {
    try {
      // Loaded only when asked for, so that other tests do not load oidc-provider.
      const { startOAuthProvider } = await import('./sandbox-oauth.ts');
      oauth = await startOAuthProvider({ ...oauthOptions, accounts: users.map((u) => ({ email: u.address, password: u.pass })) });
    } catch (error) {
      await stop();
      throw error;
    }
  }
  const introspection = (oauth as SandboxOAuthProvider | null)?.introspection;

  const redisUrl = process.env.REDIS_URL;
  // allSettled, not all: when one part fails, the others must have finished starting before
  // stop() runs, or a server that comes up late would be left running.
  const outcomes = await Promise.allSettled([
    wantRedis
      ? (redisUrl ? Promise.resolve(externalRedis(redisUrl)) : startRedis(path.join(dir, 'redis'))).then((started) => {
          redis = started;
        })
      : null,
    wantImap
      ? startDovecot(path.join(dir, 'dovecot'), users.map((u) => ({ address: u.address, pass: u.pass })), path.basename(dir), { oauth2: introspection }).then((started) => {
          dovecot = started;
          admin = createMailboxAdmin({ host: '127.0.0.1', port: started.port });
        })
      : null,
    wantSmtp
      ? startSmtpPeer({
          accounts: new Map(users.map((u) => [u.address, u.pass])),
          user: first.address,
          pass: first.pass,
          isLocal: (address) => byAddress.has(normalizeAddress(address)),
          oauth2: introspection,
          fileInto: wantImap
            ? async (recipient, raw) => {
                await mailboxes().append(credentials(user(recipient)), 'INBOX', raw);
              }
            : null,
        }).then((started) => {
          smtp = started;
        })
      : null,
  ]);
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    await stop().catch(() => {
      // The startup error is the one worth reporting; stop() problems here are its consequences.
    });
    throw failure.reason;
  }

  // Re-read through functions: TypeScript narrows the `let`s above to null otherwise.
  const running = {
    redis: (): SandboxRedis | null => redis,
    dovecot: (): SandboxDovecot | null => dovecot,
    smtp: (): SmtpPeer | null => smtp?.peer ?? null,
    oauth: (): SandboxOAuthProvider | null => oauth,
  };
  const need = <T>(part: T | null, name: string): T => {
    if (part === null) throw new Error(`this sandbox was started with ${name}: false`);
    return part;
  };

  const sandbox: Sandbox = {
    get redisUrl() {
      return need(running.redis(), 'redis').url;
    },
    get redis() {
      return need(running.redis(), 'redis').control;
    },
    get imap() {
      return { host: '127.0.0.1', port: need(running.dovecot(), 'imap').port, secure: false as const };
    },
    get smtp() {
      return need(running.smtp(), 'smtp');
    },
    get oauth() {
      const provider = running.oauth();
      if (!provider) throw new Error('this sandbox was started without the oauth option');
      return provider;
    },
    users,
    user,
    dir,
    async deliver(to, raw, folder = 'INBOX') {
      return mailboxes().append(credentials(user(to)), folder, crlf(raw));
    },
    async messages(userAddress, folder = 'INBOX') {
      return mailboxes().list(credentials(user(userAddress)), folder);
    },
    async imapRestart() {
      const server = need(running.dovecot(), 'imap');
      mailboxes().dropAll();
      await server.restart();
    },
    env() {
      // The sandbox's servers speak plain text on loopback.
      const vars: Record<string, string> = { MAIL_FROM: first.address, ALLOW_PLAINTEXT: 'true' };
      const redisPart = running.redis();
      if (redisPart) vars.REDIS_URL = redisPart.url;
      const imapPart = running.dovecot();
      if (imapPart) {
        Object.assign(vars, { IMAP_HOST: '127.0.0.1', IMAP_PORT: String(imapPart.port), IMAP_SECURE: 'false', IMAP_USER: first.user, IMAP_PASS: first.pass });
      }
      const smtpPart = running.smtp();
      if (smtpPart) {
        Object.assign(vars, { SMTP_HOST: smtpPart.host, SMTP_PORT: String(smtpPart.port), SMTP_SECURE: 'false', SMTP_USER: smtpPart.user, SMTP_PASS: smtpPart.pass });
      }
      return vars;
    },
    pids() {
      return [...(running.redis()?.pids() ?? []), ...(running.dovecot()?.pids() ?? [])];
    },
    stop,
  };
  return sandbox;
}

function sandboxUsers(names: string[]): SandboxUser[] {
  const seen = new Set<string>();
  const users: SandboxUser[] = [];
  for (const name of names) {
    const address = normalizeAddress(name);
    if (!/^[^@\s:]+@[^@\s:]+$/.test(address)) throw new Error(`startSandbox: ${JSON.stringify(name)} is not a local part or an address`);
    if (seen.has(address)) continue;
    seen.add(address);
    users.push({ address, user: address, pass: SANDBOX_PASSWORD });
  }
  return users;
}

function normalizeAddress(localPartOrAddress: string): string {
  const trimmed = localPartOrAddress.trim().toLowerCase();
  return trimmed.includes('@') ? trimmed : `${trimmed}@${SANDBOX_DOMAIN}`;
}

/** IMAP wants CRLF line ends in an APPEND literal; tests like to write messages with \n. */
function crlf(raw: string | Buffer): Buffer {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), typeof raw === 'string' ? 'utf8' : 'latin1');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Where the sandbox folder goes: the system temporary folder if Dovecot's unprivileged processes
 * can reach into it and its path leaves room for Unix socket names (108 bytes), else /tmp.
 */
function temporaryBase(): string {
  const candidate = os.tmpdir();
  if (candidate.length <= 60 && everyAncestorSearchable(candidate)) return candidate;
  return '/tmp';
}

function everyAncestorSearchable(folder: string): boolean {
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (path.dirname(current) === current) return true;
  }
}

/** Removes folders left by sandboxes whose process died without cleaning up (SIGKILL, OOM). */
function removeAbandonedSandboxes(base: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base).filter((entry) => entry.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const folder = path.join(base, entry);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(folder, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (!Number.isInteger(owner) || owner <= 0 || processExists(owner)) continue;
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // another user's folder: not ours to remove
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
