import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../../src/cli/doctor.ts';
import { Redis } from 'ioredis';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { freePort } from '../support/sandbox-process.ts';
import { startTlsPort, type TlsPort } from '../support/sandbox-tls.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'bin/winnow.js');

/** Runs the winnow command (bin/winnow.js, on this Node) in an empty folder (no .env) with only the given environment. */
async function winnow(args: string[], env: Record<string, string> = {}) {
  const cwd = await mkdtemp(path.join(tmpdir(), 'winnow-cli-'));
  try {
    const result = await run(process.execPath, [cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    return result;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

describe('winnow start with a wrong configuration', () => {
  it('exits with code 1 and one message naming every problem, before connecting to anything', async () => {
    const { code, stderr } = await winnow(['start'], { IMAP_PORT: 'not-a-port', IMAP_PASS: 'hunter2-secret', RESPONSE_DEADLINE: 'tomorrow' });
    expect(code).toBe(1);
    for (const name of ['IMAP_HOST', 'IMAP_USER', 'IMAP_PORT', 'SMTP_HOST', 'MAIL_FROM', 'DASHBOARD_PASSWORD', 'RESPONSE_DEADLINE']) {
      expect(stderr).toContain(name);
    }
    expect(stderr).not.toContain('hunter2-secret');
  });

  it('asks backfill how many days to read, before connecting to anything', async () => {
    const { code, stderr } = await winnow(['backfill']);
    expect(code).toBe(2);
    expect(stderr).toContain('--days N');
  });

  it('explains its commands and refuses an unknown one', async () => {
    const help = await winnow(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('scan FILE|DIR');
    const unknown = await winnow(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('winnow doctor', () => {
  let sandbox: Sandbox;
  let tlsPort: TlsPort;
  let closedPort: number;
  beforeAll(async () => {
    [sandbox, tlsPort, closedPort] = await Promise.all([startSandbox({ users: ['doc'] }), startTlsPort(), freePort()]);
  });
  afterAll(async () => {
    await Promise.all([sandbox?.stop(), tlsPort?.close()]);
  });

  const envFor = (overrides: Record<string, string | undefined> = {}) => {
    const env: Record<string, string | undefined> = {
      ...sandbox.env(),
      IMAP_USER: sandbox.user('doc').user,
      IMAP_PASS: sandbox.user('doc').pass,
      MAIL_FROM: `Doc <${sandbox.user('doc').address}>`,
      DASHBOARD_PASSWORD: 'dashboard-secret',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  };
  /** The doctor as a user runs it: the winnow command, its output split into lines. */
  const runDoctor = async (overrides: Record<string, string | undefined>) => {
    const { code, stdout, stderr } = await winnow(['doctor'], envFor(overrides));
    return { code, stderr, lines: stdout.split('\n'), text: stdout };
  };
  /** The line about a part and the advice line under it. */
  const about = (lines: string[], part: string) => {
    const index = lines.findIndex((line) => new RegExp(`^\\S+\\s+${part}\\b`).test(line));
    return { line: lines[index] ?? '', advice: lines[index + 1] ?? '' };
  };

  it('says all is well when every part answers', async () => {
    const lines: string[] = [];
    expect(await doctor(envFor(), (line) => lines.push(line))).toBe(0);
    expect(lines.filter((line) => line.startsWith('ok'))).toHaveLength(6);
    expect(lines.find((line) => line.includes('SMTP'))).toContain(`logged in as ${sandbox.user('doc').user}`);
    expect(lines.at(-1)).toBe('All checks passed.');
  });

  it('offers the authserv-id that tops most recent mail for AUTHSERV_ID, and says it is not believed until set', async () => {
    const user = sandbox.user('doc');
    for (const id of ['mx.doc.example', 'mx.doc.example', 'mx.doc.example', null]) {
      const header = id ? `Authentication-Results: ${id}; dkim=none\r\n` : '';
      await sandbox.deliver(user.address, Buffer.from(`${header}From: someone@example.org\r\nTo: ${user.address}\r\nSubject: hello\r\n\r\nhi\r\n`));
    }
    const lines: string[] = [];
    await doctor(envFor(), (line) => lines.push(line));
    const suggestion = lines.findIndex((line) => line.includes('AUTHSERV_ID'));
    expect(lines[suggestion]).toMatch(/^WARN {2}receiving server \(AUTHSERV_ID\): not set; mx\.doc\.example wrote the topmost Authentication-Results of 3 of the last \d+ mails in INBOX$/);
    expect(lines[suggestion + 1]?.trim()).toBe("If it is your provider's receiving server, set AUTHSERV_ID=mx.doc.example (it is not believed until you do).");
    const set: string[] = [];
    await doctor(envFor({ AUTHSERV_ID: 'mx.doc.example' }), (line) => set.push(line));
    expect(set.find((line) => line.includes('AUTHSERV_ID'))).toMatch(/^ok {4}receiving server \(AUTHSERV_ID\): mx\.doc\.example: its Authentication-Results are believed/);
  });

  it('names the setting and the app password when the server refuses the login, without showing the password', async () => {
    const { code, lines, text } = await runDoctor({ IMAP_PASS: 'wrong-password', SMTP_PASS: 'wrong-password' });
    expect(code).toBe(1);
    const imap = about(lines, 'IMAP');
    expect(imap.line).toMatch(/^FAIL\s+IMAP .*refused the login of doc@example\.test \(the server said: "Authentication failed\."\)/);
    expect(imap.advice).toMatch(/Check IMAP_USER and IMAP_PASS\. Gmail, Outlook.* app password/);
    const smtp = about(lines, 'SMTP');
    expect(smtp.line).toMatch(/^FAIL\s+SMTP .*refused the login/);
    expect(smtp.advice).toContain('Check SMTP_USER and SMTP_PASS');
    expect(about(lines, 'Redis').line).toMatch(/^ok/);
    expect(text).not.toContain('wrong-password');
    expect(text).not.toContain('Command failed');
  });

  it('points at the usual ports when nothing listens on the configured one', async () => {
    const { code, lines } = await runDoctor({ IMAP_PORT: String(closedPort), SMTP_PORT: String(closedPort) });
    expect(code).toBe(1);
    const imap = about(lines, 'IMAP');
    expect(imap.line).toMatch(new RegExp(`^FAIL.*nothing accepts connections at 127\\.0\\.0\\.1:${closedPort}`));
    expect(imap.advice).toMatch(/Check IMAP_HOST and IMAP_PORT: IMAP servers listen on 993 \(TLS, IMAP_SECURE=true\) or 143 \(STARTTLS\)/);
    expect(about(lines, 'SMTP').advice).toMatch(/465 \(TLS, SMTP_SECURE=true\) or 587 \(STARTTLS\)/);
  });

  it('says so when TLS is spoken to a plain port', async () => {
    const { code, lines } = await runDoctor({ IMAP_SECURE: 'true', SMTP_SECURE: 'true' });
    expect(code).toBe(1);
    const imap = about(lines, 'IMAP');
    expect(imap.line).toMatch(/^FAIL.*Winnow spoke TLS to .* \(IMAP_SECURE=true\), and the server answered in plain text/);
    expect(imap.advice).toMatch(/set IMAP_SECURE=false to keep port \d+ .*or use the TLS port 993/);
    expect(about(lines, 'SMTP').advice).toMatch(/set SMTP_SECURE=false/);
  });

  it('says so when plain text is spoken to a port that expects TLS from the first byte', async () => {
    const lines: string[] = [];
    const port = String(tlsPort.port);
    // The wait for a greeting is shortened here; the server would never send one.
    expect(await doctor(envFor({ IMAP_PORT: port, SMTP_PORT: port }), (line) => lines.push(line), { greetingTimeoutMs: 1500 })).toBe(1);
    const imap = about(lines, 'IMAP');
    expect(imap.line).toMatch(/^FAIL.*accepted the connection but never sent its greeting/);
    expect(imap.advice).toMatch(/expects TLS from the first byte \(993\).*set IMAP_SECURE=true/);
    expect(about(lines, 'SMTP').advice).toMatch(/\(465\).*set SMTP_SECURE=true/);
  });

  it('refuses to send passwords to servers that offer no STARTTLS, and names ALLOW_PLAINTEXT', async () => {
    const { code, lines } = await runDoctor({ ALLOW_PLAINTEXT: undefined });
    expect(code).toBe(1);
    for (const part of ['IMAP', 'SMTP']) {
      const { line, advice } = about(lines, part);
      expect(line).toMatch(/^FAIL.*does not offer STARTTLS, so Winnow did not send the password/);
      expect(advice).toMatch(new RegExp(`${part}_PORT=(993|465) with ${part}_SECURE=true.*ALLOW_PLAINTEXT=true`));
    }
  });

  it('names IMAP_MAILBOX when the login works but the folder does not exist', async () => {
    const { code, lines } = await runDoctor({ IMAP_MAILBOX: 'Requestz' });
    expect(code).toBe(1);
    const imap = about(lines, 'IMAP');
    expect(imap.line).toMatch(/^FAIL.*logged in, but could not open the folder "Requestz": .*exist/i);
    expect(imap.advice).toMatch(/^\s+Check IMAP_MAILBOX/);
  });

  it('says the SMTP server was reached without a login when SMTP_USER is not set', async () => {
    const { code, lines } = await runDoctor({ SMTP_USER: undefined, SMTP_PASS: undefined });
    expect(code).toBe(0);
    const smtp = about(lines, 'SMTP');
    expect(smtp.line).toMatch(/^WARN\s+SMTP .*connected .*without logging in: SMTP_USER and SMTP_PASS are not set/);
    expect(smtp.line).not.toContain('login works');
  });

  it('tells how to start a stopped Redis, and checks nothing that needs it as if it were fine', async () => {
    await sandbox.redis.stop();
    let result;
    try {
      result = await runDoctor({});
    } finally {
      await sandbox.redis.start();
    }
    expect(result.code).toBe(1);
    const redis = about(result.lines, 'Redis');
    expect(redis.line).toMatch(/^FAIL\s+Redis .*Redis is unreachable: nothing accepts connections/);
    expect(redis.advice).toMatch(/Start Redis .*redis-server.*or correct REDIS_URL/);
    expect(about(result.lines, 'templates').line).toMatch(/^--\s+templates: not checked: Redis unreachable/);
    // The mailbox does not need Redis: it is still checked.
    expect(about(result.lines, 'IMAP').line).toMatch(/^ok/);
    expect(result.text).not.toContain('Connection is closed');
  });

  it('tells what to run when Redis may evict data', async () => {
    const admin = new Redis(sandbox.redisUrl);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const { code, lines } = await runDoctor({});
      expect(code).toBe(1);
      const redis = about(lines, 'Redis');
      expect(redis.line).toMatch(/^FAIL.*maxmemory-policy is "allkeys-lru"/);
      expect(redis.advice).toContain('CONFIG SET maxmemory-policy noeviction');
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });

  it('lists the checks it could not run when the configuration is wrong', async () => {
    const { code, lines } = await runDoctor({ IMAP_PORT: 'imap', SMTP_PASS: undefined });
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^FAIL\s+configuration: 2 problems/);
    expect(lines.find((line) => line.startsWith('--'))).toMatch(/Redis, templates, IMAP, SMTP: not checked/);
  });
});
