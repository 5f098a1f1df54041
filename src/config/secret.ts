import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The server secret: the key of everything Winnow must make unguessable from the outside (the
 * markers an erasure keeps; see src/contacts/store.ts). WINNOW_SECRET when it is set; else one
 * made at first start and kept in Redis, so every process of one installation shares it. A secret
 * kept in Redis guards against anyone who sees a key name or a log line, not against someone with
 * a copy of Redis itself: that is what setting WINNOW_SECRET (kept outside Redis) adds.
 */
export function serverSecretKey(prefix: string): string {
  return `${prefix}:server-secret`;
}

/** The secret as bytes; reads (or, the first time, makes) the kept one when `configured` is null. */
export async function serverSecret(redis: Redis, prefix: string, configured: string | null): Promise<Buffer> {
  if (configured !== null) return Buffer.from(configured, 'utf8');
  const key = serverSecretKey(prefix);
  // SET NX: when two processes start together, both end up with the one that was set first.
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const kept = await redis.get(key);
  if (!kept) throw new Error(`the server secret could not be kept in Redis (${key})`);
  return Buffer.from(kept, 'utf8');
}

/** A keyed hash of `value` for one `purpose`, URL-safe: the same input gives the same output only under the same secret. */
export function keyedHash(secret: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url');
}
