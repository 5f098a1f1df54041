import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { startRuntime } from '../../src/runtime.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { until } from '../support/winnow.ts';

describe('starting while Redis is down', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ users: ['rd'], imap: false, smtp: false });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('says once what to run, waits, and says when Redis is back', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
          done();
        },
      }),
    );
    const config = loadConfig({
      IMAP_HOST: '127.0.0.1',
      IMAP_USER: 'rd@example.test',
      IMAP_PASS: 'unused',
      SMTP_HOST: '127.0.0.1',
      MAIL_FROM: 'rd@example.test',
      DASHBOARD_PASSWORD: 'dashboard-secret',
      REDIS_URL: sandbox.redisUrl,
      REDIS_PREFIX: 't-redis-down',
    });
    await sandbox.redis.stop();
    const starting = startRuntime(config, { worker: false, web: true }, logger);
    try {
      await until(() => lines.filter((line) => line.msg.startsWith('Redis: still failing')).length >= 3, 30_000, 'three more failed connection attempts');
    } finally {
      await sandbox.redis.start();
    }
    const runtime = await starting;
    try {
      await until(() => lines.some((line) => line.msg === 'Redis: reachable again'), 10_000, 'the all-clear');
      const warnings = lines.filter((line) => line.level >= 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toMatch(/^Redis: Redis is unreachable: nothing accepts connections at redis:\/\/127\.0\.0\.1:\d+\. Start Redis \(`sudo systemctl start redis-server`, or `redis-server --port \d+ .*`\), or correct REDIS_URL\. Winnow keeps trying\.$/);
    } finally {
      await runtime.close();
    }
  });
});
