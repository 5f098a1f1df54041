import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oldLinkedInInvitation, RECEIVING_SERVER, receivedBy } from '../support/requests.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';
import { until } from '../support/winnow.ts';

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
  it('answers a request, reports ready, logs JSON lines when not on a terminal, and stops cleanly on SIGTERM without logging a secret', async () => {
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
      await sandbox.deliver(user.address, receivedBy(await oldLinkedInInvitation(person, user.address, '<start-test.invite>'), 'example.org', 'pass', 'linkedin.com'));
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
    // Standard output is a pipe here, so every line is JSON, for a log collector.
    const entries = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; event?: string; level: number });
    expect(entries.map((entry) => entry.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^Winnow is running/), 'stopped cleanly; goodbye']));
    expect(entries.filter((entry) => entry.event === 'request' || entry.event === 'script_sent').map((entry) => entry.msg)).toEqual([
      'request from Sam Starter <sam.starter@example.org> (LinkedIn): script queued',
      'script sent to Sam Starter <sam.starter@example.org> (LinkedIn); they have 7 days to answer',
    ]);
    // Polled /readyz and the API call leave no access-log line at info.
    expect(entries.filter((entry) => entry.msg === 'request completed')).toEqual([]);
    for (const secret of [user.pass, 'a-dashboard-password', 'an-api-token-for-the-test']) expect(output).not.toContain(secret);
  });
});
