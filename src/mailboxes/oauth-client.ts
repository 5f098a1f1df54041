import * as client from 'openid-client';
import { isLoopbackHttp, type OAuthProvider, type OAuthProviderId } from './oauth-providers.ts';

/**
 * The providers' OpenID configurations (openid-client), discovered once per process on first use.
 * A discovery that failed (the provider unreachable) is tried again on the next call instead of
 * being kept.
 */
export function createProviderClients(providers: readonly OAuthProvider[]) {
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  const discovered = new Map<OAuthProviderId, Promise<client.Configuration>>();

  function discover(provider: OAuthProvider): Promise<client.Configuration> {
    // The configuration only lets plain http through for a loopback issuer (a provider on this machine).
    const insecure = isLoopbackHttp(provider.issuer);
    return client.discovery(new URL(provider.issuer), provider.clientId, provider.clientSecret, client.ClientSecretPost(provider.clientSecret), {
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: 15,
    });
  }

  return {
    providers,
    provider(id: string): OAuthProvider | null {
      return byId.get(id as OAuthProviderId) ?? null;
    },
    async configuration(id: OAuthProviderId): Promise<client.Configuration> {
      const provider = byId.get(id);
      if (!provider) throw new Error(`signing in with ${id} is not set up (its client id is not set)`);
      let found = discovered.get(id);
      if (!found) {
        found = discover(provider);
        discovered.set(id, found);
        found.catch(() => discovered.delete(id));
      }
      return found;
    },
  };
}

export type ProviderClients = ReturnType<typeof createProviderClients>;

/** The OAuth error code of a refused token request (`invalid_grant`, …); null for other failures. */
export function oauthErrorCode(error: unknown): string | null {
  if (error instanceof client.ResponseBodyError) return error.error;
  if (error instanceof client.AuthorizationResponseError) return error.error;
  return null;
}

/** Whether a failure is the provider's or the network's for now (5xx, no answer), worth trying again. */
export function isTransientProviderError(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return error.status >= 500;
  if (error instanceof client.AuthorizationResponseError) return false;
  // No answer at all: a network error, a time-out, an answer that is not OAuth.
  return true;
}
