import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import * as client from 'openid-client';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import type { Logger } from '../log.ts';
import { serverKeys } from '../store/keys.ts';
import { isTransientProviderError, oauthErrorCode, type ProviderClients } from './oauth-client.ts';
import type { OAuthProvider, OAuthProviderId } from './oauth-providers.ts';
import { TOKEN_FIELDS, tokenTimes } from './oauth-tokens.ts';
import { mailboxName, newMailboxId, serverHost, serverPort, type MailboxStore } from './records.ts';

/**
 * Connecting a mailbox by signing in with Google or Microsoft: the authorization-code flow with
 * PKCE (S256). Each sign-in under way is kept in Redis under its `state` for ten minutes, bound to
 * the dashboard session that started it (by a hash of the session id), with the PKCE verifier, the
 * nonce and what the user chose; the callback takes it once. The address comes from the ID token's
 * `email` claim (or the provider's userinfo); the tokens are kept sealed in the mailbox's record.
 */

/** Where the provider sends the browser back, below DASHBOARD_URL. */
export const CALLBACK_PATH = '/mailboxes/oauth/callback';

const FLOW_TTL_SECONDS = 600;

/** A sign-in that did not connect a mailbox: `text` says why and what to do, for the Mailboxes page. */
export class SignInRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInRefused';
  }
}

const server = z.object({ host: serverHost, port: serverPort, secure: z.boolean() });

/** What the user chose on the Connect form (the servers prefilled with the provider's). */
const startSchema = z.object({
  name: mailboxName,
  imap: server,
  smtp: server,
});
export type SignInStart = z.input<typeof startSchema>;

const flowSchema = z.object({
  session: z.string(),
  provider: z.enum(['google', 'microsoft']),
  verifier: z.string(),
  nonce: z.string(),
  name: z.string(),
  imap: server,
  smtp: server,
  /** The mailbox signed in again, when the flow was started for one. */
  mailbox: z.string().nullable(),
});
type Flow = z.infer<typeof flowSchema>;

export interface SignInFlowOptions {
  redis: Redis;
  prefix: string;
  store: MailboxStore;
  clients: ProviderClients;
  config: Pick<Readonly<Config>, 'dashboardUrl' | 'mailFrom'>;
  logger: Logger;
  now?: () => number;
}

export interface SignInResult {
  mailbox: string;
  name: string;
  address: string;
  /** False for a new mailbox; true when the sign-in renewed an existing one. */
  again: boolean;
}

/** A mailbox in "needs sign-in", as the overview and the digest name it. */
export interface MailboxNeedingSignIn {
  id: string;
  name: string;
  address: string;
  provider: string;
  reason: string;
  since: number | null;
}

const sessionHash = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');

export function createSignInFlow(options: SignInFlowOptions) {
  const { redis, store, clients, config, logger } = options;
  const keys = serverKeys(options.prefix).mailboxes;
  const redirectUri = `${config.dashboardUrl}${CALLBACK_PATH}`;

  async function providerConfiguration(provider: OAuthProvider): Promise<client.Configuration> {
    try {
      return await clients.configuration(provider.id);
    } catch (error) {
      logger.warn({ err: error, provider: provider.id }, `could not read ${provider.label}'s sign-in settings`);
      throw new SignInRefused(`${provider.label} could not be reached (${error instanceof Error ? error.message : String(error)}). Try again in a moment.`);
    }
  }

  async function authorizationUrl(provider: OAuthProvider, flow: Omit<Flow, 'verifier' | 'nonce'>, loginHint?: string): Promise<URL> {
    const configuration = await providerConfiguration(provider);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const stored: Flow = { ...flow, verifier, nonce };
    await redis.set(keys.signInFlow(state), JSON.stringify(stored), 'EX', FLOW_TTL_SECONDS);
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: provider.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...provider.authorizationParams,
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
  }

  function providerOf(id: string): OAuthProvider {
    const provider = clients.provider(id);
    if (!provider) throw new SignInRefused(`signing in with ${id === 'microsoft' ? 'Microsoft' : id === 'google' ? 'Google' : 'that provider'} is not set up: set its client id and secret (see README, "Signing in with Google or Microsoft")`);
    return provider;
  }

  /** The address the provider vouches for: the ID token's `email`, else its userinfo's. */
  async function addressOf(configuration: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<{ address: string; name: string }> {
    const claims = tokens.claims();
    let email = typeof claims?.email === 'string' ? claims.email : '';
    let name = typeof claims?.name === 'string' ? claims.name : '';
    if (!email && claims?.sub && configuration.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub).catch(() => null);
      email = typeof info?.email === 'string' ? info.email : '';
      name ||= typeof info?.name === 'string' ? info.name : '';
    }
    return { address: email.trim().toLowerCase(), name: name.replace(/[\r\n<>"]/g, ' ').trim().slice(0, 100) };
  }

  return {
    /** The providers on offer (those with a client id), with their default servers. */
    providers: clients.providers,

    /** A mailbox as the store has it (for the "Sign in again" button). */
    mailbox: (id: string) => store.get(id),

    /** The mailboxes whose provider refused their sign-in, with the reason, for the overview and the digest. */
    async needingSignIn(): Promise<MailboxNeedingSignIn[]> {
      const waiting = (await store.list()).filter((mailbox) => mailbox.needsSignIn);
      const reasons = await Promise.all(waiting.map((mailbox) => redis.hmget(keys.record(mailbox.id), 'signInReason', 'signInAt')));
      return waiting.map((mailbox, index) => ({ id: mailbox.id, name: mailbox.name, address: mailbox.from.address, provider: mailbox.auth, reason: reasons[index]?.[0] ?? '', since: Number(reasons[index]?.[1]) || null }));
    },

    /**
     * Starts a sign-in for a new mailbox: the address to send the browser to. Throws SignInRefused
     * with every problem of the form, or when the provider is not set up or cannot be reached.
     */
    async start(sessionId: string, providerId: string, input: unknown): Promise<URL> {
      const provider = providerOf(providerId);
      const parsed = startSchema.safeParse(input);
      if (!parsed.success) throw new SignInRefused(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
      // The provider's tokens open the whole mailbox: they go to the provider's own servers only.
      const sameServer = (given: { host: string; port: number }, own: { host: string; port: number }) => given.host.toLowerCase() === own.host && given.port === own.port;
      if (provider.ownServers && !(sameServer(parsed.data.imap, provider.imap) && sameServer(parsed.data.smtp, provider.smtp))) {
        throw new SignInRefused(`a ${provider.label} mailbox uses ${provider.label}'s servers (${provider.imap.host}:${provider.imap.port} and ${provider.smtp.host}:${provider.smtp.port}); its sign-in is sent to no other server`);
      }
      return authorizationUrl(provider, { session: sessionHash(sessionId), provider: provider.id, mailbox: null, ...parsed.data }, undefined);
    },

    /** Starts signing in again for a mailbox that needs it (or any mailbox that signs in with a provider). */
    async startAgain(sessionId: string, mailboxId: string): Promise<URL> {
      const mailbox = await store.get(mailboxId);
      if (!mailbox || mailbox.auth === 'password') throw new SignInRefused('that mailbox does not sign in with a provider');
      const provider = providerOf(mailbox.auth);
      return authorizationUrl(
        provider,
        { session: sessionHash(sessionId), provider: provider.id, mailbox: mailbox.id, name: mailbox.name, imap: { host: mailbox.imap.host, port: mailbox.imap.port, secure: mailbox.imap.secure }, smtp: { host: mailbox.smtp.host, port: mailbox.smtp.port, secure: mailbox.smtp.secure } },
        mailbox.from.address,
      );
    },

    /**
     * The provider's answer (the callback's query): checks it belongs to this session's sign-in,
     * exchanges the code, and adds the mailbox or renews the one with that provider and address.
     * Throws SignInRefused with what went wrong in the user's words.
     */
    async complete(sessionId: string, query: URLSearchParams): Promise<SignInResult> {
      const state = query.get('state') ?? '';
      const raw = state ? await redis.getdel(keys.signInFlow(state)) : null;
      const parsed = raw ? flowSchema.safeParse(JSON.parse(raw)) : null;
      if (!parsed?.success || parsed.data.session !== sessionHash(sessionId)) {
        throw new SignInRefused('this sign-in was not started here, was already used, or took longer than 10 minutes. Start it again with "Connect" on this page.');
      }
      const flow = parsed.data;
      const provider = providerOf(flow.provider);
      const error = query.get('error');
      if (error) {
        if (error === 'access_denied') throw new SignInRefused(`${provider.label} did not give Winnow access: the consent was declined. Connect again and allow access to your mail to use this mailbox.`);
        const description = (query.get('error_description') ?? '').replace(/[^\p{L}\p{N} .,:;'()/-]/gu, '').slice(0, 300);
        throw new SignInRefused(`${provider.label} refused the sign-in (${error}${description ? `: ${description}` : ''}). Try again; if it keeps happening, check the app's settings at ${provider.label} (README, "Signing in with Google or Microsoft").`);
      }
      const configuration = await providerConfiguration(provider);
      // The address the provider sent the browser to, rebuilt from DASHBOARD_URL: only the code and state are read from it.
      const callback = new URL(redirectUri);
      for (const [name, value] of query) callback.searchParams.append(name, value);
      let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
      try {
        tokens = await client.authorizationCodeGrant(configuration, callback, { pkceCodeVerifier: flow.verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true });
      } catch (failure) {
        const code = oauthErrorCode(failure);
        logger.warn({ provider: provider.id, code, err: failure instanceof Error ? { message: failure.message, name: failure.name } : undefined }, `the sign-in with ${provider.label} failed at the code exchange`);
        throw new SignInRefused(
          isTransientProviderError(failure)
            ? `${provider.label} could not be reached to finish the sign-in. Try again in a moment.`
            : `${provider.label} did not accept the sign-in${code ? ` (${code})` : ''}. Start it again; if it keeps failing, check the client id, the client secret and the redirect URI ${redirectUri} at ${provider.label}.`,
        );
      }
      const { address, name } = await addressOf(configuration, tokens);
      if (!address || !/^[^\s@]+@[^\s@]+$/.test(address)) throw new SignInRefused(`${provider.label} did not say which address this account has (no email in the sign-in). Check that the app asks for the "email" scope.`);
      if (!tokens.refresh_token) {
        throw new SignInRefused(`${provider.label} gave no refresh token, so Winnow could not stay signed in. Remove Winnow's access in your ${provider.label} account settings and connect again.`);
      }

      const all = await store.list();
      // The account is the mailbox's login (its From may have been edited since).
      const isAccount = (mailbox: { imap: { user: string } }) => mailbox.imap.user.toLowerCase() === address.toLowerCase();
      const existing = flow.mailbox ? all.find((mailbox) => mailbox.id === flow.mailbox) : all.find((mailbox) => mailbox.auth === provider.id && isAccount(mailbox));
      if (flow.mailbox && !existing) throw new SignInRefused('the mailbox this sign-in was for has been removed meanwhile; connect it again as a new mailbox.');
      if (existing && !isAccount(existing)) {
        throw new SignInRefused(`you signed in as ${address}, but the mailbox ${existing.name} is ${existing.imap.user}. Sign in again with that account.`);
      }
      const id = existing?.id ?? newMailboxId();
      const at = (options.now ?? Date.now)();
      const secrets = { [TOKEN_FIELDS.refreshToken]: tokens.refresh_token, [TOKEN_FIELDS.accessToken]: tokens.access_token };
      const tokenFields = { ...tokenTimes(tokens, at), signIn: '', signInReason: '' };
      if (existing) {
        await store.save(id, tokenFields, secrets);
      } else {
        await store.save(
          id,
          {
            name: flow.name,
            fromName: name || config.mailFrom.name,
            fromAddress: address,
            imapHost: flow.imap.host,
            imapPort: String(flow.imap.port),
            imapSecure: flow.imap.secure ? '1' : '0',
            imapUser: address,
            imapFolder: 'INBOX',
            smtpHost: flow.smtp.host,
            smtpPort: String(flow.smtp.port),
            smtpSecure: flow.smtp.secure ? '1' : '0',
            smtpUser: address,
            auth: provider.id,
            paused: '0',
            ...tokenFields,
          },
          secrets,
        );
      }
      logger.info({ mailbox: id, provider: provider.id }, existing ? `signed in again with ${provider.label}: mailbox ${existing.name} is watched again` : `mailbox ${flow.name} connected by signing in with ${provider.label}`);
      return { mailbox: id, name: existing?.name ?? flow.name, address, again: Boolean(existing) };
    },
  };
}

export type SignInFlow = ReturnType<typeof createSignInFlow>;
export type { OAuthProviderId };
