import type { Config } from '../config/env.ts';

/**
 * The providers a mailbox can sign in with instead of a password (OAuth2, XOAUTH2 for IMAP and
 * SMTP): what each one needs asked for, and its mail servers. Pure: the configuration in, the
 * providers on offer out. A provider without a client id is not offered.
 */

export type OAuthProviderId = 'google' | 'microsoft';

export interface ProviderServer {
  host: string;
  port: number;
  /** TLS from the first byte; false upgrades with STARTTLS. */
  secure: boolean;
}

export interface OAuthProvider {
  id: OAuthProviderId;
  /** As the buttons and messages name it. */
  label: string;
  /** The OpenID issuer whose discovery document gives the endpoints. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** Further parameters of the authorization request. */
  authorizationParams: Readonly<Record<string, string>>;
  imap: ProviderServer;
  smtp: ProviderServer;
  /**
   * Whether its mailboxes must use the servers above: true for the provider itself, whose tokens
   * are sent to no other server; false for another OpenID provider set by GOOGLE_ISSUER or
   * MICROSOFT_ISSUER, whose mail servers are the user's to name.
   */
  ownServers: boolean;
}

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** How the pages and messages name a provider. */
export const PROVIDER_LABELS: Readonly<Record<OAuthProviderId, string>> = { google: 'Google', microsoft: 'Microsoft' };

/**
 * Microsoft's issuer for a tenant (`common`, `organizations`, `consumers`, a tenant id or domain).
 * For `common` and `organizations` the discovery document names `…/{tenantid}/v2.0` as issuer,
 * which no ID token carries: openid-client recognises login.microsoftonline.com and checks each ID
 * token against that template with the token's own `tid`, so the issuer is still verified.
 */
export function microsoftIssuer(tenant: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0`;
}

export const GOOGLE_SCOPES = ['openid', 'email', 'https://mail.google.com/'] as const;
export const MICROSOFT_SCOPES = ['openid', 'email', 'offline_access', 'https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send'] as const;

/** The providers the configuration offers, Google first. */
export function oauthProviders(oauth: Config['oauth']): OAuthProvider[] {
  const offered: OAuthProvider[] = [];
  if (oauth.google) {
    offered.push({
      id: 'google',
      label: PROVIDER_LABELS.google,
      issuer: oauth.google.issuer ?? GOOGLE_ISSUER,
      clientId: oauth.google.clientId,
      clientSecret: oauth.google.clientSecret,
      scopes: GOOGLE_SCOPES,
      // Google gives a refresh token only for offline access, and again on a later sign-in only when
      // the consent is asked for again.
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      imap: { host: 'imap.gmail.com', port: 993, secure: true },
      smtp: { host: 'smtp.gmail.com', port: 465, secure: true },
      ownServers: oauth.google.issuer === undefined,
    });
  }
  if (oauth.microsoft) {
    offered.push({
      id: 'microsoft',
      label: PROVIDER_LABELS.microsoft,
      issuer: oauth.microsoft.issuer ?? microsoftIssuer(oauth.microsoft.tenant),
      clientId: oauth.microsoft.clientId,
      clientSecret: oauth.microsoft.clientSecret,
      scopes: MICROSOFT_SCOPES,
      // Lets the user pick the account when several are signed in.
      authorizationParams: { prompt: 'select_account' },
      imap: { host: 'outlook.office365.com', port: 993, secure: true },
      smtp: { host: 'smtp.office365.com', port: 587, secure: false },
      ownServers: oauth.microsoft.issuer === undefined,
    });
  }
  return offered;
}

/** A plain-http issuer is only allowed on this machine (the configuration checks that). */
export function isLoopbackHttp(issuer: string): boolean {
  return new URL(issuer).protocol === 'http:';
}
