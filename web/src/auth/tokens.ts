/**
 * Token handling for the TravelGuide app, with no framework and no network:
 * decoding JWTs (without verifying them: the API's authorizer verifies), expiry
 * arithmetic, when to refresh, where the session is kept, and which token goes in
 * which Authorization header.
 *
 * Everything that depends on time takes `nowMs` as an argument and everything that
 * stores takes a `KeyValueStore`, so the unit tests need neither timers nor a browser.
 */

/** A JWT split into its parts. `header` and `claims` are the decoded JSON objects. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: string;
}

export class MalformedTokenError extends Error {
  constructor(reason: string) {
    super(`Not a readable JWT: ${reason}`);
    this.name = 'MalformedTokenError';
  }
}

function base64UrlToBytes(segment: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) {
    throw new MalformedTokenError('a segment is not base64url');
  }
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new MalformedTokenError('a segment is not base64url');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(base64UrlToBytes(segment));
  } catch (error) {
    if (error instanceof MalformedTokenError) throw error;
    throw new MalformedTokenError(`the ${what} is not UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedTokenError(`the ${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedTokenError(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes a JWT's header and claims WITHOUT checking its signature. Good for
 * showing what a token says and when it expires; never for deciding whether to
 * trust it (that is the job of whoever receives it: the API's authorizer, Poolgate).
 */
export function decodeJwt(token: string): DecodedJwt {
  if (typeof token !== 'string' || token.length === 0) {
    throw new MalformedTokenError('the token is empty');
  }
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    throw new MalformedTokenError(`expected 3 dot-separated parts, found ${parts.length}`);
  }
  const [header, claims, signature] = parts as [string, string, string];
  return {
    header: decodeSegment(header, 'header'),
    claims: decodeSegment(claims, 'payload'),
    signature,
  };
}

/** Like decodeJwt, but answers null for anything that is not a readable JWT. */
export function tryDecodeJwt(token: string | null | undefined): DecodedJwt | null {
  if (!token) return null;
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}

function numericClaim(claims: Record<string, unknown>, name: string): number | null {
  const value = claims[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** When the token expires, in milliseconds since the epoch; null without `exp`. */
export function expiresAtMs(token: string): number | null {
  const decoded = tryDecodeJwt(token);
  if (!decoded) return null;
  const exp = numericClaim(decoded.claims, 'exp');
  return exp === null ? null : exp * 1000;
}

/** Whole seconds left before `expMs` (negative once expired). */
export function secondsLeft(expMs: number, nowMs: number): number {
  return Math.floor((expMs - nowMs) / 1000);
}

/** "59 min 12 s", "1 h 02 min", "42 s", or "expired". */
export function formatCountdown(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

/** The same countdown as a clock: "1:02:03", "59:12", "0:42". */
export function formatClock(seconds: number): string {
  const left = Math.max(0, seconds);
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

// The session

/** How the user signed in: Poolgate's hosted pages (OIDC) or SRP from this app. */
export type SignInSource = 'hosted' | 'direct';

export interface Session {
  source: SignInSource;
  idToken: string;
  accessToken: string;
  /** Opaque; null when the sign-in returned none. */
  refreshToken: string | null;
  /** When the user signed in (ms since the epoch). */
  signedInAt: number;
  /** When the tokens were last refreshed (ms), null before the first refresh. */
  refreshedAt: number | null;
  /** How many refreshes since sign-in. */
  refreshCount: number;
}

export interface TokenBundle {
  idToken: string;
  accessToken: string;
  refreshToken?: string | null;
}

export function newSession(source: SignInSource, tokens: TokenBundle, nowMs: number): Session {
  decodeJwt(tokens.idToken);
  decodeJwt(tokens.accessToken);
  return {
    source,
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? null,
    signedInAt: nowMs,
    refreshedAt: null,
    refreshCount: 0,
  };
}

/**
 * The session after a refresh. Cognito does not rotate refresh tokens by default, so
 * a refresh answer without one keeps the old one.
 */
export function refreshedSession(session: Session, tokens: TokenBundle, nowMs: number): Session {
  decodeJwt(tokens.idToken);
  decodeJwt(tokens.accessToken);
  return {
    ...session,
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken || session.refreshToken,
    refreshedAt: nowMs,
    refreshCount: session.refreshCount + 1,
  };
}

// Refresh scheduling

/** Refresh this long before the first of the id and access tokens expires. */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * The moment (ms) at which a token should be replaced: `margin` seconds before it
 * expires, but never earlier than halfway through its life, so a token that lives
 * less than two margins is not refreshed over and over.
 */
export function refreshPointMs(token: string, marginSeconds = REFRESH_MARGIN_SECONDS): number | null {
  const decoded = tryDecodeJwt(token);
  if (!decoded) return null;
  const exp = numericClaim(decoded.claims, 'exp');
  if (exp === null) return null;
  const iat = numericClaim(decoded.claims, 'iat');
  const lifetime = iat !== null && exp > iat ? exp - iat : Infinity;
  const margin = Math.min(marginSeconds, lifetime / 2);
  return Math.round((exp - margin) * 1000);
}

/**
 * When the session should be refreshed (ms since the epoch): the earlier refresh
 * point of its id and access tokens. Null when it cannot be refreshed (no refresh
 * token) or its tokens carry no expiry.
 */
export function nextRefreshAtMs(session: Session, marginSeconds = REFRESH_MARGIN_SECONDS): number | null {
  if (!session.refreshToken) return null;
  const points = [session.idToken, session.accessToken]
    .map((token) => refreshPointMs(token, marginSeconds))
    .filter((point): point is number => point !== null);
  return points.length ? Math.min(...points) : null;
}

export function shouldRefreshNow(session: Session, nowMs: number, marginSeconds = REFRESH_MARGIN_SECONDS): boolean {
  const at = nextRefreshAtMs(session, marginSeconds);
  return at !== null && nowMs >= at;
}

/** The largest delay setTimeout accepts (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long to wait before refreshing: 0 if due, null if never. */
export function msUntilRefresh(session: Session, nowMs: number, marginSeconds = REFRESH_MARGIN_SECONDS): number | null {
  const at = nextRefreshAtMs(session, marginSeconds);
  if (at === null) return null;
  return Math.min(MAX_TIMER_MS, Math.max(0, at - nowMs));
}

/** True once the id or the access token has expired. */
export function isExpired(session: Session, nowMs: number): boolean {
  return [session.idToken, session.accessToken].some((token) => {
    const exp = expiresAtMs(token);
    return exp !== null && exp <= nowMs;
  });
}

// Which token goes where

export type TokenKind = 'id' | 'access' | 'refresh';
export type Audience = 'api' | 'poolgate';

/**
 * The token for each audience. The TravelGuide API gets the ID token: its Cognito
 * authorizer accepts it on routes without scopes, and the workshop's handler reads
 * `cognito:username` (which only the ID token carries) and `sub`. Poolgate's
 * self-service operations (GetUser, GlobalSignOut...) and /oauth2/userInfo take the
 * access token, which says what the bearer may do rather than who they are.
 */
export const TOKEN_FOR: Readonly<Record<Audience, TokenKind>> = { api: 'id', poolgate: 'access' };

export function tokenFor(session: Session, audience: Audience): string {
  return TOKEN_FOR[audience] === 'id' ? session.idToken : session.accessToken;
}

/** The Authorization header value for a request to `audience`. */
export function authorizationHeader(session: Session, audience: Audience): string {
  return `Bearer ${tokenFor(session, audience)}`;
}

// Storage (sessionStorage in the browser: gone when the tab closes, not shared between tabs)

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const SESSION_KEY = 'travelguide.session';
const SESSION_VERSION = 1;

export function saveSession(store: KeyValueStore, session: Session): void {
  store.setItem(SESSION_KEY, JSON.stringify({ v: SESSION_VERSION, ...session }));
}

function isSession(value: unknown): value is Session {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    (v.source === 'hosted' || v.source === 'direct') &&
    typeof v.idToken === 'string' &&
    typeof v.accessToken === 'string' &&
    (v.refreshToken === null || typeof v.refreshToken === 'string') &&
    typeof v.signedInAt === 'number' &&
    (v.refreshedAt === null || typeof v.refreshedAt === 'number') &&
    typeof v.refreshCount === 'number'
  );
}

/**
 * The stored session, or null. Anything unreadable (another version, a hand-edited
 * value, tokens that are not JWTs) is removed rather than trusted.
 */
export function loadSession(store: KeyValueStore): Session | null {
  const raw = store.getItem(SESSION_KEY);
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (
      isSession(parsed) &&
      (parsed as unknown as { v?: unknown }).v === SESSION_VERSION &&
      tryDecodeJwt(parsed.idToken) &&
      tryDecodeJwt(parsed.accessToken)
    ) {
      const { source, idToken, accessToken, refreshToken, signedInAt, refreshedAt, refreshCount } = parsed;
      return { source, idToken, accessToken, refreshToken, signedInAt, refreshedAt, refreshCount };
    }
  } catch {
    // fall through: not JSON
  }
  store.removeItem(SESSION_KEY);
  return null;
}

export function clearSession(store: KeyValueStore): void {
  store.removeItem(SESSION_KEY);
}

/**
 * After a global sign-out the app keeps the old refresh token (and only it) so the
 * user can watch Poolgate refuse it. It is useless by then: that is the point.
 */
export interface RevokedRefreshToken {
  source: SignInSource;
  refreshToken: string;
  /** cognito:username, for display. */
  username: string;
  signedOutAt: number;
}

export const REVOKED_KEY = 'travelguide.revokedRefreshToken';

export function saveRevokedRefreshToken(store: KeyValueStore, value: RevokedRefreshToken): void {
  store.setItem(REVOKED_KEY, JSON.stringify(value));
}

export function loadRevokedRefreshToken(store: KeyValueStore): RevokedRefreshToken | null {
  const raw = store.getItem(REVOKED_KEY);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (
      (v.source === 'hosted' || v.source === 'direct') &&
      typeof v.refreshToken === 'string' &&
      typeof v.username === 'string' &&
      typeof v.signedOutAt === 'number'
    ) {
      return v as unknown as RevokedRefreshToken;
    }
  } catch {
    // fall through
  }
  store.removeItem(REVOKED_KEY);
  return null;
}

export function clearRevokedRefreshToken(store: KeyValueStore): void {
  store.removeItem(REVOKED_KEY);
}

// Reading claims for display

export interface Profile {
  sub: string;
  username: string;
  email: string | null;
  emailVerified: boolean | null;
  name: string | null;
  groups: string[];
  authTime: number | null;
  /** The `identities` claim: the identity providers this user signs in through. */
  identities: FederatedIdentity[];
  /**
   * The `home_airport` and `home_airport_name` claims, which the example's pre token
   * generation trigger (a Lambda function) adds from `custom:home_airport`.
   */
  homeAirport: HomeAirport | null;
}

/** The traveller's home airport: its IATA code and, when the trigger knows it, its name. */
export interface HomeAirport {
  code: string;
  name: string | null;
}

/** One element of the id token's `identities` claim (a federated sign-in). */
export interface FederatedIdentity {
  providerName: string;
  providerType: string;
  userId: string;
  issuer: string | null;
  primary: boolean;
  /** Milliseconds since the epoch. */
  dateCreated: number | null;
}

function identitiesOf(value: unknown): FederatedIdentity[] {
  // Cognito sends a JSON array; some tools show it as a JSON string.
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list
    .filter((item): item is Record<string, unknown> => !!item && typeof item === 'object')
    .map((item) => ({
      providerName: String(item.providerName ?? ''),
      providerType: String(item.providerType ?? ''),
      userId: String(item.userId ?? ''),
      issuer: typeof item.issuer === 'string' ? item.issuer : null,
      primary: item.primary === true || item.primary === 'true',
      dateCreated: Number.isFinite(Number(item.dateCreated)) ? Number(item.dateCreated) : null,
    }));
}

function stringClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The user as the ID token describes them. */
export function profileFromIdToken(idToken: string): Profile {
  const { claims } = decodeJwt(idToken);
  const groups = claims['cognito:groups'];
  const verified = claims.email_verified;
  const given = stringClaim(claims, 'given_name');
  const family = stringClaim(claims, 'family_name');
  const joined = [given, family].filter(Boolean).join(' ');
  return {
    sub: stringClaim(claims, 'sub') ?? '',
    username: stringClaim(claims, 'cognito:username') ?? stringClaim(claims, 'username') ?? '',
    email: stringClaim(claims, 'email'),
    emailVerified: typeof verified === 'boolean' ? verified : verified === 'true' ? true : verified === 'false' ? false : null,
    name: stringClaim(claims, 'name') ?? (joined || null),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    authTime: numericClaim(claims, 'auth_time'),
    identities: identitiesOf(claims.identities),
    homeAirport: homeAirportOf(claims),
  };
}

function homeAirportOf(claims: Record<string, unknown>): HomeAirport | null {
  const code = stringClaim(claims, 'home_airport');
  return code ? { code, name: stringClaim(claims, 'home_airport_name') } : null;
}

/** How to name the user in the page's chrome: their name, else their email. */
export function displayName(profile: Profile): string {
  return profile.name || profile.email || profile.username || 'traveller';
}

/** How to greet the user: their name, else the part of their email before the @. */
export function greetingName(profile: Profile): string {
  return profile.name || profile.email?.split('@')[0] || 'traveller';
}
