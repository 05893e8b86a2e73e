import { describe, expect, it } from 'vitest';
import { describeAuthError, errorCode, isNetworkError } from './errors';

const URL = 'http://127.0.0.1:9229';

/** An error as amazon-cognito-identity-js hands it over. */
function sdkError(code: string, message: string) {
  return Object.assign(new Error(message), { code, name: code });
}

describe('describeAuthError', () => {
  it.each([
    ['NotAuthorizedException', 'Incorrect username or password.', /do not match an account/, undefined],
    ['NotAuthorizedException', 'Password attempts exceeded', /locked this account/, 'reset'],
    ['NotAuthorizedException', 'User is disabled.', /disabled/, undefined],
    ['NotAuthorizedException', 'Refresh Token has been revoked', /expired or was revoked — sign in again/, 'signin'],
    ['UserNotConfirmedException', 'User is not confirmed.', /not confirmed yet/, 'confirm'],
    ['CodeMismatchException', 'Invalid verification code provided, please try again.', /code is not right/, undefined],
    ['ExpiredCodeException', 'Invalid code provided, please request a code again.', /expired/, 'resend'],
    ['UsernameExistsException', 'An account with the given email already exists.', /already exists/, 'signin'],
    ['LimitExceededException', 'Attempt limit exceeded, please try after some time.', /Too many attempts/, undefined],
    ['UserNotFoundException', 'User does not exist.', /no account/, undefined],
    ['PasswordResetRequiredException', 'Password reset required for the user', /must be reset/, 'reset'],
  ])('%s “%s”', (code, message, expected, action) => {
    const friendly = describeAuthError(sdkError(code, message), URL);
    expect(friendly.code).toBe(code);
    expect(friendly.message).toMatch(expected);
    expect(friendly.detail).toBe(message);
    expect(friendly.action).toBe(action);
  });

  it('shows the password policy Poolgate quoted', () => {
    const friendly = describeAuthError(
      sdkError('InvalidPasswordException', 'Password did not conform with policy: Password must have symbol characters'),
      URL,
    );
    expect(friendly.message).toBe('This password does not meet the password policy: Password must have symbol characters.');
  });

  it('names the unreachable Poolgate for network errors', () => {
    const fromSdk = Object.assign(new Error('Network error'), { code: 'NetworkError' });
    const fromFetch = new TypeError('Failed to fetch');
    for (const error of [fromSdk, fromFetch]) {
      expect(isNetworkError(error)).toBe(true);
      expect(describeAuthError(error, URL).message).toBe(
        'Poolgate is not reachable at http://127.0.0.1:9229. Check that it is running (./scripts/start.sh) and try again.',
      );
    }
  });

  it('reads OAuth errors from oidc-client-ts and the AWS JSON __type', () => {
    expect(errorCode({ error: 'invalid_grant', error_description: 'Refresh Token has been revoked' })).toBe('invalid_grant');
    expect(describeAuthError({ error: 'invalid_grant', error_description: 'Refresh Token has been revoked' }, URL).message).toMatch(
      /sign in again/,
    );
    expect(errorCode({ __type: 'com.amazonaws#NotAuthorizedException', message: 'x' })).toBe('NotAuthorizedException');
  });

  it('passes other messages through', () => {
    expect(describeAuthError(sdkError('SomethingNewException', 'Brand new.'), URL).message).toBe('Brand new.');
    expect(describeAuthError(new Error('plain'), URL)).toEqual({ code: null, message: 'plain', detail: 'plain' });
    expect(describeAuthError(undefined, URL).message).toBe('Something went wrong. Try again.');
  });
});
