import type { ReactNode } from 'react';
import { displayName, profileFromIdToken } from '../auth/tokens';
import { authority } from '../config';
import { Link, useLocation } from '../router';
import { useSession } from '../session';
import { CompassIcon, LogOutIcon } from './icons';
import { Alert, ExternalLink, LiveRegion } from './ui';

export function Brand() {
  return (
    <span className="brand">
      <span className="brand-mark">
        <CompassIcon />
      </span>
      <span className="brand-name">
        Travel<strong>Guide</strong>
      </span>
    </span>
  );
}

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const { path } = useLocation();
  return (
    <Link to={to} className="nav-link" aria-current={path === to ? 'page' : undefined}>
      {children}
    </Link>
  );
}

function initials(name: string): string {
  const parts = name.replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

export function Avatar({ name, size = 'small' }: { name: string; size?: 'small' | 'large' }) {
  return (
    <span className={`avatar avatar-${size}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

function Header() {
  const { session, signOutLocal } = useSession();
  const { path } = useLocation();
  const profile = session ? profileFromIdToken(session.idToken) : null;
  return (
    <header className="site-header">
      <div className="container header-inner">
        <Link to="/" className="brand-link" aria-label="TravelGuide home">
          <Brand />
        </Link>
        <nav aria-label="Main" className="main-nav">
          {session ? (
            <>
              <NavLink to="/">Trips</NavLink>
              <NavLink to="/tokens">Tokens</NavLink>
              <NavLink to="/security">Security</NavLink>
            </>
          ) : (
            <NavLink to="/">Sign in</NavLink>
          )}
          <NavLink to="/help">How it works</NavLink>
        </nav>
        <div className="header-user">
          {profile ? (
            <>
              <span className="user-chip" title={profile.email ?? profile.username}>
                <Avatar name={displayName(profile)} />
                <span className="user-chip-name">{displayName(profile)}</span>
              </span>
              <button type="button" className="btn btn-ghost btn-small" onClick={() => void signOutLocal()}>
                <LogOutIcon />
                <span>Sign out</span>
              </button>
            </>
          ) : path !== '/signup' ? (
            <Link to="/signup" className="btn btn-secondary btn-small">
              Create account
            </Link>
          ) : null}
        </div>
      </div>
    </header>
  );
}

function Footer() {
  const { config } = useSession();
  return (
    <footer className="site-footer">
      <div className="container footer-inner">
        <p>
          <strong>TravelGuide</strong> is the demo app of <strong>Poolgate</strong>, a self-hosted identity provider that
          speaks Amazon Cognito.
        </p>
        <dl className="footer-facts">
          <div>
            <dt>User pool</dt>
            <dd>
              <code>{config.userPoolId}</code>
            </dd>
          </div>
          <div>
            <dt>App client</dt>
            <dd>
              <code>{config.clientId}</code>
            </dd>
          </div>
          <div>
            <dt>Issuer</dt>
            <dd>
              <ExternalLink href={`${authority(config)}/.well-known/openid-configuration`}>
                <code>{authority(config)}</code>
              </ExternalLink>
            </dd>
          </div>
          <div>
            <dt>API</dt>
            <dd>
              <code>{config.apiUrl}</code>
            </dd>
          </div>
          <div>
            <dt>Mailbox</dt>
            <dd>
              <ExternalLink href={config.mailboxUrl}>local development mailbox</ExternalLink>
            </dd>
          </div>
        </dl>
      </div>
    </footer>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { notice, setNotice } = useSession();
  return (
    <div className="page">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="container main">
        <LiveRegion>
          {notice ? (
            <div className="notice">
              <Alert tone={notice.tone} title={notice.title}>
                {notice.text ? <p>{notice.text}</p> : null}
              </Alert>
              <button type="button" className="notice-close" onClick={() => setNotice(null)}>
                <span aria-hidden="true">×</span>
                <span className="visually-hidden">Dismiss this message</span>
              </button>
            </div>
          ) : null}
        </LiveRegion>
        {children}
      </main>
      <Footer />
    </div>
  );
}
