/**
 * Signing in, signing up and resetting a password from the app's own forms, with
 * amazon-cognito-identity-js pointed at Poolgate (`endpoint` in the pool data).
 * Sign-in is USER_SRP_AUTH: the password never leaves the browser; the library
 * proves it knows it (SRP-6a) and Poolgate answers with tokens, or with the
 * NEW_PASSWORD_REQUIRED challenge for a user an administrator created.
 *
 * The library keeps its own token cache; it gets an in-memory store here so that
 * tokens.ts (sessionStorage) is the app's single place for the session.
 */
import {
  AuthenticationDetails,
  CognitoAccessToken,
  CognitoIdToken,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  CognitoUserSession,
  type ICognitoStorage,
} from 'amazon-cognito-identity-js';
import type { AppConfig } from '../config';
import { decodeJwt, type Session, type TokenBundle } from './tokens';

/** Where a code was sent, as Cognito reports it ("t***@e***"). */
export interface Delivery {
  destination: string;
  medium: string;
}

export type SignInOutcome =
  | { kind: 'signedIn'; tokens: TokenBundle }
  | {
      kind: 'newPasswordRequired';
      /** Attributes the pool requires that the user does not have yet (e.g. "name"). */
      requiredAttributes: string[];
      /** Answers the challenge; may lead to another outcome. */
      complete(newPassword: string, attributes: Record<string, string>): Promise<SignInOutcome>;
    }
  | {
      kind: 'codeRequired';
      /** SOFTWARE_TOKEN_MFA (authenticator app) or SMS_MFA. */
      challenge: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA';
      /** Where an SMS code went, when Poolgate said. */
      destination: string | null;
      complete(code: string): Promise<SignInOutcome>;
    }
  | { kind: 'unsupported'; challenge: string };

class MemoryStorage implements ICognitoStorage {
  private items = new Map<string, string>();
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

function bundleOf(session: CognitoUserSession): TokenBundle {
  return {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken() || null,
  };
}

function deliveryOf(details: unknown): Delivery {
  const d = (details ?? {}) as Record<string, unknown>;
  const inner = (d.CodeDeliveryDetails ?? d) as Record<string, unknown>;
  return {
    destination: typeof inner.Destination === 'string' ? inner.Destination : 'your email address',
    medium: typeof inner.DeliveryMedium === 'string' ? inner.DeliveryMedium : 'EMAIL',
  };
}

/** Attributes Cognito refuses in the NEW_PASSWORD_REQUIRED answer, or that are set already. */
const NOT_WRITABLE = new Set(['email_verified', 'phone_number_verified', 'sub', 'email']);

export class DirectAuth {
  private readonly pool: CognitoUserPool;
  private readonly storage = new MemoryStorage();

  constructor(config: AppConfig) {
    this.pool = new CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      endpoint: `${config.poolgateUrl}/`,
      Storage: this.storage,
    });
  }

  private user(username: string): CognitoUser {
    return new CognitoUser({ Username: username, Pool: this.pool, Storage: this.storage });
  }

  /** USER_SRP_AUTH with the email (the pool signs in with email). */
  signIn(email: string, password: string): Promise<SignInOutcome> {
    const user = this.user(email);
    const details = new AuthenticationDetails({ Username: email, Password: password });
    return new Promise((resolve, reject) => {
      user.authenticateUser(details, this.callbacks(user, resolve, reject));
    });
  }

  private callbacks(
    user: CognitoUser,
    resolve: (outcome: SignInOutcome) => void,
    reject: (error: unknown) => void,
  ) {
    return {
      onSuccess: (session: CognitoUserSession) => resolve({ kind: 'signedIn', tokens: bundleOf(session) }),
      onFailure: (error: unknown) => reject(error),
      newPasswordRequired: (_userAttributes: unknown, requiredAttributes: unknown) => {
        const required = Array.isArray(requiredAttributes)
          ? requiredAttributes
              .filter((name): name is string => typeof name === 'string')
              .map((name) => name.replace(/^userAttributes\./, ''))
              .filter((name) => !NOT_WRITABLE.has(name))
          : [];
        resolve({
          kind: 'newPasswordRequired',
          requiredAttributes: required,
          complete: (newPassword, attributes) =>
            new Promise<SignInOutcome>((res, rej) => {
              const answer: Record<string, string> = {};
              for (const [name, value] of Object.entries(attributes)) {
                if (!NOT_WRITABLE.has(name) && value.trim()) answer[name] = value.trim();
              }
              user.completeNewPasswordChallenge(newPassword, answer, this.callbacks(user, res, rej));
            }),
        });
      },
      mfaRequired: (_name: unknown, parameters: unknown) =>
        resolve(this.codeStep(user, 'SMS_MFA', parameters)),
      totpRequired: () => resolve(this.codeStep(user, 'SOFTWARE_TOKEN_MFA', null)),
      mfaSetup: () => resolve({ kind: 'unsupported', challenge: 'MFA_SETUP' }),
      selectMFAType: () => resolve({ kind: 'unsupported', challenge: 'SELECT_MFA_TYPE' }),
      customChallenge: () => resolve({ kind: 'unsupported', challenge: 'CUSTOM_CHALLENGE' }),
    };
  }

  /** The second factor's step: the library answers SMS_MFA / SOFTWARE_TOKEN_MFA. */
  private codeStep(user: CognitoUser, challenge: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA', parameters: unknown): SignInOutcome {
    const p = (parameters ?? {}) as Record<string, unknown>;
    return {
      kind: 'codeRequired',
      challenge,
      destination: typeof p.CODE_DELIVERY_DESTINATION === 'string' ? p.CODE_DELIVERY_DESTINATION : null,
      complete: (code) =>
        new Promise<SignInOutcome>((res, rej) => {
          user.sendMFACode(code.trim(), this.callbacks(user, res, rej), challenge);
        }),
    };
  }

  /** SignUp with the email as the username; the code goes to the mailbox. */
  signUp(
    email: string,
    password: string,
    name?: string,
    homeAirport?: string,
  ): Promise<{ confirmed: boolean; delivery: Delivery }> {
    const attributes = [new CognitoUserAttribute({ Name: 'email', Value: email })];
    if (name && name.trim()) attributes.push(new CognitoUserAttribute({ Name: 'name', Value: name.trim() }));
    if (homeAirport && homeAirport.trim()) {
      // A custom attribute of the pool (poolgate.toml's [[pools.Schema]] home_airport).
      attributes.push(new CognitoUserAttribute({ Name: 'custom:home_airport', Value: homeAirport.trim().toUpperCase() }));
    }
    return new Promise((resolve, reject) => {
      this.pool.signUp(email, password, attributes, [], (error, result) => {
        if (error || !result) return reject(error ?? new Error('SignUp returned nothing.'));
        resolve({ confirmed: result.userConfirmed, delivery: deliveryOf(result.codeDeliveryDetails) });
      });
    });
  }

  confirmSignUp(email: string, code: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.user(email).confirmRegistration(code.trim(), true, (error) => (error ? reject(error) : resolve()));
    });
  }

  resendCode(email: string): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      this.user(email).resendConfirmationCode((error, result) => (error ? reject(error) : resolve(deliveryOf(result))));
    });
  }

  forgotPassword(email: string): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      this.user(email).forgotPassword({
        onSuccess: (data) => resolve(deliveryOf(data)),
        onFailure: reject,
        inputVerificationCode: (data) => resolve(deliveryOf(data)),
      });
    });
  }

  confirmPassword(email: string, code: string, newPassword: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.user(email).confirmPassword(code.trim(), newPassword, { onSuccess: () => resolve(), onFailure: reject });
    });
  }

  /** A CognitoUser holding the app's session, for the calls that need one. */
  private userWithSession(session: Session): CognitoUser {
    const username = String(decodeJwt(session.accessToken).claims.username ?? '');
    const user = this.user(username);
    user.setSignInUserSession(
      new CognitoUserSession({
        IdToken: new CognitoIdToken({ IdToken: session.idToken }),
        AccessToken: new CognitoAccessToken({ AccessToken: session.accessToken }),
        RefreshToken: new CognitoRefreshToken({ RefreshToken: session.refreshToken ?? '' }),
      }),
    );
    return user;
  }

  /** REFRESH_TOKEN_AUTH through cognitoUser.refreshSession. */
  refresh(session: Session): Promise<TokenBundle> {
    if (!session.refreshToken) return Promise.reject(new Error('This session has no refresh token.'));
    const user = this.userWithSession(session);
    const token = new CognitoRefreshToken({ RefreshToken: session.refreshToken });
    return new Promise((resolve, reject) => {
      user.refreshSession(token, (error: unknown, fresh: CognitoUserSession | null) => {
        if (error || !fresh) return reject(error ?? new Error('The refresh returned nothing.'));
        resolve(bundleOf(fresh));
      });
    });
  }

  /** GlobalSignOut with the access token: every refresh token of the user is revoked. */
  globalSignOut(session: Session): Promise<void> {
    const user = this.userWithSession(session);
    return new Promise((resolve, reject) => {
      user.globalSignOut({ onSuccess: () => resolve(), onFailure: reject });
    });
  }
}
