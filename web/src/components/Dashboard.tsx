import { greetingName, profileFromIdToken } from '../auth/tokens';
import { useSession } from '../session';
import { ApiPanel } from './ApiPanel';
import { ProfileCard } from './ProfileCard';
import { SessionCard } from './SessionCard';

/** The signed-in home: who you are, your session, and the protected API. */
export function Dashboard() {
  const { session } = useSession();
  if (!session) return null;
  const profile = profileFromIdToken(session.idToken);
  return (
    <div className="dashboard">
      <div className="page-head">
        <p className="eyebrow">Signed in {session.source === 'hosted' ? 'through Poolgate’s sign-in page' : 'with SRP'}</p>
        <h1>Welcome, {greetingName(profile)}</h1>
      </div>
      <ApiPanel />
      <div className="two-col">
        <ProfileCard />
        <SessionCard />
      </div>
    </div>
  );
}
