import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The server secret: the key of everything Winnow must make unguessable from the outside — the
 * seals of script Message-IDs (src/mail/message-id.ts) and the markers an erasure keeps
 * (src/contacts/store.ts). WINNOW_SECRET when set, else one generated at the first start and kept
 * in Redis, so that every process sharing the Redis (web and workers, on any machine) uses the same
 * key. SET NX makes the first process to start the one whose secret stays; the others read it.
 * A secret kept in Redis guards against anyone who sees a key name, a Message-ID or a log line,
 * not against someone with a copy of Redis itself: that is what WINNOW_SECRET (kept outside) adds.
 */
export async function serverSecret(redis: Redis, key: string, configured: string | null): Promise<string> {
  if (configured) return configured;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const stored = await redis.get(key);
  if (!stored) throw new Error(`the server secret could not be kept in Redis (${key} is empty after it was set)`);
  return stored;
}

/** A keyed hash of `value` for one `purpose`, URL-safe: the same input gives the same output only under the same secret. */
export function keyedHash(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url');
}
