import { useState } from 'react';
import { describeAuthError } from '../auth/errors';
import { whoAmI, type RawAnswer } from '../auth/poolgateCalls';
import { displayName, profileFromIdToken } from '../auth/tokens';
import { useSession } from '../session';
import { Avatar } from './Layout';
import { ServerIcon, UserIcon } from './icons';
import { Alert, Button, Card, LiveRegion } from './ui';
import { formatDateTime } from './useNow';

/** The user as the id token describes them, and as Poolgate does when asked with the access token. */
export function ProfileCard() {
  const { config, session } = useSession();
  const [answer, setAnswer] = useState<RawAnswer | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!session) return null;
  const profile = profileFromIdToken(session.idToken);

  const ask = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setAnswer(await whoAmI(config, session.source, session.accessToken));
    } catch (error) {
      setAnswer(null);
      setFailure(describeAuthError(error, config.poolgateUrl).message);
    } finally {
      setBusy(false);
    }
  };

  const attributes = answer?.ok ? attributesOf(answer.body) : null;

  return (
    <Card title="Your profile" icon={<UserIcon />} className="profile-card">
      <div className="profile-head">
        <Avatar name={displayName(profile)} size="large" />
        <div>
          <p className="profile-name">{displayName(profile)}</p>
          {profile.email ? <p className="muted">{profile.email}</p> : null}
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>Email</dt>
          <dd>
            {profile.email ?? <span className="muted">not in the token</span>}{' '}
            {profile.emailVerified === true ? <span className="badge badge-ok">verified</span> : null}
            {profile.emailVerified === false ? <span className="badge badge-warn">not verified</span> : null}
          </dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd>{profile.name ?? <span className="muted">not set</span>}</dd>
        </div>
        <div>
          <dt>Username</dt>
          <dd>
            <code className="break">{profile.username}</code>
          </dd>
        </div>
        <div>
          <dt>Subject (sub)</dt>
          <dd>
            <code className="break">{profile.sub}</code>
          </dd>
        </div>
        <div>
          <dt>Groups</dt>
          <dd>
            {profile.groups.length ? (
              <ul className="chips" aria-label="Groups">
                {profile.groups.map((group) => (
                  <li key={group} className="chip">
                    {group}
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Home airport</dt>
          <dd>
            {profile.homeAirport ? (
              <>
                {profile.homeAirport.name ? `${profile.homeAirport.name} ` : null}
                <code>{profile.homeAirport.code}</code>{' '}
                <span className="muted small">· added by the home-airport trigger</span>
              </>
            ) : (
              <span className="muted">not set</span>
            )}
          </dd>
        </div>
        {profile.identities.length ? (
          <div>
            <dt>Signed in with</dt>
            <dd>
              <ul className="identities" aria-label="Identity providers (the identities claim)">
                {profile.identities.map((identity) => (
                  <li key={`${identity.providerName}/${identity.userId}`}>
                    <strong>{identity.providerName}</strong> <span className="muted">({identity.providerType})</span>
                    <br />
                    <code className="break">{identity.userId}</code>
                    {identity.issuer ? (
                      <>
                        {' '}
                        <span className="muted">from</span> <code className="break">{identity.issuer}</code>
                      </>
                    ) : null}
                    {identity.dateCreated ? (
                      <span className="muted small"> · first seen {formatDateTime(identity.dateCreated)}</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        ) : null}
        {profile.authTime ? (
          <div>
            <dt>Signed in</dt>
            <dd>
              {formatDateTime(profile.authTime * 1000)} ·{' '}
              {session.source === 'hosted' ? 'hosted sign-in page' : 'this app (SRP)'}
            </dd>
          </div>
        ) : null}
      </dl>
      <p className="muted small">
        Read from the claims of your id token, in this browser. Poolgate signed them; the app does not need to verify them
        to display them, the API verifies them on every call.
      </p>
      <div className="button-row">
        <Button variant="ghost" icon={<ServerIcon />} busy={busy} onClick={() => void ask()}>
          Ask Poolgate who I am
        </Button>
      </div>
      <LiveRegion>
        {failure ? <Alert tone="error" title={failure} /> : null}
        {answer ? (
          <div className="answer">
            <p className="answer-request">{answer.request}</p>
            <p>
              <span className={`status-pill ${answer.ok ? 'status-ok' : 'status-bad'}`}>HTTP {answer.status}</span>{' '}
              {answer.ok ? 'Poolgate read your access token and answered:' : 'Poolgate refused the access token:'}
            </p>
            {attributes ? (
              <dl className="facts compact">
                {attributes.map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd>
                      <code className="break">{value}</code>
                    </dd>
                  </div>
                ))}
              </dl>
            ) : (
              <pre className="code-block">{JSON.stringify(answer.body, null, 2)}</pre>
            )}
          </div>
        ) : null}
      </LiveRegion>
    </Card>
  );
}

/** GetUser's UserAttributes, or the claims of /oauth2/userInfo, as name/value pairs. */
function attributesOf(body: unknown): Array<[string, string]> | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.UserAttributes)) {
    const pairs: Array<[string, string]> = [];
    if (typeof b.Username === 'string') pairs.push(['Username', b.Username]);
    for (const attribute of b.UserAttributes as Array<{ Name?: unknown; Value?: unknown }>) {
      if (typeof attribute.Name === 'string') pairs.push([attribute.Name, String(attribute.Value ?? '')]);
    }
    return pairs;
  }
  return Object.entries(b).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
}
