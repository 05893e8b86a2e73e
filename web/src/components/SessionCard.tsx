import { useState } from 'react';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import { decodeJwt, expiresAtMs, formatCountdown, nextRefreshAtMs, REFRESH_MARGIN_SECONDS, secondsLeft } from '../auth/tokens';
import { Link } from '../router';
import { useSession } from '../session';
import { ClockIcon, GlobeIcon, LogOutIcon, RefreshIcon } from './icons';
import { Alert, Button, Card, ErrorAlert, LiveRegion } from './ui';
import { formatTime, useNow } from './useNow';

/** Keeping the session alive (refresh) and ending it (sign out here, or everywhere). */
export function SessionCard() {
  const { config, session, refresh, refreshNow, signOutLocal, signOutGlobal } = useSession();
  const now = useNow();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<FriendlyError | null>(null);
  if (!session) return null;

  const accessExp = expiresAtMs(session.accessToken);
  const idExp = expiresAtMs(session.idToken);
  const firstExp = Math.min(accessExp ?? Infinity, idExp ?? Infinity);
  const next = nextRefreshAtMs(session);
  // GlobalSignOut takes an access token with this scope; without it the app uses RevokeToken.
  const scope = String(decodeJwt(session.accessToken).claims.scope ?? '');
  const canGlobalSignOut = scope.split(' ').includes('aws.cognito.signin.user.admin');

  const everywhere = async () => {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await signOutGlobal();
    } catch (error) {
      setSignOutError(describeAuthError(error, config.poolgateUrl));
      setSigningOut(false);
    }
  };

  return (
    <Card title="Your session" icon={<ClockIcon />} className="session-card">
      <div className="session-meter">
        <div>
          <p className="meter-label">Tokens valid for</p>
          <p className="meter-value" role="timer" aria-live="off">
            {Number.isFinite(firstExp) ? formatCountdown(secondsLeft(firstExp, now)) : 'unknown'}
          </p>
        </div>
        <div>
          <p className="meter-label">Next automatic refresh</p>
          <p className="meter-value" role="timer" aria-live="off">
            {refresh.busy ? 'now…' : next === null ? 'never (no refresh token)' : `in ${formatCountdown(Math.max(1, secondsLeft(next, now)))}`}
          </p>
        </div>
      </div>
      <LiveRegion>
        <p className="refreshed-at">
          <RefreshIcon className="inline-lead" />
          {session.refreshedAt ? (
            <>
              Refreshed at <strong>{formatTime(session.refreshedAt)}</strong>
              {refresh.lastWasAutomatic === true ? ' (automatically)' : refresh.lastWasAutomatic === false ? ' (by you)' : ''} ·{' '}
              {session.refreshCount} {session.refreshCount === 1 ? 'refresh' : 'refreshes'} since sign-in
            </>
          ) : (
            <>Not refreshed yet · signed in at {formatTime(session.signedInAt)}</>
          )}
        </p>
      </LiveRegion>
      {refresh.error ? (
        <Alert tone="warning" title="The last refresh did not go through.">
          <p>{refresh.error.message}</p>
          {refresh.retryAt ? <p>The app tries again at {formatTime(refresh.retryAt)}.</p> : null}
        </Alert>
      ) : null}
      <p className="muted small">
        The app renews your tokens {REFRESH_MARGIN_SECONDS} seconds before the first one expires, using the refresh token
        {session.source === 'hosted' ? ' (a refresh_token grant at /oauth2/token, by oidc-client-ts)' : ' (REFRESH_TOKEN_AUTH, by amazon-cognito-identity-js)'}.{' '}
        <Link to="/tokens">See the tokens</Link>
      </p>
      <div className="button-row">
        <Button variant="secondary" icon={<RefreshIcon />} busy={refresh.busy} onClick={() => void refreshNow()} disabled={!session.refreshToken}>
          Refresh now
        </Button>
      </div>
      <hr className="rule" />
      <div className="signout-options">
        <div>
          <Button variant="ghost" icon={<LogOutIcon />} onClick={() => void signOutLocal()} disabled={signingOut}>
            Sign out on this device
          </Button>
          <p className="option-caption">Forgets the tokens in this tab. They stay valid until they expire.</p>
        </div>
        <div>
          <Button variant="danger" icon={<GlobeIcon />} busy={signingOut} onClick={() => void everywhere()}>
            Sign out everywhere
          </Button>
          <p className="option-caption">
            {canGlobalSignOut ? (
              <>
                Poolgate revokes your refresh tokens (<code>GlobalSignOut</code>), so no device can renew its session.
              </>
            ) : (
              <>
                Poolgate revokes this sign-in’s refresh token (<code>RevokeToken</code>), so it cannot be renewed.
              </>
            )}
            {session.source === 'hosted' ? ' Then Poolgate’s sign-in page forgets you too (/logout).' : ''}
          </p>
        </div>
      </div>
      <ErrorAlert error={signOutError} />
    </Card>
  );
}
