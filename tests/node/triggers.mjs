// Real JavaScript clients judge the Lambda triggers' effects.
//
// Run by tests/node/test_node_triggers.py against a `poolgate serve --config` whose
// [[functions]] are tests/triggers/functions: a pool with the custom authentication
// triggers (a one-time code written to CODES_DIR) and a version 2 pre token
// generation trigger (claims and scopes added). Not named *.test.mjs: it needs that
// server, which test_node_clients.py does not start.
//
// - amazon-cognito-identity-js: `initiateAuth` with authenticationFlowType CUSTOM_AUTH
//   and the `customChallenge` callback answered with `sendCustomChallengeAnswer`; and
//   `authenticateUser` with CUSTOM_AUTH, which proves the password with SRP first
//   (CHALLENGE_NAME SRP_A) before the custom challenge;
// - aws-jwt-verify: `JwtRsaVerifier` on the pool's discovery document accepts the
//   tokens carrying the trigger's claims.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const POOLGATE_URL = env('POOLGATE_URL');
const POOL_ID = env('TRIGGER_POOL_ID');
const CLIENT_ID = env('TRIGGER_CLIENT_ID');
const USER = env('TRIGGER_USER');
const PASSWORD = env('TRIGGER_PASSWORD');
const CODES_DIR = env('CODES_DIR');
const ISSUER = `${POOLGATE_URL}/${POOL_ID}`;
const TIMEOUT = { timeout: 60_000 };

class MemoryStorage {
  #items = new Map();
  setItem(key, value) { this.#items.set(key, String(value)); }
  getItem(key) { return this.#items.has(key) ? this.#items.get(key) : null; }
  removeItem(key) { this.#items.delete(key); }
  clear() { this.#items.clear(); }
}

function cognitoUser() {
  const storage = new MemoryStorage();
  const pool = new CognitoUserPool({
    UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: POOLGATE_URL, Storage: storage,
  });
  const user = new CognitoUser({ Username: USER, Pool: pool, Storage: storage });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  return user;
}

// The code the create auth challenge function "sent": its file, named after the user
// name the challenge parameters carry.
function codeFor(challengeParameters) {
  return readFileSync(join(CODES_DIR, `${challengeParameters.USERNAME}.code`), 'utf8');
}

// Runs `start(user, callbacks)`; answers every custom challenge (the first answer
// `wrongFirst` times wrong); resolves with the session and the challenges seen.
function customSignIn(start, { wrongFirst = 0 } = {}) {
  const user = cognitoUser();
  const seen = [];
  return new Promise((resolve, reject) => {
    let wrong = wrongFirst;
    const callbacks = {
      onSuccess: (session) => resolve({ session, seen }),
      onFailure: (err) => reject(err),
      customChallenge(challengeParameters) {
        seen.push(challengeParameters);
        const code = codeFor(challengeParameters);
        const answer = wrong > 0 ? String((Number(code) + 1) % 1_000_000).padStart(6, '0') : code;
        wrong -= 1;
        user.sendCustomChallengeAnswer(answer, this, { screen: 'node' });
      },
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
      mfaRequired: () => reject(new Error('unexpected mfaRequired')),
      totpRequired: () => reject(new Error('unexpected totpRequired')),
    };
    start(user, callbacks);
  });
}

class GlobalFetchFetcher {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`${uri}: status ${response.status}`);
    return response.arrayBuffer();
  }
}

async function verifiers() {
  const config = await (await fetch(`${ISSUER}/.well-known/openid-configuration`)).json();
  assert.equal(config.issuer, ISSUER);
  const jwksCache = new SimpleJwksCache({ fetcher: new GlobalFetchFetcher() });
  const jwksUri = config.jwks_uri;
  return {
    id: JwtRsaVerifier.create({ issuer: ISSUER, audience: CLIENT_ID, jwksUri }, { jwksCache }),
    access: JwtRsaVerifier.create(
      {
        issuer: ISSUER, audience: null, jwksUri,
        customJwtCheck: ({ payload }) =>
          validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: CLIENT_ID }),
      },
      { jwksCache },
    ),
  };
}

async function assertTriggerClaims(session) {
  const { id, access } = await verifiers();
  const idPayload = await id.verify(session.getIdToken().getJwtToken());
  assert.equal(idPayload.tier, 'gold');
  assert.equal(idPayload.trigger_source, 'TokenGeneration_Authentication');
  assert.equal(idPayload.email, undefined, 'the function suppressed email');
  assert.equal(idPayload.token_use, 'id');
  const accessPayload = await access.verify(session.getAccessToken().getJwtToken());
  assert.deepEqual(accessPayload.trips, ['kyoto', 'lisbon']);
  assert.deepEqual(accessPayload.scope.split(' '), [
    'aws.cognito.signin.user.admin', 'travelguide/trips.read',
  ]);
  assert.equal(accessPayload.sub, idPayload.sub);
}

test('identity-js: initiateAuth with CUSTOM_AUTH completes through customChallenge', TIMEOUT, async () => {
  const { session, seen } = await customSignIn(
    (user, callbacks) => user.initiateAuth(new AuthenticationDetails({ Username: USER }), callbacks),
    { wrongFirst: 1 },
  );
  assert.ok(session.isValid());
  assert.equal(seen.length, 2, 'a wrong answer, then a new challenge');
  assert.equal(seen[0].hint, 'Your code is in your trip notebook');
  await assertTriggerClaims(session);
});

test('identity-js: authenticateUser with CUSTOM_AUTH proves the password with SRP first', TIMEOUT, async () => {
  const { session, seen } = await customSignIn((user, callbacks) =>
    user.authenticateUser(new AuthenticationDetails({ Username: USER, Password: PASSWORD }), callbacks),
  );
  assert.ok(session.isValid());
  assert.equal(seen.length, 1);
  await assertTriggerClaims(session);
});

test('identity-js: three wrong codes fail the sign-in', TIMEOUT, async () => {
  await assert.rejects(
    customSignIn(
      (user, callbacks) => user.initiateAuth(new AuthenticationDetails({ Username: USER }), callbacks),
      { wrongFirst: 3 },
    ),
    (err) => err.code === 'NotAuthorizedException' && err.message === 'Incorrect username or password.',
  );
});
