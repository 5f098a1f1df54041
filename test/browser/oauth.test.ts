// Signing in with a provider, end to end on real servers: the sandbox's OAuth2 provider
// (oidc-provider) stands in for Google (GOOGLE_ISSUER), Dovecot and the SMTP peer accept XOAUTH2
// only with tokens it vouches for, and the consent runs in Chromium. Two worker processes share
// one Redis, as two `winnow worker`s would.
import { capturedLog } from '../support/log.ts';
import { everythingStored } from '../support/redis-scan.ts';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/config/sealed.ts';
import { createProviderClients } from '../../src/mailboxes/oauth-client.ts';
import { oauthProviders } from '../../src/mailboxes/oauth-providers.ts';
import { createMailboxTokens, SignInNeeded } from '../../src/mailboxes/oauth-tokens.ts';
import type { MailboxAccess } from '../../src/mailboxes/records.ts';
import { serverKeys } from '../../src/store/keys.ts';
import { launchChromium, logIn, type TestBrowser } from '../support/browser.ts';
import { oldLinkedInInvitation } from '../support/requests.ts';
import { signInAtProvider } from '../support/sandbox-oauth.ts';
import { SANDBOX_PASSWORD, startSandbox, type Sandbox } from '../support/sandbox.ts';
import { startWinnow, until, type TestWinnow } from '../support/winnow.ts';

const WINNOW_SECRET = 'a-long-enough-secret-for-the-oauth-tests-0123';
const CLIENT = { clientId: 'winnow-google', clientSecret: 'google-client-secret-for-tests' };
/** Tokens live 65 s: fresh for 5 s, then inside the minute in which Winnow renews them first. */
const TOKEN_TTL = 65;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}


describe('a mailbox connected by signing in with Google', () => {
  let sandbox: Sandbox;
  let browser: TestBrowser;
  const running: TestWinnow[] = [];

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([startSandbox({ users: ['me', 'gmail'], oauth: true }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    for (const winnow of running.splice(0)) await winnow.stop();
    await sandbox?.stop();
  });

  it('connects in the browser, answers over XOAUTH2, renews tokens one at a time, and asks for sign-in again when the grant is revoked', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    sandbox.oauth.registerApp({ ...CLIENT, redirectUris: [`${baseUrl}/mailboxes/oauth/callback`] });
    sandbox.oauth.setAccessTokenTtl(TOKEN_TTL);
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const env = {
      WINNOW_SECRET,
      GOOGLE_CLIENT_ID: CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: CLIENT.clientSecret,
      GOOGLE_ISSUER: sandbox.oauth.issuer,
      DASHBOARD_URL: baseUrl,
      PORT: String(port),
      MAILBOX_LEASE: '3s',
    };
    const first = capturedLog('debug');
    const second = capturedLog('debug');
    const web = await startWinnow(sandbox, { user: 'me', prefix, env, roles: { worker: true, web: true }, logger: first.logger });
    running.push(web);
    const worker = await startWinnow(sandbox, { user: 'me', prefix, env, roles: { worker: true, web: false }, logger: second.logger, waitForWatcher: false });
    running.push(worker);
    await web.runtime.app!.listen({ port, host: '127.0.0.1' });

    const gmail = sandbox.user('gmail');
    const { page } = await browser.page();
    await logIn(page, baseUrl, web.config.web.dashboardPassword);

    // Mailboxes → Connect Google, with the sandbox's servers under "Advanced".
    await page.goto(`${baseUrl}/mailboxes/connect`);
    const form = page.getByRole('form', { name: 'Connect Google' });
    await form.getByLabel('Name of the mailbox').fill('Gmail');
    await form.locator('summary', { hasText: 'Advanced' }).click();
    await form.locator('input[name=imapHost]').fill(sandbox.imap.host);
    await form.locator('input[name=imapPort]').fill(String(sandbox.imap.port));
    await form.locator('select[name=imapSecurity]').selectOption('starttls');
    await form.locator('input[name=smtpHost]').fill(sandbox.smtp.host);
    await form.locator('input[name=smtpPort]').fill(String(sandbox.smtp.port));
    await form.locator('select[name=smtpSecurity]').selectOption('starttls');
    await Promise.all([signInAtProvider(page, { email: gmail.address, password: SANDBOX_PASSWORD }), form.getByRole('button', { name: 'Connect Google' }).click()]);
    await page.waitForURL((url) => url.pathname === '/mailboxes');

    const gmailBox = async () => (await web.runtime.mailboxes.withState()).find((mailbox) => mailbox.auth === 'google');
    await until(async () => (await gmailBox())?.state === 'connected', 15_000, 'the Google mailbox to connect');
    const connected = (await gmailBox())!;
    expect(connected).toMatchObject({ name: 'Gmail', from: { address: gmail.address }, imap: { user: gmail.address }, smtp: { user: gmail.address } });

    // A request into it is answered from its address: the SMTP peer took the script over XOAUTH2
    // (it knows no password of this address).
    const ann = { name: 'Ann Oauth', address: 'ann.oauth@example.org' };
    await sandbox.deliver(gmail.address, await oldLinkedInInvitation(ann, gmail.address, '<oauth-1@linkedin.example>'));
    const toAnn = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(ann.address), 20_000);
    expect(toAnn.envelopeFrom).toBe(gmail.address);
    expect(toAnn.headers.get('from')).toContain(gmail.address);
    expect(sandbox.oauth.tokenRequests('refresh_token')).toHaveLength(0);

    // The access token runs out and the IMAP server restarts, so the watcher logs in again: it
    // gets a new token with exactly one refresh, and the next request is answered.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await sandbox.imapRestart();
    await until(async () => sandbox.oauth.tokenRequests('refresh_token').length > 0 && (await gmailBox())?.state === 'connected', 20_000, 'the watcher to log in again with a new token');
    const bob = { name: 'Bob Oauth', address: 'bob.oauth@example.org' };
    await sandbox.deliver(gmail.address, await oldLinkedInInvitation(bob, gmail.address, '<oauth-2@linkedin.example>'));
    await sandbox.smtp.waitFor((mail) => mail.recipients.includes(bob.address), 20_000);
    expect(sandbox.oauth.tokenRequests('refresh_token').filter((request) => request.ok)).toHaveLength(1);

    // Two processes needing a new token at the same moment: one refresh between them.
    const access = (await web.runtime.mailboxes.access(connected.id)) as MailboxAccess;
    const tokensOf = (winnow: TestWinnow) =>
      createMailboxTokens({ redis: winnow.runtime.redis, prefix, clients: createProviderClients(oauthProviders(winnow.config.oauth)), secrets: createSealer(WINNOW_SECRET), logger: capturedLog('debug').logger });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const before = sandbox.oauth.tokenRequests('refresh_token').length;
    const [one, two] = await Promise.all([tokensOf(web).accessToken(access), tokensOf(worker).accessToken(access)]);
    expect(one).toBe(two);
    expect(sandbox.oauth.tokenRequests('refresh_token')).toHaveLength(before + 1);
    expect(sandbox.oauth.tokenRequests('refresh_token').every((request) => request.ok)).toBe(true);

    // No token in clear anywhere in Redis, nor in a log line.
    const sealer = createSealer(WINNOW_SECRET);
    const record = await web.runtime.redis.hgetall(serverKeys(prefix).mailboxes.record(connected.id));
    const tokens = [sealer.open(record.accessToken!), sealer.open(record.refreshToken!)];
    const stored = (await everythingStored(web.runtime.redis, prefix)).map(([, value]) => value);
    for (const token of tokens) {
      expect(stored.some((value) => value.includes(token))).toBe(false);
      expect([...first.lines, ...second.lines].some((line) => line.includes(token))).toBe(false);
    }

    // The grant is revoked; at the watcher's next login IMAP refuses the token, the watcher asks for
    // a renewed one, the refresh is refused: the mailbox needs sign-in, and the provider is not
    // asked again.
    sandbox.oauth.revokeGrants(gmail.address);
    await sandbox.imapRestart();
    await until(async () => (await gmailBox())?.state === 'needs_sign_in', 20_000, 'the Google mailbox to need sign-in');
    const refused = sandbox.oauth.tokenRequests('refresh_token').length;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(sandbox.oauth.tokenRequests('refresh_token')).toHaveLength(refused);
    await expect(tokensOf(worker).accessToken(access)).rejects.toBeInstanceOf(SignInNeeded);
    expect(sandbox.oauth.tokenRequests('refresh_token')).toHaveLength(refused);
    // A request that arrives meanwhile waits in the mailbox, and is answered after the sign-in.
    const cy = { name: 'Cy Oauth', address: 'cy.oauth@example.org' };
    await sandbox.deliver(gmail.address, await oldLinkedInInvitation(cy, gmail.address, '<oauth-3@linkedin.example>'));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sandbox.smtp.received.some((mail) => mail.recipients.includes(cy.address))).toBe(false);

    // The overview says so, with "Sign in again"; signing in again connects it and Cy's script goes.
    await page.goto(`${baseUrl}/`);
    const notice = page.getByRole('alert').filter({ hasText: 'sign in again' });
    await expect(notice.textContent()).resolves.toContain(gmail.address);
    await Promise.all([signInAtProvider(page, { email: gmail.address, password: SANDBOX_PASSWORD }), notice.getByRole('button', { name: 'Sign in again' }).click()]);
    await page.waitForURL((url) => url.pathname === '/mailboxes');
    await until(async () => (await gmailBox())?.state === 'connected', 15_000, 'the Google mailbox to connect again');
    await sandbox.smtp.waitFor((mail) => mail.recipients.includes(cy.address), 30_000);
  }, 150_000);
});
