import { Brand } from './Layout';

const EXAMPLE = `{
  "poolgateUrl": "http://127.0.0.1:9229",
  "userPoolId": "us-east-1_…",
  "clientId": "…",
  "apiUrl": "http://127.0.0.1:9230/staging",
  "redirectUri": "http://localhost:5173/callback",
  "logoutUri": "http://localhost:5173/",
  "mailboxUrl": "http://127.0.0.1:9229/_mailbox"
}`;

/** Shown instead of the app when config.json is missing or wrong. */
export function ConfigProblem({ message }: { message: string }) {
  return (
    <div className="page">
      <header className="site-header">
        <div className="container header-inner">
          <Brand />
        </div>
      </header>
      <main id="main" className="container main narrow">
        <h1>TravelGuide needs its configuration</h1>
        <div className="alert alert-error" role="alert">
          <div>
            <p className="alert-title">{message}</p>
          </div>
        </div>
        <p>
          The app reads <code>config.json</code> from the folder it is served from, so one build works with any Poolgate.
          <code> ./scripts/start.sh</code> writes it for the Poolgate it starts. To run the app on its own, copy{' '}
          <code>public/config.example.json</code> to <code>public/config.json</code> and fill in your user pool and app
          client ids (<code>poolgate apply examples/travelguide/poolgate.toml --output json</code> prints them):
        </p>
        <pre className="code-block">{EXAMPLE}</pre>
      </main>
    </div>
  );
}
