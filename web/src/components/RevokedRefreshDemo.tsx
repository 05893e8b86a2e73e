import { useState } from 'react';
import { describeAuthError } from '../auth/errors';
import { answerMessage, tryRefreshToken, type RawAnswer } from '../auth/poolgateCalls';
import { useSession } from '../session';
import { RefreshIcon, ShieldIcon } from './icons';
import { Alert, Button, Card, LiveRegion } from './ui';

function mask(token: string): string {
  return token.length > 16 ? `${token.slice(0, 6)}…${token.slice(-6)}` : '••••••';
}

/** After a global sign-out: watch Poolgate refuse the refresh token the app used to hold. */
export function RevokedRefreshDemo() {
  const { config, revoked, forgetRevoked } = useSession();
  const [answer, setAnswer] = useState<RawAnswer | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!revoked) return null;

  const tryIt = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setAnswer(await tryRefreshToken(config, revoked.source, revoked.refreshToken));
    } catch (error) {
      setFailure(describeAuthError(error, config.poolgateUrl).message);
    } finally {
      setBusy(false);
    }
  };

  const said = answer ? answerMessage(answer) : null;
  return (
    <Card title="Is the old refresh token really dead?" icon={<ShieldIcon />} className="revoked-demo">
      <p>
        Before signing you out everywhere, the app put aside your refresh token (<code>{mask(revoked.refreshToken)}</code>
        ). Anyone holding a copy could have used it to get fresh tokens for weeks. Ask Poolgate for new tokens with it,
        exactly as the app used to{revoked.source === 'hosted' ? ' (a refresh_token grant at /oauth2/token)' : ' (InitiateAuth with REFRESH_TOKEN_AUTH)'}:
      </p>
      <div className="button-row">
        <Button variant="secondary" icon={<RefreshIcon />} busy={busy} onClick={() => void tryIt()}>
          Try the old refresh token
        </Button>
        <Button variant="ghost" onClick={forgetRevoked}>
          Forget it
        </Button>
      </div>
      <LiveRegion>
        {failure ? <Alert tone="error" title={failure} /> : null}
        {answer ? (
          <div className="answer">
            <p className="answer-request">{answer.request}</p>
            <p>
              <span className={`status-pill ${answer.ok ? 'status-ok' : 'status-bad'}`}>HTTP {answer.status}</span>{' '}
              {answer.ok ? (
                <strong>Poolgate accepted it — the token was not revoked.</strong>
              ) : (
                <strong>
                  Refused: <q>{said ?? 'no message'}</q>
                </strong>
              )}
            </p>
            <pre className="code-block">{JSON.stringify(answer.body, null, 2)}</pre>
            {!answer.ok ? (
              <p className="muted">
                That is what anyone who copied the token would get now. The access and id tokens issued from it are
                refused by Poolgate’s own API as well; an API that only checks signatures accepts them until they expire
                (an hour by default), which is why they are kept short-lived.
              </p>
            ) : null}
          </div>
        ) : null}
      </LiveRegion>
    </Card>
  );
}
