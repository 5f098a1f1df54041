import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../../src/cli/doctor.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

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
  beforeAll(async () => {
    sandbox = await startSandbox({ users: ['doc'] });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const envFor = (overrides: Record<string, string> = {}) => ({
    ...sandbox.env(),
    IMAP_USER: sandbox.user('doc').user,
    IMAP_PASS: sandbox.user('doc').pass,
    MAIL_FROM: `Doc <${sandbox.user('doc').address}>`,
    DASHBOARD_PASSWORD: 'dashboard-secret',
    ...overrides,
  });

  it('says all is well when every part answers', async () => {
    const lines: string[] = [];
    expect(await doctor(envFor(), (line) => lines.push(line))).toBe(0);
    expect(lines.filter((line) => line.startsWith('ok'))).toHaveLength(6);
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
    expect(lines.find((line) => line.includes('AUTHSERV_ID'))).toMatch(/^ok {4}receiving server \(AUTHSERV_ID\): not set; mx\.doc\.example wrote the topmost Authentication-Results of 3 of the last \d+ mails in INBOX\. If it is your provider's receiving server, set AUTHSERV_ID=mx\.doc\.example \(it is not believed until you do\)$/);
    const set: string[] = [];
    await doctor(envFor({ AUTHSERV_ID: 'mx.doc.example' }), (line) => set.push(line));
    expect(set.find((line) => line.includes('AUTHSERV_ID'))).toMatch(/^ok {4}receiving server \(AUTHSERV_ID\): mx\.doc\.example: its Authentication-Results are believed/);
  });

  it('refuses to send passwords to servers that offer no TLS, unless told the link is trusted', async () => {
    const lines: string[] = [];
    const env: Record<string, string> = envFor();
    delete env.ALLOW_PLAINTEXT;
    expect(await doctor(env, (line) => lines.push(line))).toBe(1);
    expect(lines.find((line) => line.includes('IMAP'))).toMatch(/^FAIL.*STARTTLS/);
    expect(lines.find((line) => line.includes('SMTP'))).toMatch(/^FAIL.*STARTTLS/);
  });

  it('names the part that is wrong, and what is wrong with it', async () => {
    const lines: string[] = [];
    expect(await doctor(envFor({ IMAP_PASS: 'wrong-password' }), (line) => lines.push(line))).toBe(1);
    const imap = lines.find((line) => line.includes('IMAP'));
    expect(imap).toMatch(/^FAIL/);
    expect(lines.find((line) => line.includes('Redis'))).toMatch(/^ok/);
    expect(lines.join('\n')).not.toContain('wrong-password');
  });
});
