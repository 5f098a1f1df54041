import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config/env.ts';
import type { Redis } from 'ioredis';
import { createContactStore, type ContactStore } from '../../src/contacts/store.ts';
import { mailboxKeys } from '../../src/store/keys.ts';
import { closeQueues, createQueues, jobId } from '../../src/queues/queues.ts';
import { createSettingsStore } from '../../src/settings/settings.ts';
import type { Contact } from '../../src/vocabulary/contact.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { PRIMARY_MAILBOX, startRuntime, type Roles, type Runtime } from '../../src/runtime.ts';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startSandbox, type ReceivedMail, type Sandbox, type SandboxUser } from './sandbox.ts';
import { testResolver } from './dkim.ts';
import type { DnsResolver } from '../../src/mail/verify.ts';

export interface TestWinnow {
  config: Readonly<Config>;
  runtime: Runtime;
  store: ContactStore;
  user: SandboxUser;
  /** Resolves when the person matching `predicate` exists; rejects after the timeout. */
  waitForContact(predicate: (contact: Contact) => boolean, timeoutMs?: number): Promise<Contact>;
  /** Resolves once every message up to `uid` has been read and no inbound or send job is left. */
  settle(uid: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface TestWinnowOptions {
  /** The sandbox user whose mailbox Winnow watches. */
  user: string;
  deadline?: string;
  backfillDays?: number;
  roles?: Roles;
  /** Keeps the keys of an earlier run (to restart on the same state). */
  prefix?: string;
  env?: Record<string, string>;
  /** Winnow's clock (default Date.now), for tests that move time past a reminder or deadline. */
  now?: () => number;
  /** Wait until the watcher holds the mailbox (default); false for a second process that must wait its turn. */
  waitForWatcher?: boolean;
  /** Where Winnow logs (default: JSON on standard output at LOG_LEVEL, silent unless WINNOW_TEST_LOG says otherwise). */
  logger?: Logger;
  /** DNS for Winnow's own DKIM/DMARC check; default the test world's (test/support/dkim.ts). */
  resolver?: DnsResolver;
}

/** Winnow's configuration for a sandbox user, with its own key prefix (or the one given). */
export function sandboxConfig(sandbox: Sandbox, options: Pick<TestWinnowOptions, 'user' | 'deadline' | 'backfillDays' | 'prefix' | 'env'>): Readonly<Config> {
  const user = sandbox.user(options.user);
  return loadConfig({
    IMAP_HOST: sandbox.imap.host,
    IMAP_PORT: String(sandbox.imap.port),
    IMAP_SECURE: 'false',
    // The sandbox's servers speak plain text on loopback.
    ALLOW_PLAINTEXT: 'true',
    IMAP_USER: user.user,
    IMAP_PASS: user.pass,
    SMTP_HOST: sandbox.smtp.host,
    SMTP_PORT: String(sandbox.smtp.port),
    SMTP_SECURE: 'false',
    SMTP_USER: sandbox.smtp.user,
    SMTP_PASS: sandbox.smtp.pass,
    MAIL_FROM: `Morgan Example <${user.address}>`,
    REDIS_URL: sandbox.redisUrl,
    REDIS_PREFIX: options.prefix ?? `t-${randomUUID().slice(0, 8)}`,
    DASHBOARD_PASSWORD: 'dashboard-secret',
    API_TOKEN: 'api-token-for-tests-only',
    RESPONSE_DEADLINE: options.deadline ?? '1h',
    BACKFILL_DAYS: String(options.backfillDays ?? 0),
    LOG_LEVEL: process.env.WINNOW_TEST_LOG ?? 'silent',
    ...options.env,
  });
}

/** Starts Winnow on the sandbox's servers with its own key prefix, and waits until it watches. */
export async function startWinnow(sandbox: Sandbox, options: TestWinnowOptions): Promise<TestWinnow> {
  const user = sandbox.user(options.user);
  const config = sandboxConfig(sandbox, options);
  const logger = options.logger ?? createLogger(config.logLevel, { format: 'json' });
  const runtime = await startRuntime(config, options.roles ?? { worker: true, web: false }, logger, options.now, { resolver: options.resolver ?? testResolver() });
  const store = createContactStore(runtime.redis, config.redis.prefix, PRIMARY_MAILBOX, { secret: config.secret });
  if (runtime.watcher && options.waitForWatcher !== false) await until(() => runtime.watcher!.status().connected, 10_000, 'the watcher to connect');

  return {
    config,
    runtime,
    store,
    user,
    async waitForContact(predicate, timeoutMs = 10_000) {
      let found: Contact | undefined;
      await until(
        async () => {
          const page = await store.list({ limit: 500 });
          found = page.contacts.find(predicate);
          return found !== undefined;
        },
        timeoutMs,
        'a person to reach the expected state',
      );
      return found!;
    },
    async settle(uid, timeoutMs = 15_000) {
      await until(
        async () => {
          const lastUid = Number(await runtime.redis.hget(store.keys.cursor, 'lastUid'));
          if (lastUid < uid) return false;
          const { inbound, send } = await runtime.queueCounts();
          return inbound === 0 && send === 0;
        },
        timeoutMs,
        `Winnow to finish with every message up to UID ${uid}`,
      );
    },
    stop: () => runtime.close(),
  };
}

/**
 * Lifts the volume limits (daily cap, per-domain cap, circuit breaker) on one Winnow's keys, for
 * a test or benchmark that sends more scripts than they allow by design (a burst of fifty, say).
 */
export async function liftVolumeLimits(redis: Redis, prefix: string): Promise<void> {
  const settings = createSettingsStore(redis, mailboxKeys(prefix, PRIMARY_MAILBOX).settings, { responseDeadlineMs: 7 * 86_400_000, dedupeWindowMs: 90 * 86_400_000 });
  await settings.save({ ...(await settings.get()), dailyCap: null, domainHourlyCap: null, breakerHourly: null });
}

/** Polls a condition that has no event to wait on (a state in Redis), failing with what it waited for. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * For an integration test file: one sandbox for the file, a Winnow per test on a user of its own,
 * stopped after each test.
 */
export function useSandbox(users: string[]) {
  let sandbox: Sandbox | undefined;
  const running: TestWinnow[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ users });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((winnow) => winnow.stop()));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const current = (): Sandbox => {
    if (!sandbox) throw new Error('the sandbox is not started yet (use it inside a test)');
    return sandbox;
  };

  return {
    get sandbox() {
      return current();
    },
    /** Starts Winnow on this user's mailbox; it is stopped after the test unless stopped before. */
    async winnow(user: string, options: Omit<TestWinnowOptions, 'user'> = {}): Promise<TestWinnow> {
      const winnow = await startWinnow(current(), { user, ...options });
      running.push(winnow);
      const stop = winnow.stop;
      winnow.stop = async () => {
        running.splice(running.indexOf(winnow), 1);
        await stop();
      };
      return winnow;
    },
    /** Every script the SMTP peer accepted for this address. */
    scriptsTo(address: string): ReceivedMail[] {
      return current().smtp.received.filter((mail) => mail.recipients.includes(address));
    },
  };
}

/** Runs a person's delayed deadline job now, as its time would have come; resolves once it ran. */
export async function fireDeadline(winnow: TestWinnow, contactId: string): Promise<void> {
  const queues = createQueues(winnow.runtime.redis, winnow.config.redis.prefix);
  try {
    const job = await queues.deadline.getJob(jobId.deadline(PRIMARY_MAILBOX, contactId));
    if (!job) throw new Error('the person has no deadline job');
    const before = job.processedOn ?? 0;
    expect(await job.getState()).toBe('delayed');
    await job.promote();
    await until(
      async () => {
        const fresh = await queues.deadline.getJob(job.id!);
        return !fresh || ((fresh.processedOn ?? 0) > before && (await fresh.getState()) !== 'active' && (await fresh.getState()) !== 'waiting');
      },
      10_000,
      'the deadline job to run',
    );
  } finally {
    await closeQueues(queues);
  }
}
