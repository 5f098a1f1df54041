// Everything a Winnow keeps in Redis under its prefix, as text, for the tests that check that no
// password, token or secret is stored in clear: each key's name, and every string, hash field and
// value, list element, set and sorted-set member and stream field under it.
import type { Redis } from 'ioredis';

/** Each string under `prefix` with the key it is in; a key's own name comes first, as [key, key]. */
export async function everythingStored(redis: Redis, prefix: string): Promise<Array<[string, string]>> {
  const found: Array<[string, string]> = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const values =
        type === 'string' ? [(await redis.get(key)) ?? '']
        : type === 'hash' ? Object.entries(await redis.hgetall(key)).flat()
        : type === 'list' ? await redis.lrange(key, 0, -1)
        : type === 'set' ? await redis.smembers(key)
        : type === 'zset' ? await redis.zrange(key, 0, -1)
        : type === 'stream' ? (await redis.xrange(key, '-', '+')).flatMap(([, fields]) => fields)
        : [];
      for (const value of [key, ...values]) found.push([key, value]);
    }
  } while (cursor !== '0');
  return found;
}

/** The keys under `prefix` in which some string satisfies `matches`, each once. */
export async function keysHolding(redis: Redis, prefix: string, matches: (value: string) => boolean): Promise<string[]> {
  return [...new Set((await everythingStored(redis, prefix)).filter(([, value]) => matches(value)).map(([key]) => key))];
}
