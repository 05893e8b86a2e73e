import { useEffect, useState } from 'react';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { CallbackPage } from './components/CallbackPage';
import { ConfigProblem } from './components/ConfigProblem';
import { ConfirmPage } from './components/ConfirmPage';
import { Dashboard } from './components/Dashboard';
import { ForgotPasswordPage } from './components/ForgotPasswordPage';
import { HelpPage } from './components/HelpPage';
import { Landing } from './components/Landing';
import { Layout } from './components/Layout';
import { NotFound } from './components/NotFound';
import { SecurityPage } from './components/SecurityPage';
import { SignUpPage } from './components/SignUpPage';
import { TokensPage } from './components/TokensPage';
import { Spinner } from './components/ui';
import { useFocusOnNavigate, useLocation } from './router';
import { SessionProvider, useSession } from './session';

export function App() {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    loadConfig().then(setConfig, (error: unknown) =>
      setProblem(error instanceof ConfigError ? error.message : `config.json could not be read: ${String(error)}`),
    );
  }, []);

  if (problem) return <ConfigProblem message={problem} />;
  if (!config) {
    return (
      <div className="boot">
        <Spinner label="Loading TravelGuide…" />
      </div>
    );
  }
  return (
    <SessionProvider config={config}>
      <Routes />
    </SessionProvider>
  );
}

const TITLES: Record<string, string> = {
  '/': 'TravelGuide',
  '/tokens': 'Your tokens · TravelGuide',
  '/security': 'Security · TravelGuide',
  '/help': 'How it works · TravelGuide',
  '/signup': 'Create an account · TravelGuide',
  '/confirm': 'Confirm your account · TravelGuide',
  '/forgot': 'Reset your password · TravelGuide',
  '/callback': 'Signing you in · TravelGuide',
};

function Routes() {
  const { path } = useLocation();
  const { session } = useSession();
  useFocusOnNavigate(path);
  useEffect(() => {
    document.title = TITLES[path] ?? 'TravelGuide';
  }, [path]);

  let page;
  switch (path) {
    case '/':
      page = session ? <Dashboard /> : <Landing />;
      break;
    case '/callback':
      page = <CallbackPage />;
      break;
    case '/tokens':
      page = session ? <TokensPage /> : <Landing />;
      break;
    case '/security':
      page = session ? <SecurityPage /> : <Landing />;
      break;
    case '/help':
      page = <HelpPage />;
      break;
    case '/signup':
      page = <SignUpPage />;
      break;
    case '/confirm':
      page = <ConfirmPage />;
      break;
    case '/forgot':
      page = <ForgotPasswordPage />;
      break;
    default:
      page = <NotFound />;
  }
  return <Layout>{page}</Layout>;
}
