// The sign-in sandbox works end to end: a token from a real authorization-code + PKCE sign-in in
// Chromium opens the mailbox over IMAP (Dovecot's oauth2 passdb) and sends over SMTP (XOAUTH2),
// stops working when it expires or is revoked, and a refreshed one works.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from './browser.ts';
import { signInAtProvider } from './sandbox-oauth.ts';
import { SANDBOX_PASSWORD, startSandbox, type Sandbox } from './sandbox.ts';

const APP = { clientId: 'winnow-test', clientSecret: randomBytes(16).toString('hex') };
// Nothing listens here: the test answers the browser's request to it itself (page.route) and
// exchanges the code like the app would.
const REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback';
const GOOGLE_SCOPE = 'openid email https://mail.google.com/';
const MICROSOFT_SCOPE = 'openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send';

interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  scope?: string;
  token_type: string;
}

describe('OAuth2 sandbox: provider, Dovecot and SMTP peer with XOAUTH2', () => {
  let sandbox: Sandbox;
  let browser: TestBrowser;

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([startSandbox({ users: ['me', 'alice'], redis: false, oauth: true }), launchChromium()]);
    sandbox.oauth.registerApp({ ...APP, redirectUris: [REDIRECT_URI] });
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });
  afterEach(async () => {
    await browser?.closePages();
    sandbox?.oauth.setAccessTokenTtl(3600);
  });

  async function openPage(): Promise<Page> {
    const { page } = await browser.page();
    await page.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the app' }));
    return page;
  }

  /** The code flow with PKCE as the app runs it, the browser part in Chromium. */
  async function signIn(email: string, scope: string, page?: Page): Promise<Tokens> {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const url = new URL(sandbox.oauth.authorizationEndpoint);
    url.search = new URLSearchParams({
      client_id: APP.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const browserPage = page ?? (await openPage());
    const [callback] = await Promise.all([signInAtProvider(browserPage, { email, password: SANDBOX_PASSWORD }), browserPage.goto(url.href)]);
    const back = new URL(callback);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe(state);
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`no code in ${callback}`);
    const answer = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as unknown as Tokens;
  }

  async function tokenRequest(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(sandbox.oauth.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, client_id: APP.clientId, client_secret: APP.clientSecret }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Logs in over IMAP with the token and opens INBOX; resolves with the number of messages, or rejects. */
  async function imapWithToken(user: string, accessToken: string): Promise<number> {
    const client = new ImapFlow({ host: '127.0.0.1', port: sandbox.imap.port, secure: false, auth: { user, accessToken }, logger: false });
    client.on('error', () => {});
    try {
      await client.connect();
      const inbox = await client.mailboxOpen('INBOX');
      return inbox.exists;
    } finally {
      client.close();
    }
  }

  async function imapRefuses(user: string, accessToken: string): Promise<void> {
    await expect(imapWithToken(user, accessToken)).rejects.toMatchObject({ authenticationFailed: true });
  }

  async function sendWithToken(user: string, accessToken: string, subject: string) {
    const transport = nodemailer.createTransport({ host: sandbox.smtp.host, port: sandbox.smtp.port, secure: false, ignoreTLS: true, auth: { type: 'OAuth2', user, accessToken } });
    try {
      return await transport.sendMail({ from: user, to: 'alice@example.test', subject, text: 'Hello.' });
    } finally {
      transport.close();
    }
  }

  async function smtpRefuses(user: string, accessToken: string): Promise<void> {
    await expect(sendWithToken(user, accessToken, 'must not arrive')).rejects.toMatchObject({ responseCode: 535 });
  }

  async function introspect(token: string): Promise<Record<string, unknown>> {
    const { introspectionUrl, clientId, clientSecret } = sandbox.oauth.introspection;
    const response = await fetch(introspectionUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  it('publishes its endpoints, PKCE S256 and the mail scopes of Google and Microsoft in its discovery document', async () => {
    const discovery = (await (await fetch(sandbox.oauth.discoveryUrl)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: sandbox.oauth.issuer,
      authorization_endpoint: sandbox.oauth.authorizationEndpoint,
      token_endpoint: sandbox.oauth.tokenEndpoint,
      introspection_endpoint: sandbox.oauth.introspection.introspectionUrl,
      revocation_endpoint: sandbox.oauth.revocationEndpoint,
      code_challenge_methods_supported: ['S256'],
    });
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['https://mail.google.com/', 'IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access']));
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(sandbox.oauth.authorizationEndpoint);
    url.search = new URLSearchParams({ client_id: APP.clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: GOOGLE_SCOPE, state: 'x' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '', url);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a token from a sign-in in Chromium opens the mailbox over IMAP and sends over SMTP (Google scope)', async () => {
    const tokens = await signIn('me@example.test', GOOGLE_SCOPE);
    expect(tokens.refresh_token, 'Google gives a refresh token with access_type=offline; the sandbox always does').toBeTruthy();
    expect(tokens.scope).toContain('https://mail.google.com/');
    const idToken = JSON.parse(Buffer.from(tokens.id_token?.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(idToken).toMatchObject({ iss: sandbox.oauth.issuer, aud: APP.clientId, email: 'me@example.test' });

    await sandbox.deliver('me', 'From: carol@elsewhere.test\nTo: me@example.test\nSubject: hello\n\nHi.\n');
    expect(await imapWithToken('me@example.test', tokens.access_token)).toBeGreaterThanOrEqual(1);

    const sent = await sendWithToken('me@example.test', tokens.access_token, 'sent over XOAUTH2');
    expect(sent.accepted).toEqual(['alice@example.test']);
    await sandbox.smtp.waitFor((mail) => mail.headers.get('subject') === 'sent over XOAUTH2');
  });

  it('refuses a made-up token, and a real token given with another user name, over IMAP and SMTP', async () => {
    await imapRefuses('me@example.test', 'not-a-token-the-provider-issued');
    await smtpRefuses('me@example.test', 'not-a-token-the-provider-issued');

    const tokens = await signIn('alice@example.test', GOOGLE_SCOPE);
    await imapRefuses('me@example.test', tokens.access_token);
    await smtpRefuses('me@example.test', tokens.access_token);
    // The same token with its own user name works: the refusals above were about the name.
    expect(await imapWithToken('alice@example.test', tokens.access_token)).toBeGreaterThanOrEqual(0);
  });

  it('passwords keep working next to XOAUTH2', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: sandbox.imap.port, secure: false, auth: { user: 'me@example.test', pass: SANDBOX_PASSWORD }, logger: false });
    client.on('error', () => {});
    await client.connect();
    await client.logout();
    const transport = nodemailer.createTransport({ host: sandbox.smtp.host, port: sandbox.smtp.port, secure: false, ignoreTLS: true, auth: { user: 'me@example.test', pass: SANDBOX_PASSWORD } });
    await expect(transport.sendMail({ from: 'me@example.test', to: 'alice@example.test', subject: 'by password', text: 'Hi.' })).resolves.toMatchObject({ accepted: ['alice@example.test'] });
    transport.close();
  });

  it('an expired access token is refused; a refreshed one works, and the used refresh token is retired', async () => {
    sandbox.oauth.setAccessTokenTtl(2);
    const tokens = await signIn('alice@example.test', MICROSOFT_SCOPE);
    const issuedAt = Date.now();
    expect(tokens.expires_in).toBeLessThanOrEqual(2);
    expect(await imapWithToken('alice@example.test', tokens.access_token)).toBeGreaterThanOrEqual(0);

    // Expiry is a matter of the clock: nothing to wait for but the time (whole seconds at the provider).
    await sleep(Math.max(0, issuedAt + 3_100 - Date.now()));
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    await imapRefuses('alice@example.test', tokens.access_token);
    await smtpRefuses('alice@example.test', tokens.access_token);

    const before = sandbox.oauth.tokenRequests('refresh_token').length;
    sandbox.oauth.setAccessTokenTtl(3600);
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.body as unknown as Tokens;
    expect(fresh.access_token).not.toBe(tokens.access_token);
    expect(await imapWithToken('alice@example.test', fresh.access_token)).toBeGreaterThanOrEqual(0);
    await sendWithToken('alice@example.test', fresh.access_token, 'after a refresh');

    // Rotation (Microsoft's behaviour): a new refresh token each time; the old one is spent.
    expect(fresh.refresh_token).toBeTruthy();
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token);
    const reused = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(sandbox.oauth.tokenRequests('refresh_token').slice(before).map((request) => [request.ok, request.error])).toEqual([
      [true, undefined],
      [false, 'invalid_grant'],
    ]);
  });

  it('after revokeGrants the refresh fails with invalid_grant, the mail servers refuse the token, and the next sign-in asks for the password', async () => {
    const page = await openPage();
    const tokens = await signIn('me@example.test', MICROSOFT_SCOPE, page);
    expect(await imapWithToken('me@example.test', tokens.access_token)).toBeGreaterThanOrEqual(0);

    expect(sandbox.oauth.revokeGrants('me@example.test')).toBeGreaterThanOrEqual(1);
    const refresh = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    await imapRefuses('me@example.test', tokens.access_token);
    await smtpRefuses('me@example.test', tokens.access_token);

    // The same browser signs in again: its provider session ended with the grant, so the login page shows.
    const again = await signIn('me@example.test', MICROSOFT_SCOPE, page);
    expect(await imapWithToken('me@example.test', again.access_token)).toBeGreaterThanOrEqual(0);
  });

  it('a wrong password at the provider is refused on its login page', async () => {
    const page = await openPage();
    const url = `${sandbox.oauth.authorizationEndpoint}?${new URLSearchParams({
      client_id: APP.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: GOOGLE_SCOPE,
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    })}`;
    const signingIn = signInAtProvider(page, { email: 'me@example.test', password: 'wrong' });
    await page.goto(url);
    await expect(signingIn).rejects.toThrow(/refused the sign-in of me@example.test: Wrong email or password/);
  });
});
