import { useEffect, useState } from 'react';
import type { TokenBundle } from '../auth/tokens';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { ErrorAlert, Spinner } from './ui';

// The authorization code is single use: StrictMode's double effect (and a re-render)
// must not exchange it twice, so the exchange is remembered per callback URL.
const exchanges = new Map<string, Promise<TokenBundle>>();

/** /callback: Poolgate's hosted pages send the browser here with ?code=&state=. */
export function CallbackPage() {
  const { config, hosted, signedIn } = useSession();
  const [error, setError] = useState<FriendlyError | null>(null);

  useEffect(() => {
    const url = window.location.href;
    const params = new URL(url).searchParams;
    if (params.get('error')) {
      setError(describeAuthError({ error: params.get('error'), error_description: params.get('error_description') }, config.poolgateUrl));
      return;
    }
    if (!params.get('code')) {
      navigate('/', { replace: true });
      return;
    }
    let exchange = exchanges.get(url);
    if (!exchange) {
      exchange = hosted.completeSignIn(url);
      exchanges.set(url, exchange);
    }
    let active = true;
    exchange.then(
      (tokens) => {
        if (!active) return;
        signedIn('hosted', tokens);
        navigate('/', { replace: true });
      },
      (err: unknown) => {
        if (!active) return;
        const friendly = describeAuthError(err, config.poolgateUrl);
        setError(
          /no matching state/i.test(friendly.detail ?? '')
            ? { ...friendly, message: 'This sign-in link was already used or belongs to another tab. Start the sign-in again.' }
            : friendly,
        );
      },
    );
    return () => {
      active = false;
    };
  }, [config.poolgateUrl, hosted, signedIn]);

  return (
    <div className="narrow center-text">
      <h1>{error ? 'Sign-in did not complete' : 'Signing you in…'}</h1>
      {error ? (
        <>
          <ErrorAlert error={error} />
          <p>
            <Link to="/" className="btn btn-primary">
              Back to sign in
            </Link>
          </p>
        </>
      ) : (
        <Spinner label="Exchanging the authorization code for tokens (with the PKCE verifier)…" />
      )}
    </div>
  );
}
