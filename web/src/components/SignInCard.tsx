import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SignInOutcome } from '../auth/directSignIn';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import { providerLabel } from '../config';
import { signInWithPasskey as signInWithPasskeyCall } from '../auth/security';
import { passkeysSupported } from '../auth/webauthn';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { ArrowRightIcon, KeyIcon, ShieldIcon } from './icons';
import { Alert, Button, ErrorAlert, Field, PasswordField } from './ui';

type NewPasswordStep = Extract<SignInOutcome, { kind: 'newPasswordRequired' }>;
type CodeStep = Extract<SignInOutcome, { kind: 'codeRequired' }>;

/** The second factor: the authenticator app's code (or one sent by SMS). */
function CodeForm({ step, onDone }: { step: CodeStep; onDone: (outcome: SignInOutcome) => void }) {
  const { config } = useSession();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FriendlyError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      onDone(await step.complete(code));
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack" noValidate>
      <div className="step-intro">
        <span className="step-icon">
          <ShieldIcon />
        </span>
        <div>
          <h2 className="card-title" tabIndex={-1} ref={heading}>
            {step.challenge === 'SMS_MFA' ? 'Enter the code we texted you' : 'Enter your authenticator code'}
          </h2>
          <p>
            {step.challenge === 'SMS_MFA'
              ? `We sent a 6-digit code to ${step.destination ?? 'your phone'}.`
              : 'Open your authenticator app and enter the 6-digit code for TravelGuide.'}{' '}
            (the <code>{step.challenge}</code> challenge)
          </p>
        </div>
      </div>
      <Field
        label="Code"
        inputMode="numeric"
        autoComplete="one-time-code"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <ErrorAlert error={error} />
      <Button type="submit" busy={busy} block>
        Verify
      </Button>
    </form>
  );
}

const ATTRIBUTE_LABELS: Record<string, string> = {
  name: 'Full name',
  given_name: 'First name',
  family_name: 'Last name',
  phone_number: 'Phone number (+15555550123)',
  preferred_username: 'Preferred username',
  nickname: 'Nickname',
};

/** The NEW_PASSWORD_REQUIRED step: an administrator created the account with a temporary password. */
function NewPasswordForm({ email, step, onDone }: { email: string; step: NewPasswordStep; onDone: (outcome: SignInOutcome) => void }) {
  const { config } = useSession();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [attributes, setAttributes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FriendlyError | null>(null);
  const [mismatch, setMismatch] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // The form replaced the one the user was in: take them (and their screen reader) to it.
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password !== repeat) {
      setMismatch('The two passwords are different.');
      document.getElementById('new-password-again')?.focus();
      return;
    }
    setMismatch(null);
    setBusy(true);
    try {
      onDone(await step.complete(password, attributes));
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack" noValidate>
      <div className="step-intro">
        <span className="step-icon">
          <KeyIcon />
        </span>
        <div>
          <h2 className="card-title" tabIndex={-1} ref={heading}>
            Choose your own password
          </h2>
          <p>
            <strong>{email}</strong> was created by an administrator with a temporary password. Poolgate asks you to
            replace it before you go on (the <code>NEW_PASSWORD_REQUIRED</code> challenge).
          </p>
        </div>
      </div>
      <PasswordField
        label="New password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={config.passwordHint}
      />
      <PasswordField
        id="new-password-again"
        label="New password, again"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => setRepeat(e.target.value)}
        error={mismatch}
      />
      {step.requiredAttributes.map((name) => (
        <Field
          key={name}
          label={ATTRIBUTE_LABELS[name] ?? name}
          required
          value={attributes[name] ?? ''}
          onChange={(e) => setAttributes((a) => ({ ...a, [name]: e.target.value }))}
        />
      ))}
      <ErrorAlert error={error} email={email} />
      <Button type="submit" busy={busy} block>
        Set password and sign in
      </Button>
    </form>
  );
}

/** Both ways in: Poolgate's hosted pages (OIDC), or this app's own form (SRP). */
export function SignInCard({ initialEmail = '' }: { initialEmail?: string }) {
  const { config, direct, hosted, signedIn } = useSession();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<FriendlyError | null>(null);
  const [step, setStep] = useState<NewPasswordStep | null>(null);
  const [codeStep, setCodeStep] = useState<CodeStep | null>(null);
  const [unsupported, setUnsupported] = useState<string | null>(null);

  const handleOutcome = (outcome: SignInOutcome) => {
    if (outcome.kind === 'signedIn') {
      signedIn('direct', outcome.tokens);
      navigate('/');
    } else if (outcome.kind === 'newPasswordRequired') {
      setStep(outcome);
      setBusy(null);
    } else if (outcome.kind === 'codeRequired') {
      setCodeStep(outcome);
      setBusy(null);
    } else {
      setUnsupported(outcome.challenge);
      setBusy(null);
    }
  };

  const signInHere = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setUnsupported(null);
    if (!email.trim() || !password) {
      setError({ code: null, detail: null, message: 'Enter your email and your password.' });
      return;
    }
    setBusy('direct');
    try {
      handleOutcome(await direct.signIn(email.trim(), password));
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(null);
    }
  };

  const signInWithPasskey = async () => {
    setError(null);
    setUnsupported(null);
    if (!email.trim()) {
      setError({ code: null, detail: null, message: 'Enter your email, then use your passkey.' });
      return;
    }
    setBusy('passkey');
    try {
      const answer = await signInWithPasskeyCall(config, email.trim());
      if (answer.kind === 'signedIn') {
        handleOutcome({ kind: 'signedIn', tokens: answer.tokens });
      } else {
        handleOutcome({
          kind: 'codeRequired',
          challenge: 'SOFTWARE_TOKEN_MFA',
          destination: null,
          complete: async (code) => ({ kind: 'signedIn', tokens: await answer.complete(code) }),
        });
      }
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(null);
    }
  };

  const signInHosted = async (provider?: string) => {
    setError(null);
    setBusy(provider ?? 'hosted');
    try {
      await hosted.signIn(provider);
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
      setBusy(null);
    }
  };

  if (codeStep) {
    return (
      <section className="card signin-card" aria-label="Second sign-in step">
        <CodeForm step={codeStep} onDone={handleOutcome} />
        <p className="card-footnote">
          <button type="button" className="link-button" onClick={() => setCodeStep(null)}>
            Cancel and sign in again
          </button>
        </p>
      </section>
    );
  }

  if (step) {
    return (
      <section className="card signin-card" aria-label="Choose a new password">
        <NewPasswordForm email={email.trim()} step={step} onDone={handleOutcome} />
        <p className="card-footnote">
          <button type="button" className="link-button" onClick={() => setStep(null)}>
            Cancel and sign in as someone else
          </button>
        </p>
      </section>
    );
  }

  return (
    <section className="card signin-card" aria-labelledby="signin-title">
      <h2 id="signin-title" className="card-title">
        Sign in to TravelGuide
      </h2>

      <div className="signin-option">
        <Button variant="primary" block busy={busy === 'hosted'} disabled={busy !== null && busy !== 'hosted'} onClick={() => void signInHosted()} icon={<ShieldIcon />}>
          Continue with Poolgate
        </Button>
        <p className="option-caption">
          Opens Poolgate’s hosted sign-in page. OpenID Connect, authorization code flow with PKCE.
        </p>
      </div>

      {config.identityProviders.length ? (
        <div className="signin-option" role="group" aria-label="Sign in with another account">
          {config.identityProviders.map((provider) => (
            <Button
              key={provider}
              variant="secondary"
              block
              busy={busy === provider}
              disabled={busy !== null && busy !== provider}
              onClick={() => void signInHosted(provider)}
            >
              Continue with {providerLabel(provider)}
            </Button>
          ))}
          <p className="option-caption">
            Federation: Poolgate sends you to that identity provider and back, then signs you in to TravelGuide.
          </p>
        </div>
      ) : null}

      <div className="divider" role="separator">
        <span>or sign in here</span>
      </div>

      <form onSubmit={signInHere} className="stack" noValidate aria-describedby="srp-caption">
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <PasswordField
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorAlert error={error} email={email.trim()} />
        {unsupported ? (
          <Alert tone="warning" title="This account needs a second sign-in step this demo app does not offer.">
            <p>
              Poolgate asked for <code>{unsupported}</code>. Use “Continue with Poolgate” instead.
            </p>
          </Alert>
        ) : null}
        <Button type="submit" variant="secondary" block busy={busy === 'direct'} disabled={busy !== null && busy !== 'direct'} icon={<ArrowRightIcon />}>
          Sign in
        </Button>
        {passkeysSupported() ? (
          <Button variant="ghost" block busy={busy === 'passkey'} disabled={busy !== null && busy !== 'passkey'} onClick={() => void signInWithPasskey()} icon={<KeyIcon />}>
            Sign in with a passkey
          </Button>
        ) : null}
        <p className="option-caption" id="srp-caption">
          amazon-cognito-identity-js with <code>USER_SRP_AUTH</code>: the app proves it knows your password without
          sending it.
        </p>
      </form>

      <p className="card-footnote split">
        <Link to={`/forgot${email.trim() ? `?email=${encodeURIComponent(email.trim())}` : ''}`}>Forgot your password?</Link>
        <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
