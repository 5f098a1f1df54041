import type { Redis } from 'ioredis';
import { serverKeys } from '../store/keys.ts';
import { storeScripts } from '../store/scripts.ts';

/**
 * The dashboard login's defence against guessing, on top of the per-address rate limit
 * (routes/auth.ts). An attacker with many addresses (a botnet, a rented proxy pool, an IPv6
 * range) gets a fresh per-address allowance from each; the budget here counts failed logins from
 * every address together. Within it nothing changes; past it, every further failure doubles the
 * wait before the next attempt is heard (from 1 s up to 15 min), and the budget refills only
 * after a quiet spell. A stranger can thus delay the user's own login for a while, but cannot
 * guess a password of 12 characters or more: sessions already open, and the API token, are not
 * affected. Counts live in Redis, so every web process shares them.
 *
 * Failed logins come in bursts (someone mistyping, or someone guessing). A burst begins with the
 * first failure after a quiet spell and ends with the next quiet spell; the log says so once when a
 * burst is large enough to notice, and once more if it exhausts the budget, never per attempt;
 * the overview shows recent bursts.
 */

export interface LoginGuardOptions {
  /** Failed logins, from all addresses together, allowed before attempts are slowed down. */
  budget: number;
  /** Quiet time after which the budget refills and a burst ends. */
  quietMs: number;
  /** The first wait once the budget is spent; it doubles with every further failure. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failures that make a burst worth logging and showing. */
  burstThreshold: number;
  /** How long bursts stay on the overview. */
  keepMs: number;
}

export const LOGIN_GUARD_DEFAULTS: Readonly<LoginGuardOptions> = Object.freeze({
  budget: 20,
  quietMs: 15 * 60_000,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  burstThreshold: 5,
  keepMs: 7 * 24 * 60 * 60_000,
});

/** One run of failed logins, as the overview shows it. */
export interface LoginBurst {
  startedAt: number;
  lastAt: number;
  failures: number;
  /** Different client addresses the failures came from (estimated beyond a few hundred). */
  addresses: number;
  /** Whether the burst spent the budget, so that logins were slowed down. */
  slowed: boolean;
}

export type FailureOutcome = {
  /** Failures in the current burst, this one included. */
  failures: number;
  addresses: number;
  /** The wait before the next attempt is heard; 0 while the budget lasts. */
  delayMs: number;
  /** What to log about this failure: once when the burst becomes notable, once when logins slow down. */
  notice: 'burst' | 'slowed' | null;
};

export function loginGuardKeys(prefix: string) {
  return serverKeys(prefix).login;
}

export function createLoginGuard(redis: Redis, prefix: string, options: LoginGuardOptions = LOGIN_GUARD_DEFAULTS, now: () => number = Date.now) {
  const keys = loginGuardKeys(prefix);
  const scripts = storeScripts(redis);

  return {
    keys,
    options,

    /** How long until a login attempt is heard again; 0 when it is heard now. */
    async waitMs(): Promise<number> {
      const until = Number((await redis.get(keys.blockedUntil)) ?? 0);
      return Math.max(0, until - now());
    },

    /** Counts a failed login from `address`. */
    async failed(address: string): Promise<FailureOutcome> {
      // src/store/lua/count-failed-login.lua
      const [failures, addresses, delayMs] = await scripts.countFailedLogin(keys, { now: now(), ...options, address });
      const notice = failures === options.burstThreshold ? 'burst' : failures === options.budget + 1 ? 'slowed' : null;
      return { failures, addresses, delayMs, notice };
    },

    /** Notable bursts of the last `keepMs`, newest first, the one going on (if notable) included. */
    async recentBursts(): Promise<LoginBurst[]> {
      const [current, addresses, past] = await Promise.all([redis.hgetall(keys.burst), redis.pfcount(keys.burstAddresses), redis.lrange(keys.bursts, 0, -1)]);
      const bursts: LoginBurst[] = [];
      const failures = Number(current.failures ?? 0);
      // A burst whose last failure is past the quiet time is over; it is kept in the list when the next one begins.
      if (failures >= options.burstThreshold) {
        bursts.push({ startedAt: Number(current.startedAt), lastAt: Number(current.lastAt), failures, addresses, slowed: current.slowed === '1' });
      }
      for (const line of past) bursts.push(JSON.parse(line) as LoginBurst);
      const since = now() - options.keepMs;
      return bursts.filter((burst) => burst.lastAt >= since);
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
