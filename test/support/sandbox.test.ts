import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from './sandbox-process.ts';
import { startSandbox, type Sandbox } from './sandbox.ts';

function message(subject: string, to = 'me@example.test'): string {
  return [
    'From: Carol Example <carol@elsewhere.test>',
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W+/g, '-')}@elsewhere.test>`,
    'Date: Tue, 25 Nov 2025 10:00:00 +0000',
    '',
    'Hello there.',
    '',
  ].join('\n');
}

describe('test sandbox', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('runs a Redis whose data survives a restart (AOF)', async (context) => {
    if (process.env.REDIS_URL) context.skip(); // an external Redis cannot be restarted by us
    const before = new Redis(sandbox.redisUrl);
    try {
      expect(await before.ping()).toBe('PONG');
      expect(await before.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await before.set('sandbox:survivor', 'still here');
    } finally {
      before.disconnect();
    }
    await sandbox.redis.restart();
    const after = new Redis(sandbox.redisUrl);
    try {
      expect(await after.get('sandbox:survivor')).toBe('still here');
    } finally {
      after.disconnect();
    }
  });

  it('delivers a message into a mailbox that messages() then lists', async () => {
    const { uid, deliveredAt } = await sandbox.deliver('me', message('Invitation to connect'));
    expect(uid).toBeGreaterThan(0);
    expect(deliveredAt).toBeGreaterThan(performance.timeOrigin);

    const inbox = await sandbox.messages('me@example.test');
    const delivered = inbox.find((entry) => entry.uid === uid);
    expect(delivered?.source.toString()).toContain('Subject: Invitation to connect\r\n');
  });

  it('files into other folders too, such as Sent', async () => {
    const { uid } = await sandbox.deliver('bob', message('A copy of what bob sent', 'carol@elsewhere.test'), 'Sent');
    const sent = await sandbox.messages('bob', 'Sent');
    expect(sent.map((entry) => entry.uid)).toContain(uid);
    expect(await sandbox.messages('bob', 'Drafts')).toEqual([]);
  });

  it('records mail sent through the SMTP peer and files it into the recipient INBOX', async () => {
    const transport = nodemailer.createTransport({
      host: sandbox.smtp.host,
      port: sandbox.smtp.port,
      secure: false,
      auth: { user: sandbox.smtp.user, pass: sandbox.smtp.pass },
    });
    try {
      const info = await transport.sendMail({
        from: 'me@example.test',
        to: ['alice@example.test', 'stranger@elsewhere.test'],
        subject: 'Thanks for wanting to connect',
        text: 'Why would you like to connect?',
        headers: { 'Auto-Submitted': 'auto-replied' },
      });

      const received = await sandbox.smtp.waitFor((mail) => mail.messageId === info.messageId);
      expect(received.envelopeFrom).toBe('me@example.test');
      expect(received.recipients).toEqual(['alice@example.test', 'stranger@elsewhere.test']);
      expect(received.headers.get('subject')).toBe('Thanks for wanting to connect');
      expect(received.headers.get('auto-submitted')).toBe('auto-replied');
      expect(received.acceptedAt).toBeGreaterThan(performance.timeOrigin);

      const inbox = await sandbox.messages('alice');
      const filed = inbox.find((entry) => entry.source.toString().includes(info.messageId));
      expect(filed?.source.toString()).toMatch(/^Return-Path: <me@example\.test>\r\nDelivered-To: alice@example\.test\r\n/);
    } finally {
      transport.close();
    }
  });

  it('refuses the next messages with the reply given to failNext()', async () => {
    const transport = nodemailer.createTransport({ host: sandbox.smtp.host, port: sandbox.smtp.port, secure: false });
    try {
      const mail = { from: 'me@example.test', to: 'bob@example.test', subject: 'Refused once', text: 'Hi' };
      sandbox.smtp.failNext(451, 'Try again later');
      await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
      const info = await transport.sendMail(mail);
      expect(info.response).toMatch(/^250 /);
      expect(sandbox.smtp.rejected.some((entry) => entry.headers.get('subject') === 'Refused once')).toBe(true);
    } finally {
      transport.close();
    }
  });

  it('rejects waitFor() with a clear message when nothing matching arrives', async () => {
    await expect(sandbox.smtp.waitFor((mail) => mail.recipients.includes('nobody@example.test'), 30)).rejects.toThrow(
      /no matching message arrived within 30 ms/,
    );
  });

  it('keeps delivering after imapRestart() dropped every IMAP connection', async () => {
    await sandbox.deliver('me', message('Before the restart'));
    await sandbox.imapRestart();
    const { uid } = await sandbox.deliver('me', message('After the restart'));
    expect((await sandbox.messages('me')).map((entry) => entry.uid)).toContain(uid);
  });

  it('names users by local part or address and refuses unknown ones', () => {
    expect(sandbox.user('alice')).toEqual({ address: 'alice@example.test', user: 'alice@example.test', pass: 'secret' });
    expect(sandbox.user('Bob@Example.test').address).toBe('bob@example.test');
    expect(() => sandbox.user('mallory')).toThrow(/no sandbox user/);
  });
});

describe('sandbox.stop()', () => {
  it('leaves no server process and no temporary folder behind, and may be called twice', async () => {
    const sandbox = await startSandbox({ users: ['me'], smtp: false });
    await sandbox.deliver('me', message('Something for Dovecot to hold open'));
    const pids = sandbox.pids();
    expect(pids.length).toBeGreaterThan(1);

    await sandbox.stop();
    await sandbox.stop();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(sandbox.dir)).toBe(false);
    await expect(sandbox.deliver('me', message('Too late'))).rejects.toThrow(/stopped/);
  });
});
