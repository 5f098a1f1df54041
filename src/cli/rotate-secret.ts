import { withCommandRedis } from './redis.ts';
import type { Redis } from 'ioredis';
import { createSealer, isSealed, reseal, type Sealer } from '../config/sealed.ts';

/**
 * `winnow rotate-secret`: every sealed value in Redis (src/config/sealed.ts) moved from the key of
 * WINNOW_SECRET to the key of WINNOW_NEW_SECRET. It knows no key by name: it reads every string
 * key and every hash field under the prefix and re-seals whatever has the sealed form, so secrets
 * added later (mailbox passwords, tokens) are covered without a change here.
 *
 * Each write is a compare-and-set (WATCH, then MULTI/EXEC): a value another process changed
 * between the read and the write is read again rather than overwritten, so no concurrent write is
 * lost. A value already under the new key is counted and left, so running the command again (after
 * an interruption) is safe. A value that opens under neither key is reported by key and field,
 * never by content, and left as it is.
 */

/** WINNOW_SECRET's own rule (src/config/env.ts), for WINNOW_NEW_SECRET too. */
const MIN_SECRET_LENGTH = 16;
/** Tries of one compare-and-set before the value is reported as changing too often to move. */
const MAX_TRIES = 10;
const SCAN_COUNT = 500;

/** Why the rotation cannot run with these two secrets, as advice; empty when it can. */
export function rotationProblems(current: string | null | undefined, next: string | null | undefined): string[] {
  const problems: string[] = [];
  const make = 'e.g. the output of: openssl rand -base64 32';
  if (!current) problems.push('WINNOW_SECRET is not set: set it to the secret Winnow runs with now, the one the values in Redis are sealed under');
  else if (current.length < MIN_SECRET_LENGTH) problems.push(`WINNOW_SECRET must be at least ${MIN_SECRET_LENGTH} characters (it is ${current.length}): it must be the secret Winnow runs with now`);
  if (!next) problems.push(`WINNOW_NEW_SECRET is not set: set it to the new secret, ${MIN_SECRET_LENGTH} characters or more (${make})`);
  else if (next.length < MIN_SECRET_LENGTH) problems.push(`WINNOW_NEW_SECRET must be at least ${MIN_SECRET_LENGTH} characters (it is ${next.length}; ${make})`);
  if (current && next && current === next) problems.push(`WINNOW_NEW_SECRET is the same as WINNOW_SECRET: give it a new value (${make})`);
  return problems;
}

/** A value that could not be moved: where it is, and why (never the value). */
export interface UnreadableValue {
  key: string;
  /** The hash field; null for a string key. */
  field: string | null;
  problem: string;
}

export interface RotationReport {
  keysScanned: number;
  reencrypted: number;
  alreadyCurrent: number;
  unreadable: UnreadableValue[];
}

type Outcome = 'resealed' | 'current' | 'gone' | { problem: string };

/** Re-seals every sealed value under `prefix` from `from` to `to`. `redis` must be this call's own connection (WATCH is per connection). */
export async function rotateSealedValues(redis: Redis, prefix: string, from: Sealer, to: Sealer): Promise<RotationReport> {
  const report: RotationReport = { keysScanned: 0, reencrypted: 0, alreadyCurrent: 0, unreadable: [] };
  const tally = (key: string, field: string | null, outcome: Outcome) => {
    if (outcome === 'resealed') report.reencrypted += 1;
    else if (outcome === 'current') report.alreadyCurrent += 1;
    else if (outcome !== 'gone') report.unreadable.push({ key, field, problem: outcome.problem });
  };

  /** Reads, re-seals and writes back one value while no one else changed it; tried again when someone did. */
  async function compareAndSet(key: string, read: () => Promise<string | null>, write: (value: string) => ReturnType<Redis['multi']>): Promise<Outcome> {
    for (let tries = 0; tries < MAX_TRIES; tries += 1) {
      await redis.watch(key);
      const value = await read();
      // Removed, or replaced by something that is no sealed value, meanwhile: nothing to move.
      if (value === null || !isSealed(value)) {
        await redis.unwatch();
        return 'gone';
      }
      const resealing = reseal(value, from, to);
      if (resealing.outcome !== 'resealed') {
        await redis.unwatch();
        return resealing.outcome === 'current' ? 'current' : { problem: resealing.problem };
      }
      // EXEC answers null when the key changed since WATCH: read it again.
      if ((await write(resealing.value).exec()) !== null) return 'resealed';
    }
    return { problem: `it changed ${MAX_TRIES} times while being moved; run the command again once Winnow is stopped` };
  }

  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', SCAN_COUNT);
    cursor = next;
    const types = keys.length > 0 ? ((await keys.reduce((batch, key) => batch.type(key), redis.pipeline()).exec()) ?? []) : [];
    for (const [index, key] of keys.entries()) {
      report.keysScanned += 1;
      const type = types[index]?.[1];
      if (type === 'string') {
        const value = await redis.get(key);
        if (value !== null && isSealed(value)) tally(key, null, await compareAndSet(key, () => redis.get(key), (sealed) => redis.multi().set(key, sealed, 'KEEPTTL')));
      } else if (type === 'hash') {
        let fieldCursor = '0';
        do {
          const [nextField, pairs] = await redis.hscan(key, fieldCursor, 'COUNT', SCAN_COUNT);
          fieldCursor = nextField;
          for (let i = 0; i < pairs.length; i += 2) {
            const field = pairs[i]!;
            if (!isSealed(pairs[i + 1]!)) continue;
            tally(key, field, await compareAndSet(key, () => redis.hget(key, field), (sealed) => redis.multi().hset(key, field, sealed)));
          }
        } while (fieldCursor !== '0');
      }
    }
  } while (cursor !== '0');
  return report;
}

/** The mailboxes whose watcher holds its lease now (src/mailbox/watcher.ts): Winnow is running. */
async function runningWatchers(redis: Redis, prefix: string): Promise<string[]> {
  const held: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:{*}:lease`, 'COUNT', SCAN_COUNT);
    cursor = next;
    for (const key of keys) held.push(/\{([^}]*)\}/.exec(key)?.[1] ?? key);
  } while (cursor !== '0');
  return held;
}

export interface RotateOptions {
  redisUrl: string;
  prefix: string;
  /** WINNOW_SECRET: the secret the values are sealed under now. */
  current: string | null | undefined;
  /** WINNOW_NEW_SECRET. */
  next: string | null | undefined;
  /** Rotate even though a watcher holds its lease (Winnow seems to run). */
  force?: boolean;
}

/** The command: refuses with advice, warns when Winnow runs, moves every value, prints the counts. Returns the exit code. */
export async function rotateSecret(options: RotateOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const problems = rotationProblems(options.current, options.next);
  if (problems.length > 0) {
    for (const problem of problems) err(`winnow rotate-secret: ${problem}.`);
    err('Usage: WINNOW_SECRET=<the current secret> WINNOW_NEW_SECRET=<the new secret> winnow rotate-secret');
    return 2;
  }
  const from = createSealer(options.current!);
  const to = createSealer(options.next!);

  return withCommandRedis(options.redisUrl, 'rotate-secret', err, async (redis) => {
    const running = await runningWatchers(redis, options.prefix);
    if (running.length > 0) {
      const why =
        `Winnow is running (the watcher of ${running.join(', ')} holds its lease). A running Winnow keeps sealing with the old WINNOW_SECRET ` +
        '(a renewed sign-in token, say), and once the values are moved it can no longer open them: stop Winnow, run this command, set WINNOW_SECRET to the new secret in .env, then start Winnow.';
      if (!options.force) {
        err(`winnow rotate-secret: nothing moved: ${why} A lease outlives a process that was killed by up to MAILBOX_LEASE; --force rotates anyway.`);
        return 2;
      }
      err(`Warning (--force): ${why}`);
    }
    out(`Moving the sealed values under ${options.prefix}: from the key of WINNOW_SECRET (${from.keyId}) to the key of WINNOW_NEW_SECRET (${to.keyId}).`);
    const report = await rotateSealedValues(redis, options.prefix, from, to);
    out(`keys scanned: ${report.keysScanned}`);
    out(`values re-encrypted: ${report.reencrypted}`);
    out(`already under the new key: ${report.alreadyCurrent}`);
    out(`unreadable (left as they are): ${report.unreadable.length}`);
    for (const value of report.unreadable) err(`  ${value.key}${value.field === null ? '' : ` field ${value.field}`}: ${value.problem}`);
    if (report.unreadable.length > 0) {
      err(
        'Some values open under neither secret: they were sealed under a third WINNOW_SECRET or damaged. Rotate them from that secret if you still have it; ' +
          'otherwise set them again (the password or token in the dashboard) once Winnow runs with the new secret.',
      );
      return 1;
    }
    out('Done. Now set WINNOW_SECRET to the new secret in .env (and remove WINNOW_NEW_SECRET), then start Winnow.');
    return 0;
  });
}
