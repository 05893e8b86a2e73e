import { useState, type FormEvent } from 'react';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Alert, Button, Card, ErrorAlert, Field, LiveRegion, MailboxNote, PasswordField } from './ui';

export function ForgotPasswordPage() {
  const { config, direct } = useSession();
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FriendlyError | null>(null);

  const sendCode = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!email.trim()) {
      setError({ code: null, detail: null, message: 'Enter the email address of your account.' });
      return;
    }
    setBusy(true);
    try {
      const delivery = await direct.forgotPassword(email.trim());
      setSentTo(delivery.destination);
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
    } finally {
      setBusy(false);
    }
  };

  const reset = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!code.trim() || !password) {
      setError({ code: null, detail: null, message: 'Enter the code from the email and a new password.' });
      return;
    }
    setBusy(true);
    try {
      await direct.confirmPassword(email.trim(), code, password);
      navigate(`/?${new URLSearchParams({ email: email.trim(), reset: '1' }).toString()}`);
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1>Reset your password</h1>
      {sentTo === null ? (
        <>
          <p className="lead">We will email you a code to set a new password.</p>
          <Card>
            <form onSubmit={sendCode} className="stack" noValidate>
              <Field label="Email" type="email" autoComplete="username" inputMode="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
              <ErrorAlert error={error} email={email.trim()} />
              <Button type="submit" busy={busy} block>
                Send me a code
              </Button>
            </form>
            <p className="card-footnote">
              <Link to="/">Back to sign in</Link>
            </p>
          </Card>
        </>
      ) : (
        <>
          <LiveRegion>
            <Alert tone="success" title={`We sent a code to ${sentTo}.`}>
              <p>Enter it below with the new password you want.</p>
            </Alert>
          </LiveRegion>
          <MailboxNote mailboxUrl={config.mailboxUrl} compact />
          <Card>
            <form onSubmit={reset} className="stack" noValidate>
              <Field label="Email" type="email" autoComplete="username" value={email} readOnly />
              <Field label="Code from the email" autoComplete="one-time-code" inputMode="numeric" required value={code} onChange={(e) => setCode(e.target.value)} className="code-input" />
              <PasswordField label="New password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} hint={config.passwordHint} />
              <ErrorAlert error={error} email={email.trim()} />
              <Button type="submit" busy={busy} block>
                Set new password
              </Button>
            </form>
            <p className="card-footnote split">
              <button type="button" className="link-button" onClick={() => { setSentTo(null); setError(null); }}>
                Send another code
              </button>
              <Link to="/">Back to sign in</Link>
            </p>
          </Card>
        </>
      )}
    </div>
  );
}
