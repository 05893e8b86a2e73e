import { useState } from 'react';
import { formatClock, formatCountdown, secondsLeft, tryDecodeJwt, type TokenKind } from '../auth/tokens';
import { Link } from '../router';
import { useSession } from '../session';
import { CopyIcon, KeyIcon, RefreshIcon, ServerIcon, ShieldIcon } from './icons';
import { Button, LiveRegion } from './ui';
import { formatDateTime, formatTime, useNow } from './useNow';

/** What each claim means, for the claims Poolgate (like Cognito) puts in its tokens. */
const CLAIMS: Record<string, string> = {
  sub: 'The user’s permanent id in the pool (a UUID). Key your data on this.',
  iss: 'Who issued the token: the user pool’s issuer URL. Verifiers check it.',
  aud: 'Who the id token is for: the app client id.',
  client_id: 'The app client the access token was issued to.',
  token_use: '“id” or “access”: verifiers check it so one cannot pass for the other.',
  'cognito:username': 'The username in the pool (here a UUID: the pool signs in with email).',
  username: 'The username in the pool.',
  email: 'The email address, from the user’s attributes.',
  email_verified: 'Whether the email address was confirmed with a code.',
  name: 'The name attribute.',
  'cognito:groups': 'The groups the user belongs to.',
  'custom:home_airport': 'A custom attribute of the pool: the home airport given at sign-up.',
  home_airport: 'Added by the pool’s pre token generation trigger (the home-airport Lambda function).',
  home_airport_name: 'The airport’s name, added by the same trigger.',
  identities:
    'A federated sign-in: the identity providers this user came through (provider, its user id, issuer, since when).',
  'cognito:roles': 'IAM role ARNs of those groups.',
  'cognito:preferred_role': 'The role of the group with the best precedence.',
  auth_time: 'When the user actually signed in (refreshes keep it).',
  iat: 'When this token was issued.',
  exp: 'When this token stops being accepted.',
  jti: 'This token’s unique id.',
  origin_jti: 'The id of the sign-in this token descends from: revoking it revokes the family.',
  event_id: 'The sign-in event.',
  scope: 'What the access token may be used for.',
  nonce: 'Ties the id token to the sign-in request that asked for it (OIDC).',
  at_hash: 'A hash of the access token issued with this id token (OIDC).',
  version: 'The access token format version.',
  kid: 'Which of the pool’s signing keys signed it (see the JWKS).',
  alg: 'The signature algorithm.',
  typ: 'The token type.',
};

const TIME_CLAIMS = new Set(['exp', 'iat', 'auth_time', 'nbf']);

function ClaimValue({ name, value }: { name: string; value: unknown }) {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') {
    return (
      <>
        <code>{value}</code> <span className="muted">({formatDateTime(value * 1000)})</span>
      </>
    );
  }
  if (Array.isArray(value) && value.some((item) => item !== null && typeof item === 'object')) {
    return <pre className="code-block">{JSON.stringify(value, null, 2)}</pre>;
  }
  if (Array.isArray(value)) return <code className="break">{value.map(String).join(', ') || '[]'}</code>;
  return <code className="break">{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

function ClaimsTable({ claims, caption }: { claims: Record<string, unknown>; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="claims">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Claim</th>
            <th scope="col">Value</th>
            <th scope="col" className="hide-narrow">
              Meaning
            </th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(claims).map(([name, value]) => (
            <tr key={name}>
              <th scope="row">
                <code>{name}</code>
              </th>
              <td>
                <ClaimValue name={name} value={value} />
              </td>
              <td className="muted hide-narrow">{CLAIMS[name] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CopyButton({ text, what }: { text: string; what: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <>
      <Button variant="ghost" className="btn-small" icon={<CopyIcon />} onClick={() => void copy()}>
        {copied ? 'Copied' : `Copy ${what}`}
      </Button>
      <LiveRegion>{copied ? <span className="visually-hidden">{what} copied to the clipboard</span> : null}</LiveRegion>
    </>
  );
}

const META: Record<TokenKind, { title: string; goesTo: string; goesToDetail: string; icon: typeof KeyIcon }> = {
  id: {
    title: 'ID token',
    goesTo: 'Sent to the TravelGuide API',
    goesToDetail:
      'Authorization: Bearer <id token> on every API call. It says who you are: the workshop’s handler reads its cognito:username and sub.',
    icon: ShieldIcon,
  },
  access: {
    title: 'Access token',
    goesTo: 'Sent to Poolgate',
    goesToDetail:
      'For your self-service operations (GetUser, GlobalSignOut, ChangePassword...) and /oauth2/userInfo. It says what the bearer may do (scope), not who they are in detail: it has no email.',
    icon: ServerIcon,
  },
  refresh: {
    title: 'Refresh token',
    goesTo: 'Sent to Poolgate only, to renew the other two',
    goesToDetail: 'Never to the API. A global sign-out revokes it.',
    icon: RefreshIcon,
  },
};

function Countdown({ exp, iat, now }: { exp: number; iat: number | null; now: number }) {
  const left = secondsLeft(exp * 1000, now);
  const lifetime = iat !== null && exp > iat ? exp - iat : null;
  const fraction = lifetime ? Math.max(0, Math.min(1, left / lifetime)) : null;
  const tone = left <= 0 ? 'expired' : left <= 60 ? 'soon' : 'ok';
  return (
    <div className={`countdown countdown-${tone}`}>
      <div className="countdown-row">
        <span className="countdown-clock" role="timer" aria-live="off" aria-label={`Expires in ${formatCountdown(left)}`}>
          {left > 0 ? formatClock(left) : 'expired'}
        </span>
        <span className="muted small">
          {left > 0 ? 'left' : ''} · expires at {formatTime(exp * 1000)}
          {lifetime ? ` · lives ${formatCountdown(lifetime)}` : ''}
        </span>
      </div>
      {fraction !== null ? (
        <div className="bar" aria-hidden="true">
          <span style={{ width: `${fraction * 100}%` }} />
        </div>
      ) : null}
    </div>
  );
}

function JwtCard({ kind, token, now }: { kind: 'id' | 'access'; token: string; now: number }) {
  const meta = META[kind];
  const decoded = tryDecodeJwt(token);
  const Icon = meta.icon;
  const exp = decoded && typeof decoded.claims.exp === 'number' ? decoded.claims.exp : null;
  const iat = decoded && typeof decoded.claims.iat === 'number' ? decoded.claims.iat : null;
  return (
    <section className="card token-card" aria-labelledby={`token-${kind}`}>
      <header className="card-header">
        <h2 id={`token-${kind}`} className="card-title">
          <span className="card-icon">
            <Icon />
          </span>
          {meta.title}
        </h2>
        {decoded ? (
          <span className="badge">
            JWT · {String(decoded.header.alg ?? '?')}
          </span>
        ) : null}
      </header>
      <p className="goes-to">
        <strong>{meta.goesTo}.</strong> {meta.goesToDetail}
      </p>
      {exp !== null ? <Countdown exp={exp} iat={iat} now={now} /> : null}
      {decoded ? (
        <>
          <h3 className="subhead">Claims</h3>
          <ClaimsTable claims={decoded.claims} caption={`${meta.title} claims`} />
          <details className="disclosure">
            <summary>Header</summary>
            <ClaimsTable claims={decoded.header} caption={`${meta.title} header`} />
          </details>
          <details className="disclosure">
            <summary>The token itself</summary>
            <p className="raw-token">
              <span className="raw-header">{token.split('.')[0]}</span>.<span className="raw-claims">{token.split('.')[1]}</span>.
              <span className="raw-signature">{token.split('.')[2]}</span>
            </p>
            <CopyButton text={token} what={meta.title} />
          </details>
        </>
      ) : (
        <p className="muted">This token cannot be decoded as a JWT.</p>
      )}
    </section>
  );
}

function RefreshCard({ token }: { token: string | null }) {
  const meta = META.refresh;
  const [shown, setShown] = useState(false);
  const decoded = tryDecodeJwt(token);
  return (
    <section className="card token-card" aria-labelledby="token-refresh">
      <header className="card-header">
        <h2 id="token-refresh" className="card-title">
          <span className="card-icon">
            <RefreshIcon />
          </span>
          {meta.title}
        </h2>
        <span className="badge">{decoded ? 'JWT' : 'opaque'}</span>
      </header>
      <p className="goes-to">
        <strong>{meta.goesTo}.</strong> {meta.goesToDetail}
      </p>
      {token === null ? (
        <p className="muted">This sign-in returned no refresh token, so the app cannot renew the session.</p>
      ) : (
        <>
          <p>
            {decoded
              ? 'This one happens to be a JWT, but treat it as opaque: only the issuer reads it.'
              : 'It is opaque: a random string, not a JWT, so there are no claims to show and no expiry written in it. Only Poolgate can tell what it stands for: it keeps a hash of it, the user and client it belongs to, and when it expires (the app client’s refresh token validity, 30 days by default).'}
          </p>
          <p className="raw-token">
            {shown ? token : `${token.slice(0, 8)}${'•'.repeat(24)}${token.slice(-4)}`}{' '}
            <span className="muted">({token.length} characters)</span>
          </p>
          <div className="button-row">
            <Button variant="ghost" className="btn-small" aria-pressed={shown} onClick={() => setShown((s) => !s)}>
              {shown ? 'Hide' : 'Show'} the refresh token
            </Button>
            <CopyButton text={token} what="refresh token" />
          </div>
        </>
      )}
    </section>
  );
}

export function TokensPage() {
  const { session } = useSession();
  const now = useNow();
  if (!session) return null;
  return (
    <div className="tokens-page">
      <div className="page-head">
        <p className="eyebrow">What the app holds for you</p>
        <h1>Your tokens</h1>
        <p className="lead">
          Poolgate signed these when you signed in{session.refreshedAt ? ` and again at ${formatTime(session.refreshedAt)}` : ''}. They live in
          this tab’s sessionStorage and are gone when you close it. Decoded here without checking signatures: the API does
          that, with Poolgate’s public keys. <Link to="/help">Which token goes where, and why</Link>
        </p>
      </div>
      <div className="token-grid">
        <JwtCard kind="id" token={session.idToken} now={now} />
        <JwtCard kind="access" token={session.accessToken} now={now} />
        <RefreshCard token={session.refreshToken} />
      </div>
    </div>
  );
}
