/**
 * Sign-in through Poolgate's hosted pages: the OAuth 2.0 authorization code flow with
 * PKCE, done by oidc-client-ts. Its UserManager reads the discovery document at
 * `{poolgateUrl}/{userPoolId}/.well-known/openid-configuration` (the issuer is the
 * authority), sends the browser to /oauth2/authorize, and on /callback exchanges the
 * code at /oauth2/token with the PKCE verifier it kept.
 *
 * Automatic silent renew is off: the app decides when to refresh (tokens.ts) and
 * calls `refresh()`, which oidc-client-ts turns into a refresh_token grant because
 * the stored user has a refresh token (no hidden iframe involved).
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { authority, type AppConfig } from '../config';
import type { TokenBundle } from './tokens';

export interface HostedUi {
  /**
   * Sends the browser to Poolgate's sign-in page, or with `provider` straight to that
   * identity provider (`identity_provider=` on /oauth2/authorize). Does not return.
   */
  signIn(provider?: string): Promise<void>;
  /** On /callback: exchanges the code for tokens. */
  completeSignIn(url?: string): Promise<TokenBundle>;
  /** A refresh_token grant at /oauth2/token. */
  refresh(): Promise<TokenBundle>;
  /** Forgets the tokens oidc-client-ts keeps (no network). */
  forget(): Promise<void>;
  /** Poolgate's /logout URL: ends the hosted pages' own session, then comes back. */
  logoutUrl(): string;
}

function bundle(user: User): TokenBundle {
  if (!user.id_token) throw new Error('Poolgate returned no id token: is "openid" among the scopes?');
  return { idToken: user.id_token, accessToken: user.access_token, refreshToken: user.refresh_token ?? null };
}

export function createHostedUi(config: AppConfig): HostedUi {
  const manager = new UserManager({
    authority: authority(config),
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    post_logout_redirect_uri: config.logoutUri,
    response_type: 'code',
    scope: config.scope,
    automaticSilentRenew: false,
    loadUserInfo: false,
    monitorSession: false,
    // Both in sessionStorage: nothing outlives the tab.
    userStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'travelguide.oidc.' }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'travelguide.oidc.state.' }),
  });

  return {
    async signIn(provider?: string) {
      await manager.signinRedirect(provider ? { extraQueryParams: { identity_provider: provider } } : undefined);
    },
    async completeSignIn(url = window.location.href) {
      const user = await manager.signinRedirectCallback(url);
      return bundle(user);
    },
    async refresh() {
      const user = await manager.signinSilent();
      if (!user) throw new Error('Poolgate returned no tokens.');
      return bundle(user);
    },
    async forget() {
      await manager.removeUser();
    },
    logoutUrl() {
      const params = new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUri });
      return `${config.poolgateUrl}/logout?${params.toString()}`;
    },
  };
}
