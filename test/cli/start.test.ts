import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { until } from '../support/winnow.ts';

/** The receiving server's authserv-id in this test. */
const RECEIVING_SERVER = 'mx.example.test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let sandbox: Sandbox;
let cwd: string;

beforeAll(async () => {
  sandbox = await startSandbox({ users: ['starter'] });
  cwd = await mkdtemp(path.join(tmpdir(), 'winnow-start-'));
});

afterAll(async () => {
  await sandbox?.stop();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('winnow start, as a user runs it', () => {
  it('answers a request, reports ready, and stops cleanly on SIGTERM without logging a secret', async () => {
    const port = await freePort();
    const user = sandbox.user('starter');
    const child = spawn(process.execPath, [path.join(root, 'bin/winnow.js'), 'start'], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        ...sandbox.env(),
        IMAP_USER: user.user,
        IMAP_PASS: user.pass,
        MAIL_FROM: `Starter <${user.address}>`,
        DASHBOARD_PASSWORD: 'a-dashboard-password',
        API_TOKEN: 'an-api-token-for-the-test',
        REDIS_PREFIX: `start-${process.pid}`,
        PORT: String(port),
        // The process asks the machine's DNS, which knows no test keys: the sandbox's Dovecot plays
        // the receiving server, whose verdict tops the mail below.
        AUTHSERV_ID: RECEIVING_SERVER,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const ready = async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        return response?.status === 200;
      };
      await until(ready, 20_000, `winnow start to be ready on port ${port}\n${output}`);

      const person = { name: 'Sam Starter', address: 'sam.starter@example.org' };
      const invitation = await oldLinkedInInvitation(person, user.address, '<start-test.invite>');
      const checked = Buffer.from(`Authentication-Results: ${RECEIVING_SERVER}; dkim=pass header.d=linkedin.com; spf=pass smtp.mailfrom=bounce.linkedin.com\r\n`);
      await sandbox.deliver(user.address, Buffer.concat([checked, invitation]));
      const script = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(person.address));
      expect(script.headers.get('auto-submitted')).toBe('auto-replied');

      const contacts = await fetch(`http://127.0.0.1:${port}/api/contacts`, { headers: { authorization: 'Bearer an-api-token-for-the-test' } });
      expect(((await contacts.json()) as { contacts: Array<{ email: string; status: string }> }).contacts).toContainEqual(
        expect.objectContaining({ email: person.address }),
      );
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
    expect(output).toContain('Winnow is running');
    expect(output).toContain('shutting down');
    for (const secret of [user.pass, 'a-dashboard-password', 'an-api-token-for-the-test']) expect(output).not.toContain(secret);
  });
});
