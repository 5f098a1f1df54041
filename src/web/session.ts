import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { serverKeys } from '../store/keys.ts';
import { randomToken } from './security.ts';

/** A logged-in dashboard visitor. */
export interface Session {
  /** The value of the session cookie. */
  id: string;
  /** Per-session CSRF token, put in a hidden field of every form and checked on every POST. */
  csrf: string;
  createdAt: number;
}

export interface SessionOptions {
  /** Idle timeout: every use of the session pushes its expiry this far ahead. */
  idleMs: number;
  /** Absolute lifetime: a session older than this ends even if it is in use. */
  maxAgeMs: number;
}

export const SESSION_DEFAULTS: SessionOptions = { idleMs: 12 * 60 * 60 * 1000, maxAgeMs: 7 * 24 * 60 * 60 * 1000 };

/**
 * Dashboard sessions in Redis, so any number of web processes share them.
 * The key holds a hash of the cookie value, not the value itself: someone who can read Redis
 * (a backup, a replica) does not thereby get a working cookie.
 */
export function createSessionStore(redis: Redis, prefix: string, options: SessionOptions = SESSION_DEFAULTS, now: () => number = Date.now) {
  const key = (id: string) => serverKeys(prefix).session(createHash('sha256').update(id).digest('base64url'));

  return {
    key,
    options,

    async create(): Promise<Session> {
      const session: Session = { id: randomToken(), csrf: randomToken(), createdAt: now() };
      await redis
        .multi()
        .hset(key(session.id), { csrf: session.csrf, createdAt: String(session.createdAt) })
        .pexpire(key(session.id), options.idleMs)
        .exec();
      return session;
    },

    /** The session for a cookie value, its idle timeout renewed; null when unknown or expired. */
    async load(id: string): Promise<Session | null> {
      // Cookie values are ours: anything longer than a token is not one, and is not looked up.
      if (id.length === 0 || id.length > 64) return null;
      // Only the two fields: the hash may also hold page data (a template preview) of some size.
      const results = await redis.multi().hmget(key(id), 'csrf', 'createdAt').pexpire(key(id), options.idleMs).exec();
      // exec() gives null only for a transaction aborted by WATCH, which this one does not use.
      if (!results) throw new Error('the session transaction was aborted');
      for (const [error] of results) if (error) throw error;
      const [csrf, created] = results[0]![1] as Array<string | null>;
      const createdAt = Number(created);
      if (!csrf || !created || !Number.isFinite(createdAt)) return null;
      const left = options.maxAgeMs - (now() - createdAt);
      if (left <= 0) {
        await redis.del(key(id));
        return null;
      }
      // Renewal never carries a session past its absolute lifetime.
      if (left < options.idleMs) await redis.pexpire(key(id), left);
      return { id, csrf, createdAt };
    },

    /**
     * Keeps a value with the session (a template preview for its frame): it expires and is
     * destroyed with the session, and no other session can read it.
     */
    async putData(session: Session, name: string, value: string): Promise<void> {
      // The expiry is set again so that a session that ended meanwhile leaves nothing that lives on.
      await redis.multi().hset(key(session.id), `data:${name}`, value).pexpire(key(session.id), options.idleMs).exec();
    },

    async getData(session: Session, name: string): Promise<string | null> {
      return redis.hget(key(session.id), `data:${name}`);
    },

    async deleteData(session: Session, name: string): Promise<void> {
      await redis.hdel(key(session.id), `data:${name}`);
    },

    async destroy(id: string): Promise<void> {
      await redis.del(key(id));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
