import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The server secret that seals script Message-IDs (src/mail/message-id.ts): WINNOW_SECRET when
 * set, else one generated at the first start and kept in Redis, so that every process sharing the
 * Redis (web and workers, on any machine) seals and checks with the same key. SET NX makes the
 * first process to start the one whose secret stays; the others read it.
 */
export async function serverSecret(redis: Redis, key: string, configured: string | null): Promise<string> {
  if (configured) return configured;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const stored = await redis.get(key);
  if (!stored) throw new Error(`the server secret could not be kept in Redis (${key} is empty after it was set)`);
  return stored;
}
