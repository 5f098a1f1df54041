import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rotateSecret, type RotateOptions } from '../../src/cli/rotate-secret.ts';
import { createSealer, isSealed } from '../../src/config/sealed.ts';
import { serverSecret } from '../../src/config/secret.ts';
import { createLogger } from '../../src/log.ts';
import { readScriptMessageId, scriptMessageId } from '../../src/mail/message-id.ts';
import { mailboxKeys } from '../../src/store/keys.ts';
import { createWebhooks } from '../../src/webhooks/webhooks.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

/**
 * `winnow rotate-secret` on a real Redis: values sealed where Winnow keeps them (hash fields,
 * string keys, the server secret, webhook endpoint secrets) move to the new WINNOW_SECRET, and
 * what Winnow sealed before still works after.
 */

const OLD = 'the-old-winnow-secret-0123456789';
const NEW = 'the-new-winnow-secret-9876543210';
const THIRD = 'a-third-secret-nobody-has-now-00';

let sandbox: Sandbox;
let redis: Redis;
let counter = 0;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl);
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

afterAll(async () => {
  await redis?.quit();
  await sandbox?.stop();
});

function freshPrefix(): string {
  counter += 1;
  const prefix = `rotate-test-${counter}-${process.pid}`;
  cleanup.push(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  return prefix;
}

async function rotate(prefix: string, secrets: Partial<Pick<RotateOptions, 'current' | 'next' | 'force'>> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await rotateSecret(
    { redisUrl: sandbox.redisUrl, prefix, current: OLD, next: NEW, ...secrets },
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every sealed value under the prefix, by where it is: string keys and hash fields. */
async function sealedValues(prefix: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    if (type === 'string') {
      const value = (await redis.get(key))!;
      if (isSealed(value)) found.set(key, value);
    } else if (type === 'hash') {
      for (const [field, value] of Object.entries(await redis.hgetall(key))) if (isSealed(value)) found.set(`${key} ${field}`, value);
    }
  }
  return found;
}

/** Opens `value`, or null when it does not open under that sealer. */
function opens(sealer: ReturnType<typeof createSealer>, value: string): string | null {
  try {
    return sealer.open(value);
  } catch {
    return null;
  }
}

describe('winnow rotate-secret', () => {
  it('moves every sealed value to the new secret, and Message-IDs sealed before still verify after', async () => {
    const prefix = freshPrefix();
    const old = createSealer(OLD);
    const keys = mailboxKeys(prefix, 'primary');
    // The server secret, as the first start with WINNOW_SECRET keeps it, and a Message-ID sealed with it.
    const before = await serverSecret(redis, keys, OLD);
    const messageId = scriptMessageId('abc123', 1, 'example.test', before);
    // Secrets as the mailbox records keep them: hash fields, beside fields that are not secrets.
    const mailbox = `${prefix}:mailbox:m1`;
    await redis.hset(mailbox, { name: 'Work', imapPass: old.seal('imap-pässword'), smtpPass: old.seal('smtp-password'), host: 'imap.example.org' });
    // A string key with a time to live keeps it.
    const token = `${prefix}:{m2}:oauth-token`;
    await redis.set(token, old.seal('ya29.access-token'), 'EX', 3600);
    await redis.set(`${prefix}:plain`, 'not a secret');
    // A webhook endpoint added through its store.
    const webhooks = createWebhooks({ redis, prefix, mailbox: 'primary', logger: createLogger('silent', { format: 'json' }), allowPrivate: true, sealer: old, readPerson: async () => null });
    cleanup.push(() => webhooks.close());
    const endpoint = await webhooks.endpoints.add({ url: 'http://127.0.0.1:9/hook' });

    const sealedBefore = await sealedValues(prefix);
    expect(sealedBefore.size).toBe(5);

    const { code, out, err } = await rotate(prefix);
    expect(code, err).toBe(0);
    expect(out).toContain('values re-encrypted: 5');
    expect(out).toContain('already under the new key: 0');
    expect(out).toContain('unreadable (left as they are): 0');
    expect(out).toMatch(/keys scanned: \d+/);
    expect(err).toBe('');

    const next = createSealer(NEW);
    const after = await sealedValues(prefix);
    expect([...after.keys()].sort()).toEqual([...sealedBefore.keys()].sort());
    for (const [where, value] of after) {
      expect(opens(next, value), where).not.toBeNull();
      expect(opens(old, value), where).toBeNull();
      expect(opens(next, value), where).toBe(opens(old, sealedBefore.get(where)!));
    }
    expect(next.open((await redis.hget(mailbox, 'imapPass'))!)).toBe('imap-pässword');
    expect(await redis.hget(mailbox, 'host')).toBe('imap.example.org');
    expect(await redis.get(`${prefix}:plain`)).toBe('not a secret');
    expect(await redis.ttl(token)).toBeGreaterThan(3500);

    // Started with the new WINNOW_SECRET: the same seal key, so the Message-ID sent before verifies.
    const afterSecret = await serverSecret(redis, keys, NEW);
    expect(afterSecret).toBe(before);
    expect(readScriptMessageId(messageId, afterSecret)).toMatchObject({ contactId: 'abc123', attempt: 1, sealed: true });
    // The webhook endpoint's secret reads the same under the new key.
    const moved = createWebhooks({ redis, prefix, mailbox: 'primary', logger: createLogger('silent', { format: 'json' }), allowPrivate: true, sealer: next, readPerson: async () => null });
    cleanup.push(() => moved.close());
    expect((await moved.endpoints.get(endpoint.id))?.secret).toBe(endpoint.secret);
  });

  it('run again, re-encrypts nothing and says every value is already under the new key', async () => {
    const prefix = freshPrefix();
    await redis.hset(`${prefix}:mailbox:m1`, 'imapPass', createSealer(OLD).seal('imap-password'));
    await redis.set(`${prefix}:token`, createSealer(OLD).seal('token'));
    expect((await rotate(prefix)).code).toBe(0);
    const moved = await sealedValues(prefix);

    const again = await rotate(prefix);
    expect(again.code).toBe(0);
    expect(again.out).toContain('values re-encrypted: 0');
    expect(again.out).toContain('already under the new key: 2');
    expect(await sealedValues(prefix)).toEqual(moved);
  });

  it('reports a value sealed under a third secret by key and field, never its content, leaves it, and exits non-zero', async () => {
    const prefix = freshPrefix();
    const lost = createSealer(THIRD).seal('the-lost-password');
    await redis.hset(`${prefix}:mailbox:m1`, { imapPass: createSealer(OLD).seal('imap-password'), smtpPass: lost });
    const { code, out, err } = await rotate(prefix);
    expect(code).toBe(1);
    expect(out).toContain('values re-encrypted: 1');
    expect(out).toContain('unreadable (left as they are): 1');
    expect(err).toContain(`${prefix}:mailbox:m1 field smtpPass: the value was sealed under another WINNOW_SECRET`);
    expect(`${out}\n${err}`).not.toContain('the-lost-password');
    expect(`${out}\n${err}`).not.toContain(lost);
    expect(await redis.hget(`${prefix}:mailbox:m1`, 'smtpPass')).toBe(lost);
    expect(createSealer(NEW).open((await redis.hget(`${prefix}:mailbox:m1`, 'imapPass'))!)).toBe('imap-password');
  });

  it('refuses with advice when a secret is missing, too short, or the same as the other, and changes nothing', async () => {
    const prefix = freshPrefix();
    const sealed = createSealer(OLD).seal('imap-password');
    await redis.set(`${prefix}:token`, sealed);
    const cases: Array<[Partial<RotateOptions>, RegExp]> = [
      [{ current: undefined }, /WINNOW_SECRET is not set/],
      [{ next: undefined }, /WINNOW_NEW_SECRET is not set: .*openssl rand -base64 32/],
      [{ next: 'short' }, /WINNOW_NEW_SECRET must be at least 16 characters \(it is 5/],
      [{ current: 'short' }, /WINNOW_SECRET must be at least 16 characters/],
      [{ next: OLD }, /WINNOW_NEW_SECRET is the same as WINNOW_SECRET/],
    ];
    for (const [secrets, advice] of cases) {
      const { code, err } = await rotate(prefix, secrets);
      expect(code, JSON.stringify(secrets)).toBe(2);
      expect(err).toMatch(advice);
      expect(err).not.toContain(OLD);
    }
    expect(await redis.get(`${prefix}:token`)).toBe(sealed);
  });

  it('refuses while a mailbox watcher holds its lease (Winnow is running), and rotates with --force', async () => {
    const prefix = freshPrefix();
    await redis.set(mailboxKeys(prefix, 'primary').lease, 'some-process', 'PX', 30_000);
    const sealed = createSealer(OLD).seal('token');
    await redis.set(`${prefix}:token`, sealed);
    const refused = await rotate(prefix);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/nothing moved: Winnow is running \(the watcher of primary holds its lease\).*stop Winnow, run this command, set WINNOW_SECRET to the new secret in \.env, then start Winnow.*--force/);
    expect(await redis.get(`${prefix}:token`)).toBe(sealed);

    const { code, out, err } = await rotate(prefix, { force: true });
    expect(code).toBe(0);
    expect(err).toMatch(/Warning \(--force\): Winnow is running/);
    expect(out).toContain('values re-encrypted: 1');
  });
});

describe('the server secret across WINNOW_SECRET', () => {
  it('is WINNOW_SECRET itself on the first start, as before, kept only sealed in Redis', async () => {
    const prefix = freshPrefix();
    const keys = mailboxKeys(prefix, 'primary');
    expect(await serverSecret(redis, keys, OLD)).toBe(OLD);
    const stored = (await redis.get(keys.sealedSecret))!;
    expect(stored).not.toContain(OLD);
    expect(createSealer(OLD).open(stored)).toBe(OLD);
    expect(await redis.exists(keys.secret)).toBe(0);
    // Another process (or the next start) reads the same one.
    expect(await serverSecret(redis, keys, OLD)).toBe(OLD);
  });

  it('refuses to start with a WINNOW_SECRET changed without the rotation, saying how to change it', async () => {
    const prefix = freshPrefix();
    const keys = mailboxKeys(prefix, 'primary');
    await serverSecret(redis, keys, OLD);
    await expect(serverSecret(redis, keys, NEW)).rejects.toThrow(/sealed under another WINNOW_SECRET.*Set WINNOW_SECRET back to the value it had.*winnow rotate-secret/);
  });

  it('without WINNOW_SECRET is generated once and kept in Redis, as before', async () => {
    const prefix = freshPrefix();
    const keys = mailboxKeys(prefix, 'primary');
    const generated = await serverSecret(redis, keys, null);
    expect(generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await serverSecret(redis, keys, null)).toBe(generated);
    expect(await redis.get(keys.secret)).toBe(generated);
  });
});

describe('the command line', () => {
  it('winnow rotate-secret reads both secrets from the environment, moves the values and tells what to do next', async () => {
    const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/winnow.js');
    const prefix = freshPrefix();
    await redis.hset(`${prefix}:mailbox:m1`, 'imapPass', createSealer(OLD).seal('imap-password'));
    const env = {
      PATH: process.env.PATH ?? '',
      IMAP_HOST: '127.0.0.1',
      IMAP_USER: 'me@example.test',
      IMAP_PASS: 'unused',
      SMTP_HOST: '127.0.0.1',
      MAIL_FROM: 'me@example.test',
      DASHBOARD_PASSWORD: 'dashboard-password',
      REDIS_URL: sandbox.redisUrl,
      REDIS_PREFIX: prefix,
      WINNOW_SECRET: OLD,
    };
    const cwd = await mkdtemp(path.join(tmpdir(), 'winnow-rotate-'));
    const run = (extra: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [cli, 'rotate-secret'], { cwd, env: { ...env, ...extra }, timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
      });
    try {
      const refused = await run({});
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('WINNOW_NEW_SECRET is not set');
      const done = await run({ WINNOW_NEW_SECRET: NEW });
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain('values re-encrypted: 1');
      expect(done.stdout).toContain('set WINNOW_SECRET to the new secret in .env');
      expect(`${done.stdout}${done.stderr}`).not.toContain(NEW);
      expect(createSealer(NEW).open((await redis.hget(`${prefix}:mailbox:m1`, 'imapPass'))!)).toBe('imap-password');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
