import { useState, type FormEvent } from 'react';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Alert, Button, Card, ErrorAlert, Field, LiveRegion, MailboxNote } from './ui';

export function ConfirmPage() {
  const { config, direct } = useSession();
  const { query } = useLocation();
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(query.get('sentTo'));
  const [busy, setBusy] = useState<'confirm' | 'resend' | null>(null);
  const [error, setError] = useState<FriendlyError | null>(null);
  const [resent, setResent] = useState<string | null>(null);

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResent(null);
    if (!email.trim() || !code.trim()) {
      setError({ code: null, detail: null, message: 'Enter your email and the code from the email.' });
      return;
    }
    setBusy('confirm');
    try {
      await direct.confirmSignUp(email.trim(), code);
      navigate(`/?${new URLSearchParams({ email: email.trim(), confirmed: '1' }).toString()}`);
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(null);
    }
  };

  const resend = async () => {
    setError(null);
    setResent(null);
    if (!email.trim()) {
      setError({ code: null, detail: null, message: 'Enter your email first, so Poolgate knows where to send the code.' });
      return;
    }
    setBusy('resend');
    try {
      const delivery = await direct.resendCode(email.trim());
      setSentTo(delivery.destination);
      setResent(`A new code is on its way to ${delivery.destination}. Only the newest code works.`);
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="narrow">
      <h1>Confirm your email</h1>
      <p className="lead">
        {sentTo ? (
          <>
            We sent a 6-digit code to <strong>{sentTo}</strong>.
          </>
        ) : (
          'Enter the code from the confirmation email.'
        )}
      </p>
      <MailboxNote mailboxUrl={config.mailboxUrl} />
      <Card>
        <form onSubmit={confirm} className="stack" noValidate>
          <Field label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field
            label="Confirmation code"
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            className="code-input"
          />
          <ErrorAlert error={error} email={email.trim()} />
          <LiveRegion>{resent ? <Alert tone="success" title={resent} /> : null}</LiveRegion>
          <Button type="submit" busy={busy === 'confirm'} disabled={busy === 'resend'} block>
            Confirm account
          </Button>
          <Button variant="ghost" busy={busy === 'resend'} disabled={busy === 'confirm'} onClick={() => void resend()} block>
            Send me a new code
          </Button>
        </form>
        <p className="card-footnote">
          <Link to="/">Back to sign in</Link>
        </p>
      </Card>
    </div>
  );
}
