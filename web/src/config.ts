/**
 * The app's configuration, read at run time from `config.json` next to index.html,
 * so one build works against any Poolgate. `scripts/start.sh` writes it for the
 * Poolgate it starts; `public/config.example.json` shows the shape.
 */

export interface AppConfig {
  /** Poolgate's base URL: the AWS JSON API at `POST /`, OAuth at `/oauth2/*`. */
  poolgateUrl: string;
  userPoolId: string;
  clientId: string;
  /** The API gateway's stage URL, e.g. http://127.0.0.1:9230/staging. */
  apiUrl: string;
  /** Where the hosted UI sends the browser back with the authorization code. */
  redirectUri: string;
  /** Where Poolgate's /logout sends the browser afterwards. */
  logoutUri: string;
  /** The local development mailbox, where codes and invitations arrive. */
  mailboxUrl: string;
  /** OAuth scopes asked of the hosted UI. */
  scope: string;
  /** A sentence describing the pool's password policy, shown under password fields. */
  passwordHint: string;
  /**
   * Third-party identity providers the app client supports (SupportedIdentityProviders
   * besides COGNITO): each gets a button that goes straight to it through the hosted
   * UI (`identity_provider=` on /oauth2/authorize).
   */
  identityProviders: string[];
}

const REQUIRED = ['poolgateUrl', 'userPoolId', 'clientId', 'apiUrl', 'redirectUri', 'logoutUri'] as const;

export const DEFAULT_SCOPE = 'openid email profile';
export const DEFAULT_PASSWORD_HINT =
  'At least 8 characters, with upper and lower case letters, a number and a symbol.';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function checkUrl(name: string, value: string): void {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`"${name}" is not an http(s) URL: ${value}`);
  }
}

/** Checks a parsed config.json and fills in the optional settings. */
export function parseConfig(value: unknown): AppConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('config.json must hold a JSON object.');
  }
  const raw = value as Record<string, unknown>;
  const missing = REQUIRED.filter((key) => typeof raw[key] !== 'string' || (raw[key] as string).trim() === '');
  if (missing.length) {
    throw new ConfigError(`config.json is missing ${missing.map((k) => `"${k}"`).join(', ')}.`);
  }
  const str = (key: string): string => (raw[key] as string).trim();
  const poolgateUrl = trimSlash(str('poolgateUrl'));
  const config: AppConfig = {
    poolgateUrl,
    userPoolId: str('userPoolId'),
    clientId: str('clientId'),
    apiUrl: trimSlash(str('apiUrl')),
    redirectUri: str('redirectUri'),
    logoutUri: str('logoutUri'),
    mailboxUrl: typeof raw.mailboxUrl === 'string' && raw.mailboxUrl.trim() ? raw.mailboxUrl.trim() : `${poolgateUrl}/_mailbox`,
    scope: typeof raw.scope === 'string' && raw.scope.trim() ? raw.scope.trim() : DEFAULT_SCOPE,
    passwordHint:
      typeof raw.passwordHint === 'string' && raw.passwordHint.trim() ? raw.passwordHint.trim() : DEFAULT_PASSWORD_HINT,
    identityProviders: providersOf(raw.identityProviders),
  };
  for (const key of ['poolgateUrl', 'apiUrl', 'redirectUri', 'logoutUri', 'mailboxUrl'] as const) {
    checkUrl(key, config[key]);
  }
  if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(config.userPoolId)) {
    throw new ConfigError(`"userPoolId" does not look like a user pool id (region_Id): ${config.userPoolId}`);
  }
  return config;
}

function providersOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string' && name.trim())) {
    throw new ConfigError('"identityProviders" must be a list of provider names.');
  }
  return (value as string[]).map((name) => name.trim()).filter((name) => name !== 'COGNITO');
}

/** What the sign-in button of a provider says (the social providers' own wording). */
export function providerLabel(name: string): string {
  const labels: Record<string, string> = {
    Google: 'Google',
    Facebook: 'Facebook',
    SignInWithApple: 'Apple',
    LoginWithAmazon: 'Amazon',
  };
  return labels[name] ?? name;
}

/** The issuer, which oidc-client-ts takes as its authority: `{poolgateUrl}/{poolId}`. */
export function authority(config: AppConfig): string {
  return `${config.poolgateUrl}/${config.userPoolId}`;
}

export async function loadConfig(url = `${import.meta.env.BASE_URL}config.json`): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch {
    throw new ConfigError(`config.json could not be fetched from ${url}.`);
  }
  // A dev server's SPA fallback answers index.html (200, text/html) for a missing file.
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.includes('text/html')) {
    throw new ConfigError(`config.json was not found next to the app (${url}).`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError('config.json is not valid JSON.');
  }
  return parseConfig(body);
}
