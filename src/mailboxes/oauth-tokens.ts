import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import * as client from 'openid-client';
import type { Logger } from '../log.ts';
import { serverKeys } from '../store/keys.ts';
import { storeScripts } from '../store/scripts.ts';
import type { MailboxSignIn } from './connections.ts';
import { isTransientProviderError, oauthErrorCode, type ProviderClients } from './oauth-client.ts';
import type { OAuthProviderId } from './oauth-providers.ts';
import type { Sealer } from '../config/sealed.ts';
import type { MailboxAccess } from './records.ts';

/**
 * Access tokens of the mailboxes that sign in with a provider, shared by every process through the
 * mailbox's record: a token with more than a minute left is used as it is; otherwise one process
 * refreshes it under a lock in Redis while the others wait for the record's new token. One refresh
 * at a time matters: Microsoft (and the test provider) rotate the refresh token on every use, and
 * a rotated-away one used again revokes the whole grant.
 *
 * A refused grant (`invalid_grant`: revoked, expired, password changed) puts the mailbox in "needs
 * sign-in" and bumps the records' version, so the watchers stop; from then on every call fails at
 * once with SignInNeeded, without asking the provider again, until the user signs in again.
 */

/** Record fields (src/mailboxes/records.ts) that hold this module's state; the tokens are sealed. */
export const TOKEN_FIELDS = { refreshToken: 'refreshToken', accessToken: 'accessToken' } as const;

/** The token times a record keeps: when the access token expires and when it was got. */
export function tokenTimes(tokens: Pick<client.TokenEndpointResponse, 'expires_in'>, at: number): { accessExpiresAt: string; refreshedAt: string } {
  // Without expires_in the token is taken for an hour, the providers' usual lifetime.
  return { accessExpiresAt: String(at + (typeof tokens.expires_in === 'number' ? tokens.expires_in * 1000 : 3_600_000)), refreshedAt: String(at) };
}

/** The mailbox's grant was refused: the user must sign in again on the Mailboxes page. */
export class SignInNeeded extends Error {
  readonly mailbox: string;

  constructor(mailbox: string, reason: string) {
    super(`mailbox ${mailbox} needs you to sign in again (${reason}); until then nothing is sent from it or read from it, and scripts wait`);
    this.mailbox = mailbox;
    this.name = 'SignInNeeded';
  }
}

/** The provider could not be asked for a token for now (unreachable, 5xx, a refresh that took too long). */
export class TokenTrouble extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenTrouble';
  }
}

/** Whether an error, or one it wraps, says the mailbox needs sign-in. */
export function signInNeededIn(error: unknown): SignInNeeded | null {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof SignInNeeded) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export interface MailboxTokensOptions {
  redis: Redis;
  prefix: string;
  clients: ProviderClients;
  secrets: Sealer;
  logger: Logger;
  now?: () => number;
  /** A token with less left than this is refreshed first (default 60 s). */
  marginMs?: number;
  /** How long a process waits for another's refresh before it gives up for now (default 15 s). */
  waitMs?: number;
  /** Attempts at a refresh the provider fails for now (network, 5xx), with a doubling pause (default 3). */
  attempts?: number;
}

/** Releases the lock only if it is still ours: a refresh slower than the lock must not free another's. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export function createMailboxTokens(options: MailboxTokensOptions): MailboxSignIn {
  const { redis, clients, secrets, logger } = options;
  const keys = serverKeys(options.prefix).mailboxes;
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  const waitMs = options.waitMs ?? 15_000;
  const attempts = options.attempts ?? 3;
  // The lock outlives the longest refresh (the provider's discovery, then every try at the
  // provider's 15 s time-out, with the pauses between), so no second process refreshes with the
  // same refresh token meanwhile: a provider that rotates them would revoke the grant. The new
  // tokens are kept only while the lock is still this refresh's (src/store/lua/keep-tokens.lua).
  const lockMs = 15_000 * (attempts + 1) + 500 * 2 ** attempts + 10_000;
  const scripts = storeScripts(redis);

  interface Held {
    signIn: string | undefined;
    signInReason: string | undefined;
    accessToken: string | null;
    expiresAt: number;
    refreshedAt: number;
  }

  async function read(id: string): Promise<Held> {
    const [signIn, signInReason, sealedAccess, expiresAt, refreshedAt] = await redis.hmget(keys.record(id), 'signIn', 'signInReason', TOKEN_FIELDS.accessToken, 'accessExpiresAt', 'refreshedAt');
    return {
      signIn: signIn ?? undefined,
      signInReason: signInReason ?? undefined,
      accessToken: sealedAccess ? secrets.open(sealedAccess) : null,
      expiresAt: Number(expiresAt) || 0,
      refreshedAt: Number(refreshedAt) || 0,
    };
  }

  const fresh = (held: Held) => held.accessToken !== null && held.expiresAt - now() > marginMs;

  async function markNeeded(mailbox: MailboxAccess, reason: string): Promise<void> {
    const at = now();
    // A mailbox removed meanwhile is not written back.
    if (!(await redis.hexists(keys.record(mailbox.id), 'imapHost'))) return;
    // The version bump tells the supervisors to stop the mailbox's watcher.
    await redis
      .multi()
      .hset(keys.record(mailbox.id), { signIn: 'needed', signInReason: reason, signInAt: String(at), updatedAt: String(at) })
      .hdel(keys.record(mailbox.id), TOKEN_FIELDS.accessToken, 'accessExpiresAt')
      .incr(keys.version)
      .exec();
    logger.warn({ mailbox: mailbox.id }, `mailbox ${mailbox.name} needs you to sign in again with ${mailbox.auth}: ${reason}`);
  }

  async function refresh(mailbox: MailboxAccess, lock: { key: string; owner: string }): Promise<string> {
    const sealedRefresh = await redis.hget(keys.record(mailbox.id), TOKEN_FIELDS.refreshToken);
    if (!sealedRefresh) {
      await markNeeded(mailbox, 'no refresh token is kept for it');
      throw new SignInNeeded(mailbox.id, 'no refresh token is kept for it');
    }
    const configuration = await clients.configuration(mailbox.auth as OAuthProviderId).catch((error: unknown) => {
      throw new TokenTrouble(`${mailbox.auth} could not be reached to renew the sign-in of mailbox ${mailbox.name}; trying again later`, { cause: error });
    });
    let tokens: client.TokenEndpointResponse | null = null;
    for (let attempt = 1; tokens === null; attempt++) {
      try {
        tokens = await client.refreshTokenGrant(configuration, secrets.open(sealedRefresh));
      } catch (error) {
        const code = oauthErrorCode(error);
        if (code === 'invalid_grant') {
          const reason = `${mailbox.auth} no longer accepts its sign-in (revoked, expired or the password changed)`;
          await markNeeded(mailbox, reason);
          throw new SignInNeeded(mailbox.id, reason);
        }
        if (!isTransientProviderError(error) || attempt >= attempts) {
          throw new TokenTrouble(`${mailbox.auth} refused to renew the sign-in of mailbox ${mailbox.name}${code ? ` (${code})` : ''}; trying again later`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));
      }
    }
    const fields: Record<string, string> = { [TOKEN_FIELDS.accessToken]: secrets.seal(tokens.access_token), ...tokenTimes(tokens, now()) };
    if (tokens.refresh_token) fields[TOKEN_FIELDS.refreshToken] = secrets.seal(tokens.refresh_token);
    // No version bump: a new token is no change of settings, and watchers must not restart for it.
    const kept = await scripts.keepTokens({ record: keys.record(mailbox.id), lock: lock.key }, lock.owner, fields);
    if (kept === -1) throw new SignInNeeded(mailbox.id, 'the mailbox was removed');
    if (kept === 0) logger.warn({ mailbox: mailbox.id }, 'an access token was renewed after its lock ran out; the tokens kept are those of the refresh that holds it now');
    else logger.debug({ mailbox: mailbox.id }, 'access token renewed');
    return tokens.access_token;
  }

  async function waitForOther(mailbox: MailboxAccess, before: Held, renew: boolean): Promise<string> {
    const until = now() + waitMs;
    while (now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const held = await read(mailbox.id);
      if (held.signIn === 'needed') throw new SignInNeeded(mailbox.id, held.signInReason ?? 'its sign-in was refused');
      if (held.refreshedAt > before.refreshedAt && held.accessToken) return held.accessToken;
      if (!renew && fresh(held)) return held.accessToken!;
      // The other process gave up (its lock is gone without a new token): try for the lock again.
      if (!(await redis.exists(keys.refreshLock(mailbox.id)))) return obtain(mailbox, renew);
    }
    throw new TokenTrouble(`the sign-in of mailbox ${mailbox.name} is being renewed by another process and took too long; trying again later`);
  }

  async function obtain(mailbox: MailboxAccess, renew: boolean): Promise<string> {
    const held = await read(mailbox.id);
    if (held.signIn === 'needed') throw new SignInNeeded(mailbox.id, held.signInReason ?? 'its sign-in was refused');
    if (!renew && fresh(held)) return held.accessToken!;
    // The server refused a token that was renewed a moment ago by another process: that new one is
    // the answer, not another refresh.
    if (renew && held.accessToken && now() - held.refreshedAt < 5_000) return held.accessToken;

    const lock = keys.refreshLock(mailbox.id);
    const mine = randomBytes(12).toString('base64url');
    if ((await redis.set(lock, mine, 'PX', lockMs, 'NX')) !== 'OK') return waitForOther(mailbox, held, renew);
    try {
      // Read again under the lock: another process may have renewed it between our read and the lock.
      const current = await read(mailbox.id);
      if (current.signIn === 'needed') throw new SignInNeeded(mailbox.id, current.signInReason ?? 'its sign-in was refused');
      if (current.refreshedAt > held.refreshedAt && current.accessToken) return current.accessToken;
      if (!renew && fresh(current)) return current.accessToken!;
      return await refresh(mailbox, { key: lock, owner: mine });
    } finally {
      await redis.eval(RELEASE, 1, lock, mine);
    }
  }

  return {
    async accessToken(mailbox: MailboxAccess, { renew = false }: { renew?: boolean } = {}): Promise<string> {
      return obtain(mailbox, renew);
    },
  };
}
