// Second factors and passwordless sign-in, judged by the JavaScript clients apps use:
// - amazon-cognito-identity-js: the totpRequired, mfaRequired (SMS) and mfaSetup
//   callbacks of authenticateUser, answered with sendMFACode, and
//   associateSoftwareToken + verifySoftwareToken during sign-in;
// - Amplify JS v6 (`aws-amplify`, `userPoolEndpoint` pointed at Poolgate): signIn with
//   USER_SRP_AUTH, with USER_AUTH and an email code (EMAIL_OTP), and confirmSignIn with
//   a TOTP code.
// Run by tests/node/test_node_clients.py, which prepares the pools and users (see
// mfa_scenario there). TOTP codes come from RFC 6238 computed here with node:crypto;
// SMS and email codes are read from the developer mailbox, as a developer would.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';

import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const POOLGATE_URL = env('POOLGATE_URL');
const MAILBOX_URL = process.env.MAILBOX_URL || POOLGATE_URL;
const PASSWORD = env('CONFIRMED_PASSWORD');
const TIMEOUT = { timeout: 60_000 };

// --- RFC 6238 (TOTP) and RFC 4226 (HOTP) --------------------------------------------

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function hotp(secret, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', base32(secret)).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/** A code the server has not accepted yet: the step after `usedStep`, or now's. */
function unusedCode(secret, usedStep) {
  const now = Math.floor(Date.now() / 1000 / 30);
  return hotp(secret, Math.max(now, Number(usedStep) + 1));
}

async function latestCode(recipient) {
  const url = new URL('/_mailbox/messages', MAILBOX_URL);
  url.searchParams.set('recipient', recipient);
  url.searchParams.set('limit', '1');
  const response = await fetch(url);
  assert.equal(response.status, 200);
  const { messages } = await response.json();
  assert.ok(messages.length, `no message to ${recipient}`);
  const match = /\b(\d{6})\b/.exec(messages[0].body);
  assert.ok(match, messages[0].body);
  return match[1];
}

// --- amazon-cognito-identity-js -------------------------------------------------------

class MemoryStorage {
  #items = new Map();
  setItem(key, value) { this.#items.set(key, String(value)); }
  getItem(key) { return this.#items.has(key) ? this.#items.get(key) : null; }
  removeItem(key) { this.#items.delete(key); }
  clear() { this.#items.clear(); }
}

function cognitoUser(poolId, clientId, username) {
  const Storage = new MemoryStorage();
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${POOLGATE_URL}/`, Storage });
  return new CognitoUser({ Username: username, Pool: pool, Storage });
}

/** authenticateUser, resolving with the callback that was called and its arguments. */
function authenticate(user, username) {
  return new Promise((resolve, reject) => {
    const done = (name) => (...args) => resolve({ name, args });
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), {
      onSuccess: done('onSuccess'),
      onFailure: reject,
      totpRequired: done('totpRequired'),
      mfaRequired: done('mfaRequired'),
      mfaSetup: done('mfaSetup'),
      selectMFAType: done('selectMFAType'),
      newPasswordRequired: done('newPasswordRequired'),
    });
  });
}

function sendMFACode(user, code, type) {
  return new Promise((resolve, reject) => {
    user.sendMFACode(code, { onSuccess: resolve, onFailure: reject }, type);
  });
}

test('identity-js: totpRequired, then sendMFACode with the authenticator code', TIMEOUT, async () => {
  const username = env('TOTP_USER');
  const user = cognitoUser(env('TOTP_POOL_ID'), env('TOTP_CLIENT_ID'), username);
  const first = await authenticate(user, username);
  assert.equal(first.name, 'totpRequired');
  assert.equal(first.args[0], 'SOFTWARE_TOKEN_MFA');
  await assert.rejects(sendMFACode(user, '000000', 'SOFTWARE_TOKEN_MFA'), { code: 'CodeMismatchException' });
  const session = await sendMFACode(user, unusedCode(env('TOTP_SECRET'), env('TOTP_USED_STEP')), 'SOFTWARE_TOKEN_MFA');
  assert.ok(session.isValid());
  assert.equal(session.getIdToken().payload.email, username);
});

test('identity-js: mfaRequired (SMS), the code from the mailbox', TIMEOUT, async () => {
  const username = env('SMS_USER');
  const user = cognitoUser(env('SMS_POOL_ID'), env('SMS_CLIENT_ID'), username);
  const first = await authenticate(user, username);
  assert.equal(first.name, 'mfaRequired');
  assert.equal(first.args[0], 'SMS_MFA');
  assert.equal(first.args[1].CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
  const session = await sendMFACode(user, await latestCode(env('SMS_PHONE')));
  assert.ok(session.isValid());
});

test('identity-js: mfaSetup, associateSoftwareToken and verifySoftwareToken', TIMEOUT, async () => {
  const username = env('SETUP_USER');
  const user = cognitoUser(env('SETUP_POOL_ID'), env('SETUP_CLIENT_ID'), username);
  const first = await authenticate(user, username);
  assert.equal(first.name, 'mfaSetup');
  assert.equal(first.args[0], 'MFA_SETUP');
  const secret = await new Promise((resolve, reject) => {
    user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject });
  });
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const session = await new Promise((resolve, reject) => {
    user.verifySoftwareToken(unusedCode(secret, 0), 'node', { onSuccess: resolve, onFailure: reject });
  });
  assert.ok(session.isValid());
});

// --- Amplify JS v6 --------------------------------------------------------------------

function configureAmplify(poolId, clientId) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: POOLGATE_URL } },
  });
}

test('Amplify v6: USER_SRP_AUTH', TIMEOUT, async () => {
  configureAmplify(env('POOL_ID'), env('CLIENT_ID'));
  const result = await signIn({
    username: env('CONFIRMED_USER'),
    password: PASSWORD,
    options: { authFlowType: 'USER_SRP_AUTH' },
  });
  assert.equal(result.isSignedIn, true);
  assert.equal(result.nextStep.signInStep, 'DONE');
  const { tokens } = await fetchAuthSession();
  assert.equal(tokens.idToken.payload.email, env('CONFIRMED_USER'));
  await signOut();
});

test('Amplify v6: USER_AUTH with an email code, no password', TIMEOUT, async () => {
  configureAmplify(env('OTP_POOL_ID'), env('OTP_CLIENT_ID'));
  const username = env('OTP_USER');
  const started = await signIn({
    username,
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  assert.equal(started.isSignedIn, false);
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const done = await confirmSignIn({ challengeResponse: await latestCode(username) });
  assert.equal(done.isSignedIn, true);
  const { tokens } = await fetchAuthSession();
  assert.equal(tokens.idToken.payload.email, username);
  await signOut();
});

test('Amplify v6: confirmSignIn with a TOTP code', TIMEOUT, async () => {
  configureAmplify(env('TOTP_POOL_ID'), env('TOTP_CLIENT_ID'));
  const username = env('AMPLIFY_TOTP_USER');
  const started = await signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_SRP_AUTH' } });
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  const done = await confirmSignIn({
    challengeResponse: unusedCode(env('AMPLIFY_TOTP_SECRET'), env('AMPLIFY_TOTP_USED_STEP')),
  });
  assert.equal(done.isSignedIn, true);
  await signOut();
});
