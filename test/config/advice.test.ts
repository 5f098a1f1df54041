import { describe, expect, it } from 'vitest';
import { adviceText, isRedisError, mailAdvice, maskUrl, redisAdvice, type MailEndpoint } from '../../src/config/advice.ts';

/** Errors shaped as Node, imapflow, nodemailer and ioredis make them (the doctor tests meet the real ones). */
const nodeError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

const imap: MailEndpoint = { service: 'IMAP', host: 'imap.example.com', port: 993, secure: true, requireTls: false, user: 'ada@example.com' };
const smtp: MailEndpoint = { service: 'SMTP', host: 'smtp.example.com', port: 587, secure: false, requireTls: true, user: null };

describe('connection advice', () => {
  it('names the host setting when the host name does not exist', () => {
    const advice = mailAdvice(nodeError('getaddrinfo ENOTFOUND imap.exmaple.com', { code: 'ENOTFOUND', hostname: 'imap.exmaple.com' }), { ...imap, host: 'imap.exmaple.com' });
    expect(advice.kind).toBe('host-not-found');
    expect(adviceText(advice)).toMatch(/^The host name "imap\.exmaple\.com" does not exist .*Check IMAP_HOST for a typo/);
  });

  it('says a certificate is not trusted and which setting to look at', () => {
    const advice = mailAdvice(nodeError('certificate has expired', { code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED', command: 'CONN' }), { ...smtp, port: 465, secure: true });
    expect(advice).toMatchObject({ kind: 'certificate', problem: 'the TLS certificate of smtp.example.com:465 is not trusted (certificate has expired)' });
    expect(advice.fix).toContain('SMTP_HOST');
  });

  it("names an added mailbox's own fields, not the environment's, when the settings are a record's", () => {
    const refused = mailAdvice(nodeError('Authentication failed', { authenticationFailed: true }), { ...imap, settings: 'record' });
    expect(refused.fix).toContain('Check imap.user and imap.pass.');
    expect(refused.fix).not.toContain('IMAP_');
    const folder = mailAdvice(Object.assign(new Error('could not open the folder "Requests"'), { folder: 'Requests' }), { ...imap, settings: 'record' });
    expect(folder.fix).toMatch(/^Check imap\.folder: usually INBOX/);
  });

  it('asks for SMTP_USER and SMTP_PASS when the server wants a login and none is set', () => {
    const advice = mailAdvice(nodeError('Mail command failed: 530 5.7.0 Authentication required', { code: 'EENVELOPE', responseCode: 530, command: 'MAIL FROM' }), smtp);
    expect(advice).toMatchObject({ kind: 'login-needed', fix: 'Set SMTP_USER and SMTP_PASS (usually the same as IMAP_USER and IMAP_PASS).' });
  });

  it('says a connection that times out is down, filtered or on the wrong port', () => {
    const advice = mailAdvice(nodeError('Connection timeout', { code: 'ETIMEDOUT' }), imap);
    expect(advice.kind).toBe('timed-out');
    expect(advice.fix).toMatch(/firewall.*IMAP_HOST and IMAP_PORT \(IMAP uses 993 with IMAP_SECURE=true, or 143 with STARTTLS\)/);
  });

  it('keeps the server’s words when it knows no better', () => {
    const advice = mailAdvice(nodeError('Command failed', { responseText: 'Too many connections from your IP' }), imap);
    expect(advice).toMatchObject({ kind: 'other', problem: 'IMAP at imap.example.com:993 failed: Command failed (the server said: "Too many connections from your IP")' });
  });
});

describe('Redis advice', () => {
  it('tells where the password goes when Redis wants one, without showing a password', () => {
    const url = 'redis://:old-secret@cache.example.com:6380';
    const advice = redisAdvice(nodeError('WRONGPASS invalid username-password pair or user is disabled.', { name: 'ReplyError' }), url);
    expect(advice.kind).toBe('redis-password');
    expect(adviceText(advice)).toContain('redis://:PASSWORD@cache.example.com:6380');
    expect(adviceText(advice)).not.toContain('old-secret');
  });

  it('reads a closed connection or exhausted retries as Redis being unreachable', () => {
    const closed = new Error('Connection is closed.');
    expect(isRedisError(closed)).toBe(true);
    expect(redisAdvice(closed, null)).toMatchObject({ kind: 'redis-unreachable', problem: 'Redis is unreachable: the connection closed (Connection is closed.)' });
    expect(isRedisError(nodeError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('masks the password of a URL and keeps the user', () => {
    expect(maskUrl('redis://winnow:s3cret@127.0.0.1:6379/2')).toBe('redis://winnow:***@127.0.0.1:6379/2');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
