/**
 * Poolgate's answers in plain words. Poolgate speaks Cognito, so its errors carry
 * Cognito's exception names and messages ("Incorrect username or password.");
 * amazon-cognito-identity-js hands them over as `{ code, name, message }`,
 * oidc-client-ts as `{ error, error_description }`, and fetch fails with a TypeError
 * when nothing answers.
 */

export interface FriendlyError {
  /** The exception or OAuth error name, when there is one. */
  code: string | null;
  /** What to tell the user. */
  message: string;
  /** What Poolgate said, verbatim, for the curious. */
  detail: string | null;
  /** Something the user can do about it. */
  action?: 'confirm' | 'reset' | 'signin' | 'resend';
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  error?: unknown;
  error_description?: unknown;
  __type?: unknown;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Cognito's exception name from whatever shape the error came in. */
export function errorCode(error: unknown): string | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as ErrorLike;
  const code = str(e.code) ?? str(e.__type) ?? str(e.error);
  if (code) return code.split('#').pop() ?? code;
  const name = str(e.name);
  return name && name !== 'Error' && name !== 'TypeError' ? name : null;
}

function rawMessage(error: unknown): string | null {
  if (typeof error === 'string') return error;
  if (!error || typeof error !== 'object') return null;
  const e = error as ErrorLike;
  return str(e.error_description) ?? str(e.message);
}

export function isNetworkError(error: unknown): boolean {
  if (error instanceof TypeError) return true; // fetch: "Failed to fetch", "NetworkError when attempting..."
  const code = errorCode(error);
  const message = rawMessage(error) ?? '';
  return code === 'NetworkError' || /^(network error|failed to fetch|load failed)/i.test(message);
}

const POLICY_PREFIX = /^Password (did not conform with|does not conform to) policy:\s*/i;

/** Turns an error from Poolgate (through either library, or fetch) into words. */
export function describeAuthError(error: unknown, poolgateUrl: string): FriendlyError {
  const code = errorCode(error);
  const detail = rawMessage(error);
  if (isNetworkError(error)) {
    return {
      code: 'NetworkError',
      message: `Poolgate is not reachable at ${poolgateUrl}. Check that it is running (./scripts/start.sh) and try again.`,
      detail,
    };
  }
  const said = detail ?? '';
  switch (code) {
    case 'NotAuthorizedException':
      if (/password attempts exceeded/i.test(said)) {
        return {
          code,
          detail,
          action: 'reset',
          message:
            'Too many wrong passwords: Poolgate has locked this account for a short while. Wait a minute before trying again, or reset your password.',
        };
      }
      if (/incorrect username or password/i.test(said)) {
        return { code, detail, message: 'That email and password do not match an account. Check both and try again.' };
      }
      if (/user is disabled/i.test(said)) {
        return { code, detail, message: 'This account has been disabled by an administrator.' };
      }
      if (/refresh token has been revoked|access token has been revoked|token.*(expired|revoked)/i.test(said)) {
        return { code, detail, action: 'signin', message: 'Your session has expired or was revoked — sign in again.' };
      }
      if (/temporary password has expired/i.test(said)) {
        return {
          code,
          detail,
          message: 'Your temporary password has expired. Ask an administrator to send you a new invitation.',
        };
      }
      if (/does not have required scopes/i.test(said)) {
        return {
          code,
          detail,
          message:
            'This access token was issued without the aws.cognito.signin.user.admin scope, so Poolgate will not accept it for this operation.',
        };
      }
      return { code, detail, message: said || 'Poolgate refused the request.' };
    case 'UserNotConfirmedException':
      return {
        code,
        detail,
        action: 'confirm',
        message: 'This account is not confirmed yet. Enter the code from the confirmation email to finish signing up.',
      };
    case 'CodeMismatchException':
      return {
        code,
        detail,
        message: 'That code is not right. Check the latest message in the mailbox and type it again.',
      };
    case 'ExpiredCodeException':
      return { code, detail, action: 'resend', message: 'That code has expired or was already used. Ask for a new one.' };
    case 'InvalidPasswordException': {
      const policy = said.replace(POLICY_PREFIX, '').trim();
      return {
        code,
        detail,
        message: policy
          ? `This password does not meet the password policy: ${policy.replace(/\.$/, '')}.`
          : 'This password does not meet the password policy.',
      };
    }
    case 'UsernameExistsException':
      return {
        code,
        detail,
        action: 'signin',
        message: 'An account with this email already exists. Sign in instead, or reset its password if you forgot it.',
      };
    case 'UserNotFoundException':
      return { code, detail, message: 'There is no account with this email.' };
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return { code, detail, message: 'Too many attempts for now. Wait a few minutes, then try again.' };
    case 'PasswordResetRequiredException':
      return { code, detail, action: 'reset', message: 'Your password must be reset before you can sign in.' };
    case 'InvalidParameterException':
      return { code, detail, message: said ? `Poolgate did not accept this: ${said}` : 'Poolgate did not accept this request.' };
    case 'ResourceNotFoundException':
      return {
        code,
        detail,
        message: `Poolgate does not know this app's user pool or client (${said || 'not found'}). Check config.json.`,
      };
    case 'invalid_grant':
      return { code, detail, action: 'signin', message: 'Your session has expired or was revoked — sign in again.' };
    case 'login_required':
      return { code, detail, action: 'signin', message: 'You are not signed in to Poolgate any more. Sign in again.' };
    case 'access_denied':
      return { code, detail, message: 'Sign-in was cancelled or refused.' };
    case 'invalid_client':
    case 'unauthorized_client':
    case 'invalid_request':
    case 'invalid_scope':
    case 'redirect_mismatch':
      return {
        code,
        detail,
        message: `Poolgate refused the sign-in request (${code}${said ? `: ${said}` : ''}). Check the app client's OAuth settings and config.json.`,
      };
    default:
      return { code, detail, message: said || 'Something went wrong. Try again.' };
  }
}
