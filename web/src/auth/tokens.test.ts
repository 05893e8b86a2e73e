import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  clearSession,
  decodeJwt,
  displayName,
  expiresAtMs,
  formatClock,
  formatCountdown,
  greetingName,
  isExpired,
  loadRevokedRefreshToken,
  loadSession,
  MalformedTokenError,
  msUntilRefresh,
  newSession,
  nextRefreshAtMs,
  profileFromIdToken,
  REFRESH_MARGIN_SECONDS,
  refreshedSession,
  refreshPointMs,
  REVOKED_KEY,
  saveRevokedRefreshToken,
  saveSession,
  secondsLeft,
  SESSION_KEY,
  shouldRefreshNow,
  tokenFor,
  tryDecodeJwt,
  type KeyValueStore,
  type Session,
} from './tokens';

// Helpers: unsigned JWTs built the way Poolgate lays them out.

function b64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'key-1' }): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.c2lnbmF0dXJl`;
}

const T0 = 1_700_000_000; // seconds
const HOUR = 3600;

function idToken(iat = T0, exp = T0 + HOUR, extra: Record<string, unknown> = {}): string {
  return jwt({
    sub: '6f1c2d9e-0000-4000-8000-000000000001',
    aud: 'client123',
    iss: 'http://127.0.0.1:9229/us-east-1_Abc123',
    token_use: 'id',
    'cognito:username': '6f1c2d9e-0000-4000-8000-000000000001',
    email: 'alice@example.com',
    email_verified: true,
    auth_time: iat,
    iat,
    exp,
    ...extra,
  });
}

function accessToken(iat = T0, exp = T0 + HOUR): string {
  return jwt({ sub: 'x', client_id: 'client123', token_use: 'access', scope: 'openid email', username: 'u', iat, exp });
}

function session(overrides: Partial<Session> = {}): Session {
  return {
    source: 'direct',
    idToken: idToken(),
    accessToken: accessToken(),
    refreshToken: 'opaque-refresh-token',
    signedInAt: T0 * 1000,
    refreshedAt: null,
    refreshCount: 0,
    ...overrides,
  };
}

class MemoryStore implements KeyValueStore {
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe('decodeJwt', () => {
  it('decodes the header and the claims', () => {
    const decoded = decodeJwt(idToken());
    expect(decoded.header).toEqual({ alg: 'RS256', kid: 'key-1' });
    expect(decoded.claims.email).toBe('alice@example.com');
    expect(decoded.claims['cognito:username']).toBe('6f1c2d9e-0000-4000-8000-000000000001');
    expect(decoded.claims.exp).toBe(T0 + HOUR);
    expect(decoded.signature).toBe('c2lnbmF0dXJl');
  });

  it('reads UTF-8 and the base64url alphabet', () => {
    // "name" values whose base64 contains "+" and "/" in standard base64.
    const token = jwt({ name: 'José Ñúñez ✈ 東京', note: '>>>???' });
    expect(b64url(JSON.stringify({ note: '>>>???' }))).toMatch(/[-_]/);
    const claims = decodeJwt(token).claims;
    expect(claims.name).toBe('José Ñúñez ✈ 東京');
    expect(claims.note).toBe('>>>???');
  });

  it('tolerates surrounding whitespace', () => {
    expect(decodeJwt(`  ${idToken()}\n`).claims.token_use).toBe('id');
  });

  it.each([
    ['an empty string', '', /empty/],
    ['two parts', 'abc.def', /3 dot-separated parts, found 2/],
    ['four parts', 'a.b.c.d', /found 4/],
    ['an opaque refresh token', 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0', /found 1/],
    ['a header that is not base64url', `@@@.${b64url('{}')}.sig`, /not base64url/],
    ['a payload that is not JSON', `${b64url('{}')}.${b64url('not json')}.sig`, /payload is not JSON/],
    ['a payload that is a JSON array', `${b64url('{}')}.${b64url('[1,2]')}.sig`, /payload is not a JSON object/],
    ['a header that is JSON null', `${b64url('null')}.${b64url('{}')}.sig`, /header is not a JSON object/],
    ['a payload that is not UTF-8', `${b64url('{}')}.${btoa('\xff\xfe{}').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`, /not UTF-8/],
  ])('refuses %s', (_what, token, message) => {
    expect(() => decodeJwt(token)).toThrow(MalformedTokenError);
    expect(() => decodeJwt(token)).toThrow(message);
  });

  it('tryDecodeJwt answers null instead of throwing', () => {
    expect(tryDecodeJwt('not-a-jwt')).toBeNull();
    expect(tryDecodeJwt(null)).toBeNull();
    expect(tryDecodeJwt(undefined)).toBeNull();
    expect(tryDecodeJwt(idToken())?.claims.token_use).toBe('id');
  });
});

describe('expiry countdown', () => {
  it('reads exp in milliseconds', () => {
    expect(expiresAtMs(idToken())).toBe((T0 + HOUR) * 1000);
    expect(expiresAtMs(jwt({ sub: 'no exp' }))).toBeNull();
    expect(expiresAtMs(jwt({ exp: '1700000000' }))).toBeNull();
    expect(expiresAtMs('garbage')).toBeNull();
  });

  it('counts whole seconds down, and below zero once expired', () => {
    const exp = (T0 + HOUR) * 1000;
    expect(secondsLeft(exp, T0 * 1000)).toBe(3600);
    expect(secondsLeft(exp, T0 * 1000 + 999)).toBe(3599);
    expect(secondsLeft(exp, exp - 1)).toBe(0);
    expect(secondsLeft(exp, exp)).toBe(0);
    expect(secondsLeft(exp, exp + 5000)).toBe(-5);
  });

  it('formats the time left for people', () => {
    expect(formatCountdown(3725)).toBe('1 h 02 min');
    expect(formatCountdown(3600)).toBe('1 h 00 min');
    expect(formatCountdown(3599)).toBe('59 min 59 s');
    expect(formatCountdown(65)).toBe('1 min 05 s');
    expect(formatCountdown(42)).toBe('42 s');
    expect(formatCountdown(0)).toBe('expired');
    expect(formatCountdown(-3)).toBe('expired');
  });

  it('formats it as a clock', () => {
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(3599)).toBe('59:59');
    expect(formatClock(42)).toBe('0:42');
    expect(formatClock(-10)).toBe('0:00');
  });
});

describe('refresh scheduling', () => {
  it('refreshes a one-hour token a minute before it expires', () => {
    expect(REFRESH_MARGIN_SECONDS).toBe(60);
    expect(refreshPointMs(idToken())).toBe((T0 + HOUR - 60) * 1000);
  });

  it('refreshes a token shorter than two margins halfway through its life', () => {
    expect(refreshPointMs(idToken(T0, T0 + 90))).toBe((T0 + 45) * 1000);
  });

  it('uses the full margin when the token has no iat', () => {
    expect(refreshPointMs(jwt({ exp: T0 + 100 }))).toBe((T0 + 40) * 1000);
  });

  it('has no refresh point without exp, or for a malformed token', () => {
    expect(refreshPointMs(jwt({ iat: T0 }))).toBeNull();
    expect(refreshPointMs('x.y')).toBeNull();
  });

  it('schedules on whichever of the id and access tokens expires first', () => {
    const s = session({ idToken: idToken(T0, T0 + HOUR), accessToken: accessToken(T0, T0 + 300) });
    expect(nextRefreshAtMs(s)).toBe((T0 + 240) * 1000);
    const t = session({ idToken: idToken(T0, T0 + 600), accessToken: accessToken(T0, T0 + HOUR) });
    expect(nextRefreshAtMs(t)).toBe((T0 + 540) * 1000);
  });

  it('never schedules a session without a refresh token', () => {
    const s = session({ refreshToken: null });
    expect(nextRefreshAtMs(s)).toBeNull();
    expect(msUntilRefresh(s, T0 * 1000)).toBeNull();
    expect(shouldRefreshNow(s, (T0 + 2 * HOUR) * 1000)).toBe(false);
  });

  it('says when to refresh, and that it is due', () => {
    const s = session();
    const due = (T0 + HOUR - 60) * 1000;
    expect(shouldRefreshNow(s, due - 1)).toBe(false);
    expect(shouldRefreshNow(s, due)).toBe(true);
    expect(shouldRefreshNow(s, due + 10_000)).toBe(true);
    expect(msUntilRefresh(s, T0 * 1000)).toBe((HOUR - 60) * 1000);
    expect(msUntilRefresh(s, due - 1500)).toBe(1500);
    expect(msUntilRefresh(s, due + 5000)).toBe(0);
  });

  it('caps the delay at what setTimeout accepts', () => {
    const far = session({ idToken: idToken(T0, T0 + 365 * 24 * HOUR), accessToken: accessToken(T0, T0 + 365 * 24 * HOUR) });
    expect(msUntilRefresh(far, T0 * 1000)).toBe(2 ** 31 - 1);
  });

  it('a custom margin moves the schedule', () => {
    expect(nextRefreshAtMs(session(), 300)).toBe((T0 + HOUR - 300) * 1000);
  });

  it('knows when a token has expired', () => {
    const s = session({ accessToken: accessToken(T0, T0 + 300) });
    expect(isExpired(s, (T0 + 299) * 1000)).toBe(false);
    expect(isExpired(s, (T0 + 300) * 1000)).toBe(true);
  });
});

describe('sessions', () => {
  it('starts a session from a sign-in', () => {
    const s = newSession('hosted', { idToken: idToken(), accessToken: accessToken(), refreshToken: 'r1' }, 123);
    expect(s).toEqual({
      source: 'hosted',
      idToken: idToken(),
      accessToken: accessToken(),
      refreshToken: 'r1',
      signedInAt: 123,
      refreshedAt: null,
      refreshCount: 0,
    });
    expect(newSession('direct', { idToken: idToken(), accessToken: accessToken() }, 1).refreshToken).toBeNull();
  });

  it('refuses tokens that are not JWTs', () => {
    expect(() => newSession('direct', { idToken: 'nope', accessToken: accessToken() }, 1)).toThrow(MalformedTokenError);
    expect(() => refreshedSession(session(), { idToken: idToken(), accessToken: 'a.b' }, 1)).toThrow(MalformedTokenError);
  });

  it('keeps the refresh token when the refresh answer has none (Cognito does not rotate it)', () => {
    const fresh = { idToken: idToken(T0 + 100, T0 + 100 + HOUR), accessToken: accessToken(T0 + 100, T0 + 100 + HOUR) };
    const s = refreshedSession(session(), fresh, 5000);
    expect(s.refreshToken).toBe('opaque-refresh-token');
    expect(s.idToken).toBe(fresh.idToken);
    expect(s.refreshedAt).toBe(5000);
    expect(s.refreshCount).toBe(1);
    expect(s.signedInAt).toBe(T0 * 1000);
    expect(refreshedSession(s, { ...fresh, refreshToken: 'rotated' }, 6000)).toMatchObject({ refreshToken: 'rotated', refreshCount: 2 });
  });
});

describe('which token goes where', () => {
  it('sends the id token to the API and the access token to Poolgate', () => {
    const s = session();
    expect(tokenFor(s, 'api')).toBe(s.idToken);
    expect(tokenFor(s, 'poolgate')).toBe(s.accessToken);
    expect(authorizationHeader(s, 'api')).toBe(`Bearer ${s.idToken}`);
    expect(authorizationHeader(s, 'poolgate')).toBe(`Bearer ${s.accessToken}`);
  });

  it('the id token carries the claims the workshop handler reads', () => {
    const s = session();
    const api = decodeJwt(tokenFor(s, 'api')).claims;
    expect(api.email).toBeDefined();
    expect(api['cognito:username']).toBeDefined();
  });
});

describe('storage', () => {
  it('round-trips a session', () => {
    const store = new MemoryStore();
    const s = session({ refreshedAt: 42, refreshCount: 3 });
    saveSession(store, s);
    expect(loadSession(store)).toEqual(s);
    clearSession(store);
    expect(loadSession(store)).toBeNull();
    expect(store.items.size).toBe(0);
  });

  it('round-trips a session without a refresh token', () => {
    const store = new MemoryStore();
    saveSession(store, session({ refreshToken: null, source: 'hosted' }));
    expect(loadSession(store)).toMatchObject({ refreshToken: null, source: 'hosted' });
  });

  it('answers null when nothing is stored', () => {
    expect(loadSession(new MemoryStore())).toBeNull();
  });

  it.each([
    ['text that is not JSON', '{nope'],
    ['JSON of the wrong shape', JSON.stringify({ v: 1, hello: 'world' })],
    ['another version', JSON.stringify({ ...session(), v: 99 })],
    ['no version', JSON.stringify(session())],
    ['an unknown source', JSON.stringify({ ...session(), v: 1, source: 'magic' })],
    ['tokens that are not JWTs', JSON.stringify({ ...session(), v: 1, idToken: 'not.a-jwt' })],
  ])('drops %s instead of trusting it', (_what, raw) => {
    const store = new MemoryStore();
    store.setItem(SESSION_KEY, raw);
    expect(loadSession(store)).toBeNull();
    expect(store.getItem(SESSION_KEY)).toBeNull();
  });

  it('does not keep anything but the session fields', () => {
    const store = new MemoryStore();
    store.setItem(SESSION_KEY, JSON.stringify({ ...session(), v: 1, extra: 'x' }));
    expect(Object.keys(loadSession(store) ?? {}).sort()).toEqual(
      ['accessToken', 'idToken', 'refreshCount', 'refreshToken', 'refreshedAt', 'signedInAt', 'source'].sort(),
    );
  });

  it('keeps the revoked refresh token for the demonstration, and drops a bad one', () => {
    const store = new MemoryStore();
    const kept = { source: 'hosted' as const, refreshToken: 'r-old', username: 'alice', signedOutAt: 9 };
    saveRevokedRefreshToken(store, kept);
    expect(loadRevokedRefreshToken(store)).toEqual(kept);
    store.setItem(REVOKED_KEY, '{"source":"hosted"}');
    expect(loadRevokedRefreshToken(store)).toBeNull();
    expect(store.getItem(REVOKED_KEY)).toBeNull();
  });
});

describe('profile', () => {
  it('reads the user from the id token', () => {
    const profile = profileFromIdToken(idToken(T0, T0 + HOUR, { 'cognito:groups': ['admins', 'travellers'], name: 'Alice Liddell' }));
    expect(profile).toEqual({
      sub: '6f1c2d9e-0000-4000-8000-000000000001',
      username: '6f1c2d9e-0000-4000-8000-000000000001',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Liddell',
      groups: ['admins', 'travellers'],
      authTime: T0,
      identities: [],
      homeAirport: null,
    });
    expect(displayName(profile)).toBe('Alice Liddell');
  });

  it('reads the identities claim of a federated user', () => {
    const identities = [
      {
        userId: '1000001',
        providerName: 'TravelGuide-Staff-SSO',
        providerType: 'OIDC',
        issuer: 'http://127.0.0.1:9229/us-east-1_Staff0001',
        primary: 'true',
        dateCreated: '1764979200000',
      },
    ];
    const profile = profileFromIdToken(jwt({ sub: 's', identities }));
    expect(profile.identities).toEqual([
      {
        userId: '1000001',
        providerName: 'TravelGuide-Staff-SSO',
        providerType: 'OIDC',
        issuer: 'http://127.0.0.1:9229/us-east-1_Staff0001',
        primary: true,
        dateCreated: 1764979200000,
      },
    ]);
    // As a JSON string (the attribute's form), and nonsense, too.
    expect(profileFromIdToken(jwt({ sub: 's', identities: JSON.stringify(identities) })).identities).toHaveLength(1);
    expect(profileFromIdToken(jwt({ sub: 's', identities: '{oops' })).identities).toEqual([]);
  });

  it('reads the home airport the pre token generation trigger added', () => {
    const claims = { sub: 's', 'custom:home_airport': 'KIX', home_airport: 'KIX', home_airport_name: 'Osaka Kansai' };
    expect(profileFromIdToken(jwt(claims)).homeAirport).toEqual({ code: 'KIX', name: 'Osaka Kansai' });
    expect(profileFromIdToken(jwt({ sub: 's', home_airport: 'XYZ' })).homeAirport).toEqual({ code: 'XYZ', name: null });
    // The custom attribute alone is not the trigger's claim.
    expect(profileFromIdToken(jwt({ sub: 's', 'custom:home_airport': 'KIX' })).homeAirport).toBeNull();
  });

  it('copes with missing and string-typed claims', () => {
    const profile = profileFromIdToken(jwt({ sub: 's', email_verified: 'false', given_name: 'Bob', family_name: 'Stone' }));
    expect(profile.emailVerified).toBe(false);
    expect(profile.name).toBe('Bob Stone');
    expect(profile.groups).toEqual([]);
    expect(profile.email).toBeNull();
    expect(displayName(profileFromIdToken(jwt({ sub: 's', email: 'e@x.io' })))).toBe('e@x.io');
    expect(displayName(profileFromIdToken(jwt({ sub: 's' })))).toBe('traveller');
    expect(greetingName(profileFromIdToken(jwt({ sub: 's', email: 'erin.q@x.io' })))).toBe('erin.q');
    expect(greetingName(profileFromIdToken(jwt({ sub: 's', name: 'Erin' })))).toBe('Erin');
    expect(greetingName(profileFromIdToken(jwt({ sub: 's' })))).toBe('traveller');
  });
});
