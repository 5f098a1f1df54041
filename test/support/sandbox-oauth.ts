// A real OAuth2 / OpenID Connect provider for the test sandbox (oidc-provider), standing in for
// Google and Microsoft 365 in the sign-in tests. Plain http on 127.0.0.1 and a free port; nothing
// it serves loads anything from outside (its own login and consent pages, no web fonts).
//
//   const provider = await startOAuthProvider({ accounts: [{ email: 'me@example.test', password: 'secret' }] });
//   provider.registerApp({ clientId: 'winnow', clientSecret: 's3cret', redirectUris: [`${appUrl}/oauth/callback`] });
//   // send the browser to provider.authorizationEndpoint (code flow, PKCE S256 required), then:
//   const callback = await signInAtProvider(page, { email: 'me@example.test', password: 'secret' });
//   ... the app exchanges the code at provider.tokenEndpoint ...
//   provider.revokeGrants('me@example.test');   // refresh now fails with invalid_grant
//   await provider.close();
//
// What it does like the real providers: the authorization code flow with PKCE (S256 only, and
// required), a refresh token for every sign-in of the app (Google gives one for
// access_type=offline, Microsoft for offline_access; here no extra parameter is needed), opaque
// access tokens with a short lifetime, the mail scopes of both (`https://mail.google.com/`,
// `IMAP.AccessAsUser.All` and `SMTP.Send`, bare or as https://outlook.office.com/ URLs), `email`
// in the id_token, at userinfo and in introspection. Refresh tokens are rotated on every use by
// default, as Microsoft does; a rotated-away refresh token used again fails with invalid_grant and
// revokes the whole grant, which makes two processes refreshing at once visible in a test.
//
// The mail servers (sandbox Dovecot and the SMTP peer) validate tokens at the introspection
// endpoint as the confidential client `provider.introspection` describes.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Locator, Page } from 'playwright-core';

export interface OAuthAccount {
  /** The mailbox address: also the account id (`sub`) and the `email` claim. */
  email: string;
  password: string;
  name?: string;
}

/** The application that signs users in (Winnow): a confidential client using the code flow. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** How the app authenticates at the token endpoint; default client_secret_post (openid-client's default). */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
}

/** What a resource server (Dovecot, the SMTP peer) needs to validate an access token (RFC 7662). */
export interface OAuthIntrospection {
  /** http://127.0.0.1:PORT/token/introspection; POST token=..., client credentials by HTTP Basic. */
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface OAuthProviderOptions {
  accounts: OAuthAccount[];
  /** The app to register at start; registerApp() adds or replaces one later (when its port is known). */
  app?: OAuthApp;
  /** Credentials of the resource servers' client; generated when left out. */
  introspectionClient?: { clientId: string; clientSecret: string };
  /** Lifetime of access tokens (default 3600); setAccessTokenTtl() changes it for tokens issued later. */
  accessTokenTtlSeconds?: number;
  /** Lifetime of refresh tokens (default 14 days). */
  refreshTokenTtlSeconds?: number;
  /** Every refresh returns a new refresh token and retires the old one (Microsoft); false keeps it (Google). Default true. */
  rotateRefreshTokens?: boolean;
}

export interface TokenRequest {
  grantType: string;
  clientId: string | undefined;
  /** The account the token was asked for, when the provider got that far. */
  accountId: string | undefined;
  ok: boolean;
  /** The OAuth error code of a refused request (`invalid_grant`, ...). */
  error: string | undefined;
  /** Date.now() when the answer was sent. */
  at: number;
}

export interface SandboxOAuthProvider {
  /** http://127.0.0.1:PORT, the `iss` of its tokens and the base of every endpoint. */
  issuer: string;
  discoveryUrl: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  revocationEndpoint: string;
  introspection: OAuthIntrospection;
  /** Every scope the provider accepts. */
  scopes: readonly string[];
  /** Adds the app, or replaces its secret and redirect URIs. */
  registerApp(app: OAuthApp): void;
  setAccessTokenTtl(seconds: number): void;
  /**
   * Ends every grant of the account, as when the user removes the app's access or an admin
   * revokes it: its access and refresh tokens stop working (refresh: invalid_grant; introspection:
   * inactive), and its provider sessions end, so the next sign-in asks for the password again.
   * Returns how many grants were ended.
   */
  revokeGrants(email: string): number;
  /** Token endpoint requests in order, optionally only those of one grant type. */
  tokenRequests(grantType?: string): TokenRequest[];
  /** How many times the introspection endpoint was asked (Dovecot and the SMTP peer ask per login). */
  introspectionCount(): number;
  close(): Promise<void>;
}

/** Google's and Microsoft's mail scopes and the OpenID ones. */
export const OAUTH_SCOPES = [
  'openid',
  'email',
  'profile',
  'offline_access',
  'https://mail.google.com/',
  'IMAP.AccessAsUser.All',
  'SMTP.Send',
  'https://outlook.office.com/IMAP.AccessAsUser.All',
  'https://outlook.office.com/SMTP.Send',
] as const;

interface Stored {
  model: string;
  payload: AdapterPayload;
  /** ms since epoch, or Infinity */
  expiresAt: number;
}

/**
 * oidc-provider's storage: one Map for every model, so that revokeGrants() can find all the
 * records of an account (the library's own in-memory adapter hides its store).
 */
function createStore() {
  const records = new Map<string, Stored>();
  const key = (model: string, id: string) => `${model}:${id}`;
  const live = (stored: Stored | undefined) => (stored && stored.expiresAt > Date.now() ? stored : undefined);

  const adapterFor = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      records.set(key(model, id), { model, payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
    },
    async find(id) {
      return live(records.get(key(model, id)))?.payload;
    },
    async findByUid(uid) {
      for (const stored of records.values()) {
        if (stored.model === model && stored.payload.uid === uid && live(stored)) return stored.payload;
      }
      return undefined;
    },
    async findByUserCode(userCode) {
      for (const stored of records.values()) {
        if (stored.model === model && stored.payload.userCode === userCode && live(stored)) return stored.payload;
      }
      return undefined;
    },
    async consume(id) {
      const stored = records.get(key(model, id));
      if (stored) stored.payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      records.delete(key(model, id));
    },
    async revokeByGrantId(grantId) {
      for (const [entry, stored] of records) {
        if (stored.payload.grantId === grantId) records.delete(entry);
      }
    },
  });

  return {
    adapterFor,
    setClient(metadata: ClientMetadata) {
      records.set(key('Client', metadata.client_id), { model: 'Client', payload: { ...metadata }, expiresAt: Infinity });
    },
    /** Deletes every grant, token, code and session of the account; returns the number of grants. */
    forgetAccount(accountId: string): number {
      const grantIds = new Set<string>();
      for (const stored of records.values()) {
        if (stored.payload.accountId !== accountId) continue;
        if (stored.model === 'Grant' && typeof stored.payload.jti === 'string') grantIds.add(stored.payload.jti);
        if (typeof stored.payload.grantId === 'string') grantIds.add(stored.payload.grantId);
      }
      for (const [entry, stored] of records) {
        const grantId = stored.model === 'Grant' ? stored.payload.jti : stored.payload.grantId;
        if (stored.payload.accountId === accountId || (typeof grantId === 'string' && grantIds.has(grantId))) records.delete(entry);
      }
      return grantIds.size;
    },
  };
}

export async function startOAuthProvider(options: OAuthProviderOptions): Promise<SandboxOAuthProvider> {
  const accounts = new Map(options.accounts.map((account) => [account.email.toLowerCase(), account]));
  let accessTokenTtl = positiveSeconds(options.accessTokenTtlSeconds ?? 3600, 'accessTokenTtlSeconds');
  const refreshTokenTtl = positiveSeconds(options.refreshTokenTtlSeconds ?? 14 * 24 * 3600, 'refreshTokenTtlSeconds');
  const rotate = options.rotateRefreshTokens ?? true;
  const resourceClient = options.introspectionClient ?? { clientId: 'sandbox-mail-servers', clientSecret: randomBytes(18).toString('base64url') };
  const store = createStore();
  const requests: TokenRequest[] = [];
  let introspections = 0;

  // The issuer contains the port, so listen first and build the provider after.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (handle) handle(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    adapter: (model: string) => store.adapterFor(model),
    clients: [
      {
        client_id: resourceClient.clientId,
        client_secret: resourceClient.clientSecret,
        redirect_uris: [],
        response_types: [],
        grant_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'sandbox-signing-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Every requested scope the provider knows is an "OpenID" scope here, so an access token
    // carries the mail scopes and still works at userinfo, like Google's (without this,
    // oidc-provider keeps only openid/email/profile in a token that names no resource).
    scopes: [...OAUTH_SCOPES],
    claims: { email: ['email', 'email_verified'], profile: ['name'] },
    // email in the id_token of the code flow too, not only at userinfo.
    conformIdTokenClaims: false,
    // Expired means expired: the library's default tolerance would keep tokens valid 15 s longer.
    clockTolerance: 0,
    pkce: { required: () => true },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub.toLowerCase());
      if (!account) return undefined;
      return {
        accountId: account.email,
        async claims() {
          return { sub: account.email, email: account.email, email_verified: true, name: account.name ?? account.email };
        },
      };
    },
    // Introspection answers carry the address, which Dovecot's username_attribute reads.
    extraTokenClaims: async (_ctx, token) => ('accountId' in token && token.accountId ? { email: token.accountId } : undefined),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Grants live until they are revoked, not until the browser's session at the provider ends.
    expiresWithSession: async () => false,
    rotateRefreshToken: () => rotate,
    ttl: {
      AccessToken: () => accessTokenTtl,
      AuthorizationCode: 120,
      IdToken: 3600,
      RefreshToken: () => refreshTokenTtl,
      Grant: refreshTokenTtl,
      Session: 24 * 3600,
      Interaction: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // The resource servers' client, or the app asking about its own tokens.
        allowedPolicy: async (_ctx, client, token) => client.clientId === resourceClient.clientId || client.clientId === token.clientId,
      },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId },
      rpInitiatedLogout: { enabled: false },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in failed', `<h1>Sign-in failed</h1>${Object.entries(out).map(([name, value]) => `<p><b>${escapeHtml(name)}</b>: ${escapeHtml(String(value))}</p>`).join('')}`);
    },
  };
  const provider = new Provider(issuer, configuration);

  const record = (ctx: KoaContextWithOIDC, error: string | undefined) => {
    const params = ctx.oidc?.params as Record<string, unknown> | undefined;
    const entities = ctx.oidc?.entities;
    requests.push({
      grantType: typeof params?.grant_type === 'string' ? params.grant_type : 'unknown',
      clientId: ctx.oidc?.client?.clientId,
      accountId: entities?.Account?.accountId ?? entities?.Grant?.accountId,
      ok: error === undefined,
      error,
      at: Date.now(),
    });
  };
  provider.on('grant.success', (ctx) => record(ctx, undefined));
  provider.on('grant.error', (ctx, error) => record(ctx, error.error ?? 'server_error'));
  provider.on('introspection.error', () => {});
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/token/introspection') introspections++;
    await next();
  });

  const oidc = provider.callback();
  handle = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname.startsWith('/interaction/')) {
      interact(provider, accounts, req, res, url).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`sandbox OAuth provider: ${(error as Error).message}`);
      });
      return;
    }
    void oidc(req, res);
  };

  const registerApp = (app: OAuthApp) => {
    if (app.clientId === resourceClient.clientId) throw new Error(`registerApp: ${app.clientId} is the resource servers' client id`);
    if (app.redirectUris.length === 0) throw new Error('registerApp: at least one redirect URI is needed');
    store.setClient({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uris: app.redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: app.tokenEndpointAuthMethod ?? 'client_secret_post',
    });
  };
  if (options.app) registerApp(options.app);

  let closing: Promise<void> | null = null;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    userinfoEndpoint: `${issuer}/me`,
    revocationEndpoint: `${issuer}/token/revocation`,
    introspection: { introspectionUrl: `${issuer}/token/introspection`, clientId: resourceClient.clientId, clientSecret: resourceClient.clientSecret },
    scopes: OAUTH_SCOPES,
    registerApp,
    setAccessTokenTtl(seconds) {
      accessTokenTtl = positiveSeconds(seconds, 'setAccessTokenTtl');
    },
    revokeGrants: (email) => store.forgetAccount(accounts.get(email.toLowerCase())?.email ?? email),
    tokenRequests: (grantType) => requests.filter((request) => grantType === undefined || request.grantType === grantType),
    introspectionCount: () => introspections,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function positiveSeconds(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: ${value} is not a whole number of seconds (1 or more)`);
  return value;
}

/** The login and consent pages; oidc-provider hands over at /interaction/UID and takes back the result. */
async function interact(provider: Provider, accounts: Map<string, OAuthAccount>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const [, , uid = '', step] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  const client = await provider.Client.find(String(details.params.client_id));
  const appName = escapeHtml(client?.clientName ?? String(details.params.client_id));
  const send = (status: number, title: string, body: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(title, body));
  };
  const loginForm = (problem: string, email = '') =>
    send(
      problem ? 401 : 200,
      'Sign in',
      `<h1>Sign in</h1><p>to continue to ${appName}</p>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Email <input type="email" name="email" value="${escapeHtml(email)}" autofocus></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Sign in</button>
</form>`,
    );

  if (req.method === 'GET') {
    if (details.prompt.name === 'login') return loginForm('');
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    return send(
      200,
      'Allow access',
      `<h1>Allow access</h1><p>${appName} wants to:</p><ul>${scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')}</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
    );
  }
  if (req.method !== 'POST') return send(405, 'Not allowed', '<p>GET or POST only</p>');
  const form = new URLSearchParams(await readBody(req));

  if (step === 'login') {
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const account = accounts.get(email);
    if (!account || account.password !== form.get('password')) return loginForm('Wrong email or password.', email);
    await provider.interactionFinished(req, res, { login: { accountId: account.email } }, { mergeWithLastSubmission: false });
    return;
  }
  if (step === 'consent') {
    if (form.get('decision') !== 'allow') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The account holder denied access.' }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('consent without a signed-in account');
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error(`grant ${details.grantId} not found`);
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  send(404, 'Not found', '<p>No such step.</p>');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Goes through the provider's login and consent pages as a person would, on a page that the app
 * has sent (or is sending) to the authorization endpoint. Resolves with the URL the browser was
 * sent back to (the app's redirect URI with `code` and `state`, or `error`) as soon as the browser
 * asks for it; the app's own handling of that request then goes on in the page. A page that the
 * provider does not show is not waited for: with a session still open at the provider the login
 * is skipped, and with the scopes already granted the consent too.
 */
export async function signInAtProvider(page: Page, credentials: { email: string; password: string }, options: { timeoutMs?: number } = {}): Promise<string> {
  const timeout = options.timeoutMs ?? 15_000;
  // The provider sends the browser back from its authorization endpoint (/auth or /auth/UID) to
  // another origin; the app sending the browser to the provider is never such a redirect.
  const leaving = page.waitForRequest(
    (request) => {
      const from = request.redirectedFrom();
      if (!request.isNavigationRequest() || request.frame() !== page.mainFrame() || !from) return false;
      const before = new URL(from.url());
      return /^\/auth(\/|$)/.test(before.pathname) && before.origin !== new URL(request.url()).origin;
    },
    { timeout },
  );
  const left = leaving.then(
    () => 'left' as const,
    () => 'left' as const, // the timeout is reported by the final await below
  );
  const shown = (locator: Locator) =>
    locator.waitFor({ timeout }).then(
      () => 'shown' as const,
      () => 'left' as const,
    );
  const email = page.getByLabel('Email');
  const allow = page.getByRole('button', { name: 'Allow' });
  const refusal = page.getByRole('alert');

  if ((await Promise.race([left, shown(email.or(allow).first())])) === 'shown' && (await email.isVisible())) {
    await email.fill(credentials.email);
    await page.getByLabel('Password').fill(credentials.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if ((await Promise.race([left, shown(allow.or(refusal).first())])) === 'shown' && (await refusal.isVisible())) {
      throw new Error(`signInAtProvider: the provider refused the sign-in of ${credentials.email}: ${await refusal.textContent()}`);
    }
  }
  if ((await Promise.race([left, shown(allow)])) === 'shown') await allow.click();
  return (await leaving).url();
}
