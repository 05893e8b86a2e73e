import { useState, type FormEvent } from 'react';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Button, Card, ErrorAlert, Field, MailboxNote, PasswordField } from './ui';

export function SignUpPage() {
  const { config, direct } = useSession();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [homeAirport, setHomeAirport] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FriendlyError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!email.trim() || !password) {
      setError({ code: null, detail: null, message: 'Enter an email address and a password.' });
      return;
    }
    if (homeAirport.trim() && !/^[A-Za-z]{3}$/.test(homeAirport.trim())) {
      setError({ code: null, detail: null, message: 'A home airport is its three-letter code, like LIS.' });
      return;
    }
    setBusy(true);
    try {
      const result = await direct.signUp(email.trim(), password, name, homeAirport);
      const params = new URLSearchParams({ email: email.trim() });
      if (result.confirmed) {
        params.set('confirmed', '1');
        navigate(`/?${params.toString()}`);
      } else {
        params.set('sentTo', result.delivery.destination);
        navigate(`/confirm?${params.toString()}`);
      }
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1>Create your TravelGuide account</h1>
      <p className="lead">We will email you a code to confirm the address.</p>
      <Card>
        <form onSubmit={submit} className="stack" noValidate>
          <Field label="Email" type="email" autoComplete="email" inputMode="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field
            label="Name (optional)"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            hint="How TravelGuide greets you. It goes into your id token as the name claim."
          />
          <Field
            label="Home airport (optional)"
            autoComplete="off"
            maxLength={3}
            value={homeAirport}
            onChange={(e) => setHomeAirport(e.target.value)}
            hint="Three letters, like LIS. Kept as custom:home_airport; a Lambda trigger puts it in your id token."
          />
          <PasswordField
            label="Password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint={config.passwordHint}
          />
          <ErrorAlert error={error} email={email.trim()} />
          <Button type="submit" busy={busy} block>
            Create account
          </Button>
          <p className="option-caption">
            amazon-cognito-identity-js calls <code>SignUp</code>; the email is your username in this pool.
          </p>
        </form>
        <p className="card-footnote split">
          <span>
            Already have an account? <Link to="/">Sign in</Link>
          </span>
          <Link to="/confirm">I have a code</Link>
        </p>
      </Card>
      <MailboxNote mailboxUrl={config.mailboxUrl} compact />
    </div>
  );
}
