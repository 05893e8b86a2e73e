import { useLocation } from '../router';
import { useSession } from '../session';
import { GlobeIcon, HeartIcon, KeyIcon } from './icons';
import { RevokedRefreshDemo } from './RevokedRefreshDemo';
import { SignInCard } from './SignInCard';
import { Alert, MailboxNote } from './ui';

/** The signed-out home: what TravelGuide is, and the ways to sign in. */
export function Landing() {
  const { config } = useSession();
  const { query } = useLocation();
  const email = query.get('email') ?? '';
  const confirmed = query.get('confirmed') === '1';
  const reset = query.get('reset') === '1';

  return (
    <div className="landing">
      <RevokedRefreshDemo />
      <div className="hero">
        <div className="hero-text">
          <p className="eyebrow">Your travel companion</p>
          <h1>Plan the next trip, keep the places you love.</h1>
          <p className="lead">
            Browse destinations, save your favourites and get a personal welcome from the TravelGuide API — all behind a
            sign-in you run yourself with Poolgate.
          </p>
          <ul className="feature-list">
            <li>
              <GlobeIcon /> Destinations from the TravelGuide API, for signed-in travellers only
            </li>
            <li>
              <HeartIcon /> Favourites saved per traveller, on the server
            </li>
            <li>
              <KeyIcon /> See your tokens: what they say, where they go, when they expire
            </li>
          </ul>
        </div>
        <div className="hero-side">
          {confirmed ? (
            <Alert tone="success" title="Your account is confirmed.">
              <p>Sign in with your email and password.</p>
            </Alert>
          ) : null}
          {reset ? (
            <Alert tone="success" title="Your password was changed.">
              <p>Sign in with the new password.</p>
            </Alert>
          ) : null}
          <SignInCard initialEmail={email} />
        </div>
      </div>
      <MailboxNote mailboxUrl={config.mailboxUrl} />
    </div>
  );
}
