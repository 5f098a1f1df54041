import { Redis } from 'ioredis';
import { evictionAdvice, type Advice } from './config/advice.ts';

/**
 * The last 'error' event of each connection. ioredis reports the cause of a failed connection
 * (ECONNREFUSED, ENOTFOUND) there; connect() and commands reject with "Connection is closed."
 */
const lastErrors = new WeakMap<Redis, Error>();

/** What last went wrong with this connection, in the words of its 'error' event; null if nothing did. */
export function lastRedisError(redis: Redis): Error | null {
  return lastErrors.get(redis) ?? null;
}

/**
 * Redis connections have one role each. Producers and the store give up on a command after a
 * couple of reconnect attempts, so an HTTP request or a watcher step fails and is retried by its
 * owner; queue workers wait as long as it takes (BullMQ needs maxRetriesPerRequest: null).
 */
export function connectRedis(url: string, role: 'producer' | 'worker', name: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, {
    connectionName: `winnow:${name}`,
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableReadyCheck: true,
    // Capped backoff between reconnection attempts; ioredis retries for ever.
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 10_000) * (0.5 + Math.random() / 2),
    lazyConnect: true,
  });
  // Without a listener ioredis prints every failed reconnection to stderr itself.
  redis.on('error', (error: Error) => {
    lastErrors.set(redis, error);
    onError(error);
  });
  redis.on('ready', () => lastErrors.delete(redis));
  return redis;
}

/** Problems with the Redis server's settings that would lose data; empty when all is well. */
export async function redisProblems(redis: Redis, url: string): Promise<{ fatal: Advice[]; warnings: string[] }> {
  const fatal: Advice[] = [];
  const warnings: string[] = [];
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      fatal.push(evictionAdvice(policy, url));
    }
    const memory = await redisMemory(redis);
    const warning = memoryWarning(memory);
    if (warning) warnings.push(warning);
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as [string, string];
    if (appendonly !== 'yes') {
      warnings.push('Redis persistence (appendonly) is off: a Redis restart would lose every person and job; run `redis-cli CONFIG SET appendonly yes` and set `appendonly yes` in redis.conf');
    }
  } catch (error) {
    // Managed services often refuse CONFIG; say so rather than guess.
    warnings.push(`could not read the Redis settings (${error instanceof Error ? error.message : String(error)}); make sure maxmemory-policy is noeviction and AOF is on`);
  }
  return { fatal, warnings };
}

/** What Redis holds in memory, and its limit (null when maxmemory is unset). */
export interface RedisMemory {
  used: number;
  max: number | null;
}

/** Above this share of maxmemory the overview and `winnow doctor` raise the alarm. */
export const MEMORY_ALARM_SHARE = 0.8;

/** Reads INFO memory (which managed services allow where CONFIG is refused). */
export async function redisMemory(redis: Redis): Promise<RedisMemory> {
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  const used = field('used_memory');
  const max = field('maxmemory');
  return { used: Number.isFinite(used) ? used : 0, max: Number.isFinite(max) && max > 0 ? max : null };
}

/**
 * Redis with noeviction refuses every write once maxmemory is reached: no mail is read, no script
 * sent, until someone makes room. Unset, it grows until the machine runs out of memory instead.
 * Either way the user should hear of it before it happens. Null when all is well.
 */
export function memoryWarning(memory: RedisMemory): string | null {
  if (memory.max === null) return 'Redis maxmemory is not set: Redis may grow until the machine runs out of memory; set a limit (docker-compose.yml sets --maxmemory 256mb), and Winnow warns above 80 % of it';
  const share = memory.used / memory.max;
  if (share > MEMORY_ALARM_SHARE) {
    return `Redis uses ${megabytes(memory.used)} of its ${megabytes(memory.max)} maxmemory (${Math.round(share * 100)} %); at 100 % it refuses every write and Winnow stops: raise maxmemory, or lower "Forget unanswered requests after" in the settings`;
  }
  return null;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Waits for the first connection, retrying with backoff; a Redis that is down is waited out. */
export async function waitForRedis(redis: Redis, onRetry: (error: Error, attempt: number) => void, signal?: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
      await redis.ping();
      return;
    } catch (error) {
      if (signal?.aborted) throw error;
      onRetry(error as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** Math.min(attempt, 5), 15_000)));
    }
  }
}
