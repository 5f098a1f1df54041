import type { Redis } from 'ioredis';
import { maskUrl } from '../config/advice.ts';
import { connectRedis } from '../redis.ts';

/**
 * One Redis connection for the length of a command: connected and checked first (a Redis that
 * cannot be reached is said once, with its cause, and the command exits 1), closed after `work`
 * whatever becomes of it. Returns the command's exit code.
 */
export async function withCommandRedis(url: string, name: string, err: (line: string) => void, work: (redis: Redis) => Promise<number>): Promise<number> {
  let redisError: Error | null = null;
  const redis = connectRedis(url, 'producer', name, (error) => {
    redisError = error;
  });
  try {
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      err(`cannot reach Redis at ${maskUrl(url)}: ${(redisError ?? (error as Error)).message}`);
      return 1;
    }
    return await work(redis);
  } finally {
    // QUIT would wait for a connection that never came; disconnect ends the retries at once.
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}
