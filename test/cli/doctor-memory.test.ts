import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../../src/cli/doctor.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/** `winnow doctor` on Redis's memory limit: unset is a warning, and a set one says how full it is. */
describe('winnow doctor and Redis maxmemory', () => {
  let sandbox: Sandbox;
  let redis: Redis;
  beforeAll(async () => {
    sandbox = await startSandbox({ users: ['mem'] });
    redis = new Redis(sandbox.redisUrl);
  });
  afterAll(async () => {
    await redis?.quit();
    await sandbox?.stop();
  });

  const run = async () => {
    const lines: string[] = [];
    const env = { ...sandbox.env(), IMAP_USER: sandbox.user('mem').user, IMAP_PASS: sandbox.user('mem').pass, MAIL_FROM: `Mem <${sandbox.user('mem').address}>`, DASHBOARD_PASSWORD: 'dashboard-secret' };
    await doctor(env, (line) => lines.push(line));
    return lines.find((line) => line.includes('Redis'))!;
  };

  it('warns when maxmemory is unset, says how full Redis is when set, and warns above 80 %', async () => {
    await redis.config('SET', 'maxmemory', '0');
    expect(await run()).toMatch(/^ok {4}Redis .*: reachable; Redis maxmemory is not set: .*docker-compose\.yml sets --maxmemory 256mb/);

    await redis.config('SET', 'maxmemory', String(512 * 1024 * 1024));
    expect(await run()).toMatch(/^ok {4}Redis .*: reachable, noeviction, AOF on, \d+\.\d MB of 512\.0 MB maxmemory used$/);

    // Just above 80 %: the limit a little over what Redis holds now.
    const used = Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))![1]);
    await redis.config('SET', 'maxmemory', String(Math.round(used / 0.85)));
    try {
      expect(await run()).toMatch(/Redis uses [\d.]+ MB of its [\d.]+ MB maxmemory \(\d+ %\); at 100 % it refuses every write/);
    } finally {
      await redis.config('SET', 'maxmemory', String(512 * 1024 * 1024));
    }
  });
});
