/**
 * The Security page's calls to Poolgate (AWS JSON, with the user's access token) and
 * signing in with a passkey (USER_AUTH with WEB_AUTHN): amazon-cognito-identity-js has
 * neither, so they are plain fetch calls, shaped as Cognito's API reference has them.
 */
import type { AppConfig } from '../config';
import { answerCode, answerMessage, awsJson } from './poolgateCalls';
import type { TokenBundle } from './tokens';
import { createPasskey, getPasskey } from './webauthn';

/** An error answer as the `{ code, message }` shape describeAuthError reads. */
class PoolgateError extends Error {
  constructor(
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = code ?? 'Error';
  }
}

async function call(config: AppConfig, operation: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await awsJson(config, operation, body);
  if (!answer.ok) throw new PoolgateError(answerCode(answer), answerMessage(answer) ?? `${operation} failed.`);
  return (answer.body ?? {}) as Record<string, unknown>;
}

export interface AuthFactors {
  preferred: string | null;
  mfa: string[];
  configured: string[];
}

export async function authFactors(config: AppConfig, accessToken: string): Promise<AuthFactors> {
  const body = await call(config, 'GetUserAuthFactors', { AccessToken: accessToken });
  return {
    preferred: typeof body.PreferredMfaSetting === 'string' ? body.PreferredMfaSetting : null,
    mfa: (body.UserMFASettingList as string[] | undefined) ?? [],
    configured: (body.ConfiguredUserAuthFactors as string[] | undefined) ?? [],
  };
}

/** AssociateSoftwareToken: the secret for the authenticator app. */
export async function associateTotp(config: AppConfig, accessToken: string): Promise<string> {
  const body = await call(config, 'AssociateSoftwareToken', { AccessToken: accessToken });
  return String(body.SecretCode);
}

/** VerifySoftwareToken with the app's first code, then TOTP on and preferred. */
export async function verifyTotp(config: AppConfig, accessToken: string, code: string, name: string): Promise<void> {
  await call(config, 'VerifySoftwareToken', {
    AccessToken: accessToken,
    UserCode: code.trim(),
    ...(name.trim() ? { FriendlyDeviceName: name.trim() } : {}),
  });
  await setTotpPreference(config, accessToken, true);
}

/** SetUserMFAPreference: TOTP on (and preferred) or off. */
export async function setTotpPreference(config: AppConfig, accessToken: string, enabled: boolean): Promise<void> {
  await call(config, 'SetUserMFAPreference', {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
  });
}

/** The otpauth:// URI authenticator apps read from the QR code. */
export function totpUri(secret: string, account: string, issuer = 'TravelGuide'): string {
  const label = encodeURIComponent(`${issuer}:${account}`).replace(/%40/g, '@').replace(/%3A/g, ':');
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${query.toString()}`;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: number;
}

export async function listPasskeys(config: AppConfig, accessToken: string): Promise<Passkey[]> {
  const body = await call(config, 'ListWebAuthnCredentials', { AccessToken: accessToken });
  return ((body.Credentials as Record<string, unknown>[] | undefined) ?? []).map((c) => ({
    id: String(c.CredentialId),
    name: String(c.FriendlyCredentialName),
    createdAt: Number(c.CreatedAt) * 1000,
  }));
}

/** StartWebAuthnRegistration, the authenticator, CompleteWebAuthnRegistration. */
export async function registerPasskey(config: AppConfig, accessToken: string): Promise<void> {
  const started = await call(config, 'StartWebAuthnRegistration', { AccessToken: accessToken });
  const credential = await createPasskey(started.CredentialCreationOptions as Record<string, unknown>);
  await call(config, 'CompleteWebAuthnRegistration', { AccessToken: accessToken, Credential: credential });
}

export async function deletePasskey(config: AppConfig, accessToken: string, id: string): Promise<void> {
  await call(config, 'DeleteWebAuthnCredential', { AccessToken: accessToken, CredentialId: id });
}

function tokensOf(body: Record<string, unknown>): TokenBundle | null {
  const result = body.AuthenticationResult as Record<string, unknown> | undefined;
  if (!result) return null;
  return {
    idToken: String(result.IdToken),
    accessToken: String(result.AccessToken),
    refreshToken: typeof result.RefreshToken === 'string' ? result.RefreshToken : null,
  };
}

/** The answer to a sign-in step: tokens, or the next challenge Poolgate asks for. */
export type PasskeySignIn =
  | { kind: 'signedIn'; tokens: TokenBundle }
  | { kind: 'totpRequired'; complete(code: string): Promise<TokenBundle> };

/** USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN: no password, only the passkey. */
export async function signInWithPasskey(config: AppConfig, email: string): Promise<PasskeySignIn> {
  const started = await call(config, 'InitiateAuth', {
    AuthFlow: 'USER_AUTH',
    ClientId: config.clientId,
    AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
  });
  if (started.ChallengeName !== 'WEB_AUTHN') {
    throw new PoolgateError('NoPasskey', 'There is no passkey for this account yet. Sign in with your password, then add one on the Security page.');
  }
  const params = started.ChallengeParameters as Record<string, string>;
  const credential = await getPasskey(params.CREDENTIAL_REQUEST_OPTIONS ?? '{}');
  const answered = await call(config, 'RespondToAuthChallenge', {
    ChallengeName: 'WEB_AUTHN',
    ClientId: config.clientId,
    Session: started.Session,
    ChallengeResponses: { USERNAME: params.USERNAME ?? email, CREDENTIAL: JSON.stringify(credential) },
  });
  const tokens = tokensOf(answered);
  if (tokens) return { kind: 'signedIn', tokens };
  if (answered.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
    return {
      kind: 'totpRequired',
      complete: async (code) => {
        const done = await call(config, 'RespondToAuthChallenge', {
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          ClientId: config.clientId,
          Session: answered.Session,
          ChallengeResponses: { USERNAME: params.USERNAME ?? email, SOFTWARE_TOKEN_MFA_CODE: code.trim() },
        });
        const finished = tokensOf(done);
        if (!finished) throw new PoolgateError(null, 'Poolgate asked for another step.');
        return finished;
      },
    };
  }
  throw new PoolgateError(null, `Poolgate asked for ${String(answered.ChallengeName)}, which this app does not offer.`);
}
