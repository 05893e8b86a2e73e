// Real JavaScript clients as the judges of Poolgate's sign-in and tokens.
//
// Run by tests/node/test_node_clients.py, which starts Poolgate, creates the pools
// and users with boto3 and passes them here through environment variables. To run by
// hand against a prepared server: set the variables read below and `node --test`.
//
// Each client is used the way its own documentation shows, with only the endpoint
// pointed at Poolgate:
// - amazon-cognito-identity-js: `new CognitoUserPool({UserPoolId, ClientId, endpoint})`
//   (USER_SRP_AUTH, NEW_PASSWORD_REQUIRED, signUp/confirmRegistration, refreshSession,
//   getUserAttributes);
// - aws-jwt-verify: `JwtRsaVerifier` (an alias of `JwtVerifier` since v5) on the
//   issuer and jwks_uri of the pool's OIDC discovery document;
// - AWS SDK for JavaScript v3: `CognitoIdentityProviderClient({endpoint})`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from 'amazon-cognito-identity-js';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  JwtInvalidAudienceError,
  JwtInvalidSignatureError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const POOLGATE_URL = env('POOLGATE_URL');
const MAILBOX_URL = process.env.MAILBOX_URL || POOLGATE_URL;
const POOL_ID = env('POOL_ID');
const CLIENT_ID = env('CLIENT_ID');
const OTHER_POOL_ID = env('OTHER_POOL_ID');
const OTHER_CLIENT_ID = env('OTHER_CLIENT_ID');
const CONFIRMED_USER = env('CONFIRMED_USER');
const CONFIRMED_PASSWORD = env('CONFIRMED_PASSWORD');
const ADMIN_CREATED_USER = env('ADMIN_CREATED_USER');
const TEMP_PASSWORD = env('TEMP_PASSWORD');
const NEW_PASSWORD = env('NEW_PASSWORD');
const SIGNUP_EMAIL = env('SIGNUP_EMAIL');
const SIGNUP_PASSWORD = process.env.SIGNUP_PASSWORD || CONFIRMED_PASSWORD;

const ISSUER = `${POOLGATE_URL}/${POOL_ID}`;
const OTHER_ISSUER = `${POOLGATE_URL}/${OTHER_POOL_ID}`;
const TIMEOUT = { timeout: 60_000 };

// --- amazon-cognito-identity-js helpers ----------------------------------------

// Behaves like a browser's window.localStorage (getItem answers null for a missing
// key), one per pool object so that tests do not share cached sessions. The
// library's default in Node is a process-wide in-memory store. CognitoUser does not
// inherit the pool's Storage: it is passed to both, as an app does.
class BrowserLikeStorage {
  #items = new Map();
  setItem(key, value) {
    this.#items.set(key, String(value));
  }
  getItem(key) {
    return this.#items.has(key) ? this.#items.get(key) : null;
  }
  removeItem(key) {
    this.#items.delete(key);
  }
  clear() {
    this.#items.clear();
  }
}

// `storage: null` leaves the library's default (in Node, its in-memory store).
function userPool(poolId = POOL_ID, clientId = CLIENT_ID, storage = new BrowserLikeStorage()) {
  const data = { UserPoolId: poolId, ClientId: clientId, endpoint: POOLGATE_URL };
  if (storage) data.Storage = storage;
  return new CognitoUserPool(data);
}

function cognitoUser(username, pool = userPool()) {
  return new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
}

// The callbacks of authenticateUser / completeNewPasswordChallenge as a promise:
// resolves { kind: 'success', session } or { kind: 'newPasswordRequired', ... },
// rejects with the library's error (err.code, err.message) or on any other challenge.
function authCallbacks(resolve, reject) {
  const unexpected = (name) => (...args) =>
    reject(new Error(`unexpected ${name} callback: ${JSON.stringify(args)}`));
  return {
    onSuccess: (session) => resolve({ kind: 'success', session }),
    onFailure: (err) => reject(err),
    newPasswordRequired: (userAttributes, requiredAttributes) =>
      resolve({ kind: 'newPasswordRequired', userAttributes, requiredAttributes }),
    mfaRequired: unexpected('mfaRequired'),
    totpRequired: unexpected('totpRequired'),
    mfaSetup: unexpected('mfaSetup'),
    selectMFAType: unexpected('selectMFAType'),
    customChallenge: unexpected('customChallenge'),
  };
}

function authenticate(user, password) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(
      new AuthenticationDetails({ Username: user.getUsername(), Password: password }),
      authCallbacks(resolve, reject),
    );
  });
}

async function signIn(username, password, pool) {
  const user = cognitoUser(username, pool);
  const result = await authenticate(user, password);
  assert.equal(result.kind, 'success', `expected tokens, got ${result.kind}`);
  return { user, session: result.session };
}

function completeNewPassword(user, newPassword, attributes = {}) {
  return new Promise((resolve, reject) => {
    user.completeNewPasswordChallenge(newPassword, attributes, authCallbacks(resolve, reject));
  });
}

// Node-style callback APIs (signUp, confirmRegistration, refreshSession, ...) as promises.
function call(fn) {
  return new Promise((resolve, reject) => {
    fn((err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function latestCode(recipient) {
  const url =
    `${MAILBOX_URL}/_mailbox/messages?recipient=${encodeURIComponent(recipient)}&limit=1`;
  const response = await fetch(url);
  assert.equal(response.status, 200, `mailbox answered ${response.status}`);
  const { messages } = await response.json();
  assert.ok(messages.length > 0, `no message to ${recipient}`);
  const match = /\b(\d{6})\b/.exec(messages[0].body);
  assert.ok(match, `no 6-digit code in ${JSON.stringify(messages[0].body)}`);
  return match[1];
}

function assertTokens(session) {
  assert.ok(session.isValid(), 'session should be valid');
  const id = session.getIdToken().getJwtToken();
  const access = session.getAccessToken().getJwtToken();
  const refresh = session.getRefreshToken().getToken();
  for (const [name, token] of Object.entries({ id, access, refresh })) {
    assert.equal(typeof token, 'string', `${name} token`);
    assert.ok(token.length > 0, `${name} token is empty`);
  }
  assert.equal(id.split('.').length, 3, 'id token is a JWT');
  assert.equal(access.split('.').length, 3, 'access token is a JWT');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// --- amazon-cognito-identity-js -----------------------------------------------

test('amazon-cognito-identity-js: USER_SRP_AUTH sign-in returns a session', TIMEOUT, async () => {
  const { user, session } = await signIn(CONFIRMED_USER, CONFIRMED_PASSWORD);
  assert.equal(user.getAuthenticationFlowType(), 'USER_SRP_AUTH');
  assertTokens(session);

  const id = session.getIdToken().payload;
  assert.equal(id.email, CONFIRMED_USER);
  assert.equal(id.email_verified, true);
  assert.equal(id.token_use, 'id');
  assert.equal(id.aud, CLIENT_ID);
  assert.equal(id.iss, ISSUER);
  assert.match(id.sub, UUID);
  assert.equal(typeof id['cognito:username'], 'string');
  assert.ok(id['cognito:username'].length > 0, 'cognito:username is empty');
  assert.ok(id.exp > id.iat, 'exp after iat');

  const access = session.getAccessToken().payload;
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, CLIENT_ID);
  assert.equal(access.username, id['cognito:username']);
  assert.equal(access.sub, id.sub);
  assert.equal(access.aud, undefined, 'Cognito access tokens carry no aud');
  assert.equal(access.origin_jti, id.origin_jti);
  assert.equal(access.auth_time, id.auth_time);
});

test('amazon-cognito-identity-js: USER_PASSWORD_AUTH when the app selects it', TIMEOUT, async () => {
  const user = cognitoUser(CONFIRMED_USER);
  user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
  const result = await authenticate(user, CONFIRMED_PASSWORD);
  assert.equal(result.kind, 'success');
  assertTokens(result.session);
  assert.equal(result.session.getIdToken().payload.email, CONFIRMED_USER);
});

test('amazon-cognito-identity-js: a wrong password is refused', TIMEOUT, async () => {
  await assert.rejects(authenticate(cognitoUser(CONFIRMED_USER), 'Wrong!Password999'), {
    code: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
});

test('amazon-cognito-identity-js: an unknown user is refused (LEGACY existence errors)', TIMEOUT, async () => {
  await assert.rejects(authenticate(cognitoUser('nobody-here@example.com'), CONFIRMED_PASSWORD), {
    code: 'UserNotFoundException',
    message: 'User does not exist.',
  });
});

test('amazon-cognito-identity-js: NEW_PASSWORD_REQUIRED for an admin-created user', TIMEOUT, async () => {
  const user = cognitoUser(ADMIN_CREATED_USER);
  const challenge = await authenticate(user, TEMP_PASSWORD);
  assert.equal(challenge.kind, 'newPasswordRequired');
  assert.equal(challenge.userAttributes.email, ADMIN_CREATED_USER);
  assert.ok(Array.isArray(challenge.requiredAttributes), 'requiredAttributes is an array');
  assert.deepEqual(challenge.requiredAttributes, []);

  const done = await completeNewPassword(user, NEW_PASSWORD, {});
  assert.equal(done.kind, 'success');
  assertTokens(done.session);
  assert.equal(done.session.getIdToken().payload.email, ADMIN_CREATED_USER);

  // The new password is now permanent: a fresh sign-in gets tokens directly ...
  const again = await signIn(ADMIN_CREATED_USER, NEW_PASSWORD);
  assertTokens(again.session);
  // ... and the temporary one is gone.
  await assert.rejects(authenticate(cognitoUser(ADMIN_CREATED_USER), TEMP_PASSWORD), {
    code: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
});

test('amazon-cognito-identity-js: signUp, confirmRegistration with the mailed code, sign-in', TIMEOUT, async () => {
  const pool = userPool();
  const attributes = [new CognitoUserAttribute({ Name: 'email', Value: SIGNUP_EMAIL })];
  const result = await call((cb) => pool.signUp(SIGNUP_EMAIL, SIGNUP_PASSWORD, attributes, null, cb));
  assert.match(result.userSub, UUID);
  assert.equal(result.userConfirmed, false);
  assert.equal(result.codeDeliveryDetails.DeliveryMedium, 'EMAIL');
  assert.equal(result.codeDeliveryDetails.AttributeName, 'email');

  // Not confirmed yet.
  await assert.rejects(authenticate(cognitoUser(SIGNUP_EMAIL, pool), SIGNUP_PASSWORD), {
    code: 'UserNotConfirmedException',
    message: 'User is not confirmed.',
  });

  const code = await latestCode(SIGNUP_EMAIL);
  const confirmed = await call((cb) => result.user.confirmRegistration(code, true, cb));
  assert.equal(confirmed, 'SUCCESS');

  const { session } = await signIn(SIGNUP_EMAIL, SIGNUP_PASSWORD, pool);
  assertTokens(session);
  const id = session.getIdToken().payload;
  assert.equal(id.sub, result.userSub);
  assert.equal(id.email, SIGNUP_EMAIL);
  assert.equal(id.email_verified, true);
});

function assertRefreshed(session, refreshed) {
  assertTokens(refreshed);
  const before = session.getAccessToken().payload;
  const after = refreshed.getAccessToken().payload;
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  assert.notEqual(after.jti, before.jti, 'a new access token has a new jti');
  assert.equal(after.origin_jti, before.origin_jti);
  assert.equal(after.auth_time, before.auth_time);
  assert.equal(after.sub, before.sub);
  assert.equal(after.client_id, CLIENT_ID);

  const idBefore = session.getIdToken().payload;
  const idAfter = refreshed.getIdToken().payload;
  assert.notEqual(idAfter.jti, idBefore.jti);
  assert.equal(idAfter.origin_jti, idBefore.origin_jti);
  assert.equal(idAfter.auth_time, idBefore.auth_time);
  assert.equal(idAfter.email, session.getIdToken().payload.email);
  // Cognito does not rotate refresh tokens by default: the library keeps the one it had.
  assert.equal(refreshed.getRefreshToken().getToken(), session.getRefreshToken().getToken());
}

test('amazon-cognito-identity-js: refreshSession keeps origin_jti and auth_time', TIMEOUT, async () => {
  // The library's default storage in Node answers undefined for the missing device
  // key, so the request carries only REFRESH_TOKEN.
  const { user, session } = await signIn(
    CONFIRMED_USER,
    CONFIRMED_PASSWORD,
    userPool(POOL_ID, CLIENT_ID, null),
  );
  const refreshed = await call((cb) => user.refreshSession(session.getRefreshToken(), cb));
  assertRefreshed(session, refreshed);
});

test('amazon-cognito-identity-js: refreshSession from a browser sends DEVICE_KEY null', TIMEOUT, async () => {
  // In a browser the storage is localStorage: refreshSession reads the remembered
  // device key with getItem, which answers null when device tracking is off, and
  // sends AuthParameters {REFRESH_TOKEN, DEVICE_KEY: null}. This is what
  // getSession() does in every browser app (Amplify v5 included) once the access
  // token has expired, so Cognito must take a null map value as absent.
  const { user, session } = await signIn(CONFIRMED_USER, CONFIRMED_PASSWORD);
  const refreshed = await call((cb) => user.refreshSession(session.getRefreshToken(), cb));
  assertRefreshed(session, refreshed);
});

test('amazon-cognito-identity-js: getUserAttributes (GetUser) and getSession from storage', TIMEOUT, async () => {
  const pool = userPool();
  const { user, session } = await signIn(CONFIRMED_USER, CONFIRMED_PASSWORD, pool);
  const attributes = await call((cb) => user.getUserAttributes(cb));
  const byName = Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()]));
  assert.equal(byName.email, CONFIRMED_USER);
  assert.equal(byName.sub, session.getIdToken().payload.sub);

  // What an app does on reload: the last user and its cached session.
  const current = pool.getCurrentUser();
  assert.ok(current, 'getCurrentUser() finds the signed-in user');
  const cached = await call((cb) => current.getSession(cb));
  assert.ok(cached.isValid());
  assert.equal(cached.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
});

// --- aws-jwt-verify ---------------------------------------------------------------

// aws-jwt-verify's default fetcher (SimpleFetcher) uses node:https and refuses an
// http:// jwks_uri. Its README documents plugging another fetcher into
// SimpleJwksCache ("Using a different Fetcher with SimpleJwksCache"): this one uses
// Node's global fetch, so the JWKS is still downloaded from Poolgate.
class GlobalFetchFetcher {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) {
      throw new Error(`${uri}: status ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  }
}

async function discover(issuer) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  const config = await response.json();
  assert.equal(config.issuer, issuer);
  assert.ok(config.jwks_uri, 'discovery has a jwks_uri');
  return config;
}

async function verifiers(issuer, clientId) {
  const { jwks_uri: jwksUri } = await discover(issuer);
  const jwksCache = new SimpleJwksCache({ fetcher: new GlobalFetchFetcher() });
  const idVerifier = JwtRsaVerifier.create({ issuer, audience: clientId, jwksUri }, { jwksCache });
  // Cognito access tokens have no `aud` but a `client_id`: the README's recipe for
  // the generic verifier ("Using the generic JWT verifier for Cognito JWTs") is
  // audience null plus validateCognitoJwtFields in customJwtCheck.
  const accessVerifier = JwtRsaVerifier.create(
    {
      issuer,
      audience: null,
      jwksUri,
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, { tokenUse: 'access', clientId }),
    },
    { jwksCache },
  );
  return { idVerifier, accessVerifier, jwksUri };
}

// CognitoJwtVerifier is not exercised: it derives the issuer and the JWKS URL from
// the pool id (https://cognito-idp.<region>.amazonaws.com/<poolId>) and has no
// option to point it at another host, so it cannot verify tokens whose issuer is
// POOLGATE_URL/<poolId>. (It could only judge a Poolgate configured with a
// Cognito-style POOLGATE_ISSUER and the JWKS loaded through cacheJwks().)

function decodeHeader(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}

// The JWT with claims (and header fields) replaced, its signature kept.
function tamper(jwt, changes, headerChanges = {}) {
  const [header, payload, signature] = jwt.split('.');
  const encode = (part, extra) => {
    const decoded = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return Buffer.from(JSON.stringify({ ...decoded, ...extra })).toString('base64url');
  };
  return `${encode(header, headerChanges)}.${encode(payload, changes)}.${signature}`;
}

test('aws-jwt-verify: id and access tokens verify against the published JWKS', TIMEOUT, async () => {
  const { session } = await signIn(CONFIRMED_USER, CONFIRMED_PASSWORD);
  const idToken = session.getIdToken().getJwtToken();
  const accessToken = session.getAccessToken().getJwtToken();
  const { idVerifier, accessVerifier } = await verifiers(ISSUER, CLIENT_ID);

  const id = await idVerifier.verify(idToken);
  assert.equal(id.token_use, 'id');
  assert.equal(id.aud, CLIENT_ID);
  assert.equal(id.iss, ISSUER);
  assert.equal(id.email, CONFIRMED_USER);
  assert.equal(decodeHeader(idToken).alg, 'RS256');

  const access = await accessVerifier.verify(accessToken);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, CLIENT_ID);
  assert.equal(access.iss, ISSUER);
  assert.equal(decodeHeader(accessToken).alg, 'RS256');
  // Cognito signs id and access tokens with different keys.
  assert.notEqual(decodeHeader(accessToken).kid, decodeHeader(idToken).kid);

  // Each verifier accepts only its kind of token.
  await assert.rejects(idVerifier.verify(accessToken), JwtInvalidAudienceError);
  await assert.rejects(accessVerifier.verify(idToken), CognitoJwtInvalidTokenUseError);
  // Another client's tokens are refused.
  const strangers = await verifiers(ISSUER, OTHER_CLIENT_ID);
  await assert.rejects(strangers.idVerifier.verify(idToken), JwtInvalidAudienceError);
  await assert.rejects(
    strangers.accessVerifier.verify(accessToken),
    CognitoJwtInvalidClientIdError,
  );
  // A claim changed after signing breaks the signature.
  await assert.rejects(
    idVerifier.verify(tamper(idToken, { email: 'mallory@example.com' })),
    JwtInvalidSignatureError,
  );
});

test('aws-jwt-verify: a token of another pool is rejected', TIMEOUT, async () => {
  const { session } = await signIn(
    env('OTHER_USER'),
    env('OTHER_PASSWORD'),
    userPool(OTHER_POOL_ID, OTHER_CLIENT_ID),
  );
  const otherIdToken = session.getIdToken().getJwtToken();
  const mine = await verifiers(ISSUER, CLIENT_ID);
  const theirs = await verifiers(OTHER_ISSUER, OTHER_CLIENT_ID);

  // Valid where it was issued ...
  const payload = await theirs.idVerifier.verify(otherIdToken);
  assert.equal(payload.iss, OTHER_ISSUER);
  // ... refused by the verifier of POOL_ID: its key is not in POOL_ID's JWKS.
  await assert.rejects(mine.idVerifier.verify(otherIdToken), KidNotFoundInJwksError);

  // Dressed up as POOL_ID's (its kid, issuer and client), the other pool's signature
  // does not verify with POOL_ID's key. (A fresh verifier: after an unknown kid,
  // aws-jwt-verify's penalty box refuses to refetch that JWKS for a while.)
  const mySession = (await signIn(CONFIRMED_USER, CONFIRMED_PASSWORD)).session;
  const { kid } = decodeHeader(mySession.getIdToken().getJwtToken());
  const forged = tamper(otherIdToken, { iss: ISSUER, aud: CLIENT_ID }, { kid });
  const fresh = await verifiers(ISSUER, CLIENT_ID);
  await assert.rejects(fresh.idVerifier.verify(forged), JwtInvalidSignatureError);

  const jwks = await (await fetch(mine.jwksUri)).json();
  const otherJwks = await (await fetch(theirs.jwksUri)).json();
  const moduli = new Set(jwks.keys.map((k) => k.n));
  assert.ok(otherJwks.keys.length > 0, 'the other pool publishes keys');
  assert.ok(otherJwks.keys.every((k) => !moduli.has(k.n)), 'pools share no signing key');
});

// --- AWS SDK for JavaScript v3 ----------------------------------------------------

function sdkClient() {
  return new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: POOLGATE_URL,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
}

test('AWS SDK v3: InitiateAuth USER_PASSWORD_AUTH, GetUser, REFRESH_TOKEN_AUTH', TIMEOUT, async () => {
  const client = sdkClient();
  const signedIn = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: CLIENT_ID,
      AuthParameters: { USERNAME: CONFIRMED_USER, PASSWORD: CONFIRMED_PASSWORD },
    }),
  );
  const result = signedIn.AuthenticationResult;
  assert.ok(result, 'AuthenticationResult');
  assert.equal(signedIn.ChallengeName, undefined);
  assert.ok(result.AccessToken && result.IdToken && result.RefreshToken);
  assert.equal(result.TokenType, 'Bearer');
  assert.equal(result.ExpiresIn, 3600);

  const user = await client.send(new GetUserCommand({ AccessToken: result.AccessToken }));
  const idClaims = JSON.parse(Buffer.from(result.IdToken.split('.')[1], 'base64url'));
  assert.equal(user.Username, idClaims['cognito:username']);
  const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attrs.email, CONFIRMED_USER);
  assert.equal(attrs.sub, idClaims.sub);

  const refreshed = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: CLIENT_ID,
      AuthParameters: { REFRESH_TOKEN: result.RefreshToken },
    }),
  );
  assert.ok(refreshed.AuthenticationResult.AccessToken);
  assert.ok(refreshed.AuthenticationResult.IdToken);
  assert.equal(refreshed.AuthenticationResult.RefreshToken, undefined);
});

test('AWS SDK v3: errors surface as named exceptions', TIMEOUT, async () => {
  const client = sdkClient();
  await assert.rejects(
    client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: CLIENT_ID,
        AuthParameters: { USERNAME: 'nobody-here@example.com', PASSWORD: CONFIRMED_PASSWORD },
      }),
    ),
    (err) => {
      assert.equal(err.name, 'UserNotFoundException');
      assert.equal(err.message, 'User does not exist.');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    },
  );
  await assert.rejects(
    client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: CLIENT_ID,
        AuthParameters: { USERNAME: CONFIRMED_USER, PASSWORD: 'Wrong!Password999' },
      }),
    ),
    { name: 'NotAuthorizedException', message: 'Incorrect username or password.' },
  );
  await assert.rejects(client.send(new GetUserCommand({ AccessToken: 'not-a-token' })), {
    name: 'NotAuthorizedException',
  });
});

// --- CORS: what a browser would ask before letting these clients call POST / ------

test('CORS: preflight and responses let browsers run these clients', TIMEOUT, async () => {
  const origin = 'http://localhost:5173';
  const requested = {
    // Headers amazon-cognito-identity-js's Client.request sends.
    'amazon-cognito-identity-js': ['cache-control', 'content-type', 'x-amz-target', 'x-amz-user-agent'],
    // Headers the AWS SDK v3 sends from a browser on an unsigned call.
    'aws-sdk-v3': ['amz-sdk-invocation-id', 'amz-sdk-request', 'content-type', 'x-amz-target', 'x-amz-user-agent'],
  };
  for (const [who, headers] of Object.entries(requested)) {
    const preflight = await fetch(`${POOLGATE_URL}/`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': headers.join(','),
      },
    });
    assert.ok(preflight.status >= 200 && preflight.status < 300, `${who}: preflight ${preflight.status}`);
    const allowOrigin = preflight.headers.get('access-control-allow-origin');
    assert.ok(allowOrigin === '*' || allowOrigin === origin, `${who}: allow-origin ${allowOrigin}`);
    const allowed = (preflight.headers.get('access-control-allow-headers') || '')
      .split(',')
      .map((h) => h.trim().toLowerCase());
    for (const header of headers) {
      assert.ok(allowed.includes(header) || allowed.includes('*'), `${who}: ${header} not allowed`);
    }
    const methods = preflight.headers.get('access-control-allow-methods') || '';
    assert.match(methods, /POST/);
  }

  // An error answer must be readable too (the library reads __type and message).
  const refused = await fetch(`${POOLGATE_URL}/`, {
    method: 'POST',
    headers: {
      Origin: origin,
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: CLIENT_ID,
      AuthParameters: { USERNAME: CONFIRMED_USER, PASSWORD: 'Wrong!Password999' },
    }),
  });
  assert.equal(refused.status, 400);
  const allowOrigin = refused.headers.get('access-control-allow-origin');
  assert.ok(allowOrigin === '*' || allowOrigin === origin, `allow-origin ${allowOrigin}`);
  const body = await refused.json();
  assert.equal(body.__type, 'NotAuthorizedException');
  assert.equal(body.message, 'Incorrect username or password.');
});

test('revocation: after globalSignOut Poolgate refuses the access token, aws-jwt-verify still accepts it', TIMEOUT, async () => {
  // The other pool's user, so the sign-out does not touch the sessions of other tests.
  const pool = userPool(OTHER_POOL_ID, OTHER_CLIENT_ID);
  const { user, session } = await signIn(env('OTHER_USER'), env('OTHER_PASSWORD'), pool);
  const accessToken = session.getAccessToken().getJwtToken();
  await call((cb) => user.globalSignOut({ onSuccess: (r) => cb(null, r), onFailure: cb }));

  // Poolgate's own APIs: the access token and the refresh token are dead.
  const getUser = await fetch(`${POOLGATE_URL}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityProviderService.GetUser',
    },
    body: JSON.stringify({ AccessToken: accessToken }),
  });
  assert.equal(getUser.status, 400);
  assert.deepEqual(await getUser.json(), {
    __type: 'NotAuthorizedException',
    message: 'Access Token has been revoked',
  });
  await assert.rejects(
    call((cb) => user.refreshSession(session.getRefreshToken(), cb)),
    (err) => err.code === 'NotAuthorizedException' && err.message === 'Refresh Token has been revoked',
  );

  // A third-party verifier only checks the signature and the claims: until the
  // token expires it still verifies, exactly as with Cognito.
  const { accessVerifier } = await verifiers(OTHER_ISSUER, OTHER_CLIENT_ID);
  const claims = await accessVerifier.verify(accessToken);
  assert.equal(claims.token_use, 'access');
  assert.ok(claims.exp * 1000 > Date.now());
});
