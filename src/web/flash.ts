import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { serverKeys } from '../store/keys.ts';
import type { Session } from './session.ts';

/** What just happened, shown once on the page a form redirects to. */
export interface Flash {
  /** done: the action happened; refused: it did not, and the text says why. */
  kind: 'done' | 'refused';
  text: string;
}

/** Long enough to survive the redirect, short enough that an abandoned message does not linger. */
const FLASH_TTL_MS = 60_000;
const MAX_TEXT = 2000;

/**
 * One-time messages after a form's redirect (post, redirect, get), kept in Redis per session so
 * they may name people: a query parameter would put names into URLs and logs, and would let any
 * link show a message of its choosing. Keyed by a hash of the session id, like the session itself.
 */
export function createFlash(redis: Redis, prefix: string) {
  const key = (session: Session) => serverKeys(prefix).flash(createHash('sha256').update(session.id).digest('base64url'));
  return {
    async set(session: Session, flash: Flash): Promise<void> {
      await redis.set(key(session), JSON.stringify({ kind: flash.kind, text: flash.text.slice(0, MAX_TEXT) }), 'PX', FLASH_TTL_MS);
    },
    /** The message waiting for this session, removed as it is read; null when there is none. */
    async take(session: Session | null): Promise<Flash | null> {
      if (!session) return null;
      const raw = await redis.getdel(key(session));
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Partial<Flash>;
      return typeof parsed.text === 'string' ? { kind: parsed.kind === 'refused' ? 'refused' : 'done', text: parsed.text } : null;
    },
  };
}

export type FlashStore = ReturnType<typeof createFlash>;
