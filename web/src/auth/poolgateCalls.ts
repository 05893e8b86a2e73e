/**
 * The few calls the app makes to Poolgate by hand, with fetch, so it can show the
 * exact request and answer: the AWS JSON API (`POST /`, X-Amz-Target) and the OAuth
 * endpoints (/oauth2/token, /oauth2/revoke, /oauth2/userInfo). Sign-in, sign-up and
 * the rest go through amazon-cognito-identity-js and oidc-client-ts.
 */
import type { AppConfig } from '../config';
import { readBody } from '../http';

/** What Poolgate answered, kept whole for display. */
export interface RawAnswer {
  /** e.g. "POST / (InitiateAuth, REFRESH_TOKEN_AUTH)" */
  request: string;
  status: number;
  ok: boolean;
  body: unknown;
}

/** One AWS JSON 1.1 call without AWS credentials (the operations Cognito marks public). */
export async function awsJson(config: AppConfig, operation: string, body: Record<string, unknown>, label?: string): Promise<RawAnswer> {
  const response = await fetch(`${config.poolgateUrl}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
    cache: 'no-store',
  });
  return {
    request: `POST ${config.poolgateUrl}/ — ${label ?? operation}`,
    status: response.status,
    ok: response.ok,
    body: await readBody(response),
  };
}

async function form(config: AppConfig, path: string, fields: Record<string, string>, label: string): Promise<RawAnswer> {
  const response = await fetch(`${config.poolgateUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    cache: 'no-store',
  });
  return { request: `POST ${config.poolgateUrl}${path} — ${label}`, status: response.status, ok: response.ok, body: await readBody(response) };
}

/** GlobalSignOut: revokes every refresh token of the user (needs the admin scope). */
export function globalSignOut(config: AppConfig, accessToken: string): Promise<RawAnswer> {
  return awsJson(config, 'GlobalSignOut', { AccessToken: accessToken });
}

/** RevokeToken through /oauth2/revoke: revokes one refresh token and its access tokens. */
export function revokeRefreshToken(config: AppConfig, refreshToken: string): Promise<RawAnswer> {
  return form(config, '/oauth2/revoke', { token: refreshToken, client_id: config.clientId }, 'RevokeToken');
}

/** Tries a refresh token the way the app that got it would: SDK or OAuth. */
export function tryRefreshToken(config: AppConfig, source: 'hosted' | 'direct', refreshToken: string): Promise<RawAnswer> {
  if (source === 'hosted') {
    return form(
      config,
      '/oauth2/token',
      { grant_type: 'refresh_token', client_id: config.clientId, refresh_token: refreshToken },
      'grant_type=refresh_token',
    );
  }
  return awsJson(
    config,
    'InitiateAuth',
    { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: config.clientId, AuthParameters: { REFRESH_TOKEN: refreshToken } },
    'InitiateAuth, REFRESH_TOKEN_AUTH',
  );
}

/** Who Poolgate says the access token belongs to: GetUser, or /oauth2/userInfo for OAuth tokens. */
export async function whoAmI(config: AppConfig, source: 'hosted' | 'direct', accessToken: string): Promise<RawAnswer> {
  if (source === 'direct') return awsJson(config, 'GetUser', { AccessToken: accessToken });
  const response = await fetch(`${config.poolgateUrl}/oauth2/userInfo`, {
    headers: { Authorization: `Bearer ${accessToken}` },
    cache: 'no-store',
  });
  return {
    request: `GET ${config.poolgateUrl}/oauth2/userInfo — Authorization: Bearer <access token>`,
    status: response.status,
    ok: response.ok,
    body: await readBody(response),
  };
}

/** Poolgate's message in an error answer, whichever endpoint gave it. */
export function answerMessage(answer: RawAnswer): string | null {
  const body = answer.body;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const key of ['message', 'error_description', 'error']) {
      if (typeof b[key] === 'string') return b[key] as string;
    }
  }
  return typeof body === 'string' && body ? body : null;
}

/** The exception or OAuth error name of an error answer. */
export function answerCode(answer: RawAnswer): string | null {
  const body = answer.body;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.__type === 'string') return b.__type.split('#').pop() ?? b.__type;
    if (typeof b.error === 'string') return b.error;
  }
  return null;
}
