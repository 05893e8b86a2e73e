/**
 * The signed-in session as React state: it starts from sessionStorage, is replaced
 * on sign-in, refreshed on a timer before the tokens expire (tokens.ts decides
 * when), and ended by a local or a global sign-out.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { apiFor, type Api } from './api/client';
import { DirectAuth } from './auth/directSignIn';
import { describeAuthError, isNetworkError, type FriendlyError } from './auth/errors';
import { createHostedUi, type HostedUi } from './auth/hostedUi';
import * as calls from './auth/poolgateCalls';
import { navigate } from './router';
import {
  clearRevokedRefreshToken,
  authorizationHeader,
  clearSession,
  decodeJwt,
  isExpired,
  loadRevokedRefreshToken,
  loadSession,
  msUntilRefresh,
  newSession,
  refreshedSession,
  saveRevokedRefreshToken,
  saveSession,
  shouldRefreshNow,
  type RevokedRefreshToken,
  type Session,
  type TokenBundle,
} from './auth/tokens';
import type { AppConfig } from './config';

export interface Notice {
  tone: 'info' | 'success' | 'warning' | 'error';
  title: string;
  text?: string;
}

export interface RefreshStatus {
  /** A refresh is in flight. */
  busy: boolean;
  /** The last refresh failed with this (kept until the next success). */
  error: FriendlyError | null;
  /** Whether the last successful refresh was the timer's or the user's. */
  lastWasAutomatic: boolean | null;
  /** When the timer will retry after a failure (ms), or null. */
  retryAt: number | null;
}

interface SessionContextValue {
  config: AppConfig;
  session: Session | null;
  refresh: RefreshStatus;
  notice: Notice | null;
  revoked: RevokedRefreshToken | null;
  direct: DirectAuth;
  hosted: HostedUi;
  api: Api;
  setNotice(notice: Notice | null): void;
  signedIn(source: Session['source'], tokens: TokenBundle): void;
  refreshNow(): Promise<void>;
  signOutLocal(): Promise<void>;
  signOutGlobal(): Promise<void>;
  forgetRevoked(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const NOTICE_KEY = 'travelguide.notice';
const RETRY_AFTER_NETWORK_ERROR_MS = 15_000;
const REVOKED_EVERYWHERE = 'GlobalSignOut revoked every refresh token Poolgate had issued to you, on every device.';

/** No refresh in flight, none failed, none done yet. */
function idleRefresh(): RefreshStatus {
  return { busy: false, error: null, lastWasAutomatic: null, retryAt: null };
}

/** A notice left before a redirect (the hosted /logout round trip). Removed once shown. */
function loadNotice(): Notice | null {
  const raw = window.sessionStorage.getItem(NOTICE_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Notice;
  } catch {
    return null;
  }
}

export function SessionProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const store = window.sessionStorage;
  const [session, setSession] = useState<Session | null>(() => loadSession(store));
  const [notice, setNotice] = useState<Notice | null>(loadNotice);
  const [revoked, setRevoked] = useState<RevokedRefreshToken | null>(() => loadRevokedRefreshToken(store));
  const [refresh, setRefresh] = useState<RefreshStatus>(idleRefresh);

  useEffect(() => window.sessionStorage.removeItem(NOTICE_KEY), []);

  const direct = useMemo(() => new DirectAuth(config), [config]);
  const hosted = useMemo(() => createHostedUi(config), [config]);

  // The latest session for callbacks that outlive a render (timers, in-flight calls).
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const inFlight = useRef<Promise<void> | null>(null);

  // A 401 from the API: the tokens may have expired, been damaged or been revoked. A
  // refresh tells which (a revoked session ends with a notice; a merely stale one is
  // renewed, and the API client repeats the refused call with the new id token).
  const renewAfterUnauthorized = useRef<() => Promise<void>>(() => Promise.resolve());
  const api = useMemo(
    () =>
      apiFor(
        config.apiUrl,
        () => (sessionRef.current ? authorizationHeader(sessionRef.current, 'api') : 'Bearer'),
        undefined,
        () => renewAfterUnauthorized.current(),
      ),
    [config.apiUrl],
  );

  const commit = useCallback(
    (next: Session | null) => {
      if (next) saveSession(store, next);
      else clearSession(store);
      sessionRef.current = next;
      setSession(next);
    },
    [store],
  );

  const endSession = useCallback(
    async (why: Notice | null) => {
      commit(null);
      await hosted.forget().catch(() => undefined);
      setRefresh(idleRefresh());
      setNotice(why);
    },
    [commit, hosted],
  );

  const doRefresh = useCallback(
    (automatic: boolean): Promise<void> => {
      if (inFlight.current) return inFlight.current;
      const current = sessionRef.current;
      if (!current) return Promise.resolve();
      setRefresh((r) => ({ ...r, busy: true }));
      const run = (async () => {
        try {
          const tokens = current.source === 'hosted' ? await hosted.refresh() : await direct.refresh(current);
          // A sign-out while the refresh was in flight wins.
          if (sessionRef.current !== current) return;
          commit(refreshedSession(current, tokens, Date.now()));
          setRefresh({ busy: false, error: null, lastWasAutomatic: automatic, retryAt: null });
        } catch (error) {
          const friendly = describeAuthError(error, config.poolgateUrl);
          if (isNetworkError(error)) {
            setRefresh((r) => ({ ...r, busy: false, error: friendly, retryAt: Date.now() + RETRY_AFTER_NETWORK_ERROR_MS }));
          } else {
            await endSession({
              tone: 'error',
              title: 'Your session has expired or was revoked — sign in again.',
              text: friendly.detail ? `Poolgate answered the refresh with: “${friendly.detail}”.` : undefined,
            });
          }
        } finally {
          inFlight.current = null;
        }
      })();
      inFlight.current = run;
      return run;
    },
    [commit, config.poolgateUrl, direct, endSession, hosted],
  );

  /** Refreshes now if the tokens are due or past due (when the tab wakes up). */
  const ensureFresh = useCallback(async () => {
    const current = sessionRef.current;
    if (current && (shouldRefreshNow(current, Date.now()) || isExpired(current, Date.now()))) await doRefresh(true);
  }, [doRefresh]);

  renewAfterUnauthorized.current = () => doRefresh(true);

  // The refresh timer: one timeout, re-armed whenever the session changes.
  useEffect(() => {
    if (!session) return undefined;
    const now = Date.now();
    const due = msUntilRefresh(session, now);
    if (due === null) return undefined;
    const delay = refresh.retryAt !== null ? Math.max(due, refresh.retryAt - now) : due;
    const timer = window.setTimeout(() => void doRefresh(true), delay);
    return () => window.clearTimeout(timer);
  }, [session, refresh.retryAt, doRefresh]);

  // Background tabs throttle timers: check again when the tab comes back.
  useEffect(() => {
    const wake = () => {
      if (document.visibilityState === 'visible') void ensureFresh();
    };
    document.addEventListener('visibilitychange', wake);
    window.addEventListener('focus', wake);
    return () => {
      document.removeEventListener('visibilitychange', wake);
      window.removeEventListener('focus', wake);
    };
  }, [ensureFresh]);

  const signedIn = useCallback(
    (source: Session['source'], tokens: TokenBundle) => {
      commit(newSession(source, tokens, Date.now()));
      setRefresh(idleRefresh());
      setNotice(null);
      clearRevokedRefreshToken(store);
      setRevoked(null);
    },
    [commit, store],
  );

  const signOutLocal = useCallback(async () => {
    const source = sessionRef.current?.source;
    await endSession({
      tone: 'info',
      title: 'You are signed out on this device.',
      text:
        'The app forgot your tokens. Your refresh token itself is still valid until it expires: use “Sign out everywhere” to revoke it.' +
        (source === 'hosted' ? ' Poolgate’s sign-in page also still remembers you, so signing in there again needs no password.' : ''),
    });
    navigate('/');
  }, [endSession]);

  const signOutGlobal = useCallback(async () => {
    const current = sessionRef.current;
    if (!current) return;
    if (isExpired(current, Date.now())) await doRefresh(false);
    const live = sessionRef.current;
    if (!live) return;
    const username = String(decodeJwt(live.idToken).claims['cognito:username'] ?? '');
    let how: string;
    if (live.source === 'direct') {
      await direct.globalSignOut(live); // throws with Poolgate's error; the caller shows it
      how = REVOKED_EVERYWHERE;
    } else {
      const answer = await calls.globalSignOut(config, live.accessToken);
      if (answer.ok) {
        how = REVOKED_EVERYWHERE;
      } else if (/required scopes/i.test(calls.answerMessage(answer) ?? '') && live.refreshToken) {
        // Tokens from the hosted pages carry only the scopes the client asked for;
        // GlobalSignOut needs aws.cognito.signin.user.admin. RevokeToken needs none.
        const revokedAnswer = await calls.revokeRefreshToken(config, live.refreshToken);
        if (!revokedAnswer.ok) throw { code: calls.answerCode(revokedAnswer), message: calls.answerMessage(revokedAnswer) };
        how =
          'This sign-in’s access token lacks the aws.cognito.signin.user.admin scope that GlobalSignOut needs, so the app revoked your refresh token with RevokeToken (/oauth2/revoke) instead, which also invalidates the access tokens issued from it.';
      } else {
        throw { code: calls.answerCode(answer), message: calls.answerMessage(answer) };
      }
    }
    if (live.refreshToken) {
      const kept: RevokedRefreshToken = { source: live.source, refreshToken: live.refreshToken, username, signedOutAt: Date.now() };
      saveRevokedRefreshToken(store, kept);
      setRevoked(kept);
    }
    const farewell: Notice = { tone: 'success', title: 'You are signed out everywhere.', text: how };
    await endSession(farewell);
    if (live.source === 'hosted') {
      // End the hosted pages' own session too (their cookie), then come back here.
      window.sessionStorage.setItem(NOTICE_KEY, JSON.stringify(farewell));
      window.location.assign(hosted.logoutUrl());
    } else {
      navigate('/');
    }
  }, [config, direct, doRefresh, endSession, hosted, store]);

  const forgetRevoked = useCallback(() => {
    clearRevokedRefreshToken(store);
    setRevoked(null);
  }, [store]);

  const value: SessionContextValue = {
    config,
    session,
    refresh,
    notice,
    revoked,
    direct,
    hosted,
    api,
    setNotice,
    signedIn,
    refreshNow: () => doRefresh(false),
    signOutLocal,
    signOutGlobal,
    forgetRevoked,
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
