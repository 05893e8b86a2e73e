import QRCode from 'qrcode';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { describeAuthError, type FriendlyError } from '../auth/errors';
import * as security from '../auth/security';
import { profileFromIdToken } from '../auth/tokens';
import { passkeysSupported } from '../auth/webauthn';
import { useSession } from '../session';
import { KeyIcon, ShieldIcon } from './icons';
import { Alert, Button, Card, ErrorAlert, Field } from './ui';

/** Setting up an authenticator app: the secret as a QR code, then its first code. */
function TotpSetup({ onDone }: { onDone: () => void }) {
  const { config, session } = useSession();
  const [secret, setSecret] = useState<string | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FriendlyError | null>(null);
  if (!session) return null;
  const account = profileFromIdToken(session.idToken).email ?? 'you';

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      const fresh = await security.associateTotp(config, session.accessToken);
      setSecret(fresh);
      setQr(await QRCode.toDataURL(security.totpUri(fresh, account), { margin: 1, width: 220 }));
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
    }
    setBusy(false);
  };

  const verify = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await security.verifyTotp(config, session.accessToken, code, 'TravelGuide web');
      setSecret(null);
      onDone();
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
    }
    setBusy(false);
  };

  if (!secret) {
    return (
      <div className="stack">
        <ErrorAlert error={error} />
        <Button variant="secondary" busy={busy} onClick={() => void start()}>
          Set up an authenticator app
        </Button>
      </div>
    );
  }
  return (
    <form onSubmit={verify} className="stack" noValidate>
      <p>Scan this code with your authenticator app (or type the key), then enter the 6-digit code it shows.</p>
      {qr ? <img className="totp-qr" src={qr} width={220} height={220} alt="QR code to add TravelGuide to an authenticator app" /> : null}
      <p>
        Key: <code className="totp-secret">{secret}</code>
      </p>
      <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
      <ErrorAlert error={error} />
      <Button type="submit" busy={busy}>
        Verify and turn on
      </Button>
    </form>
  );
}

/** The signed-in user's second factor and passkeys (GetUserAuthFactors, SetUserMFAPreference, WebAuthn). */
export function SecurityPage() {
  const { config, session, setNotice } = useSession();
  const [factors, setFactors] = useState<security.AuthFactors | null>(null);
  const [passkeys, setPasskeys] = useState<security.Passkey[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<FriendlyError | null>(null);
  const token = session?.accessToken ?? '';

  const reload = useCallback(async () => {
    if (!token) return;
    try {
      setFactors(await security.authFactors(config, token));
      setPasskeys(await security.listPasskeys(config, token));
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
    }
  }, [config, token]);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (!session) return null;
  const totpOn = factors?.mfa.includes('SOFTWARE_TOKEN_MFA') ?? false;

  const act = async (label: string, action: () => Promise<void>, done: string) => {
    setError(null);
    setBusy(label);
    try {
      await action();
      setNotice({ tone: 'success', title: done });
      await reload();
    } catch (err) {
      setError(describeAuthError(err, config.poolgateUrl));
    }
    setBusy(null);
  };

  return (
    <div className="security">
      <div className="page-head">
        <p className="eyebrow">Your account</p>
        <h1>Security</h1>
      </div>
      <ErrorAlert error={error} />
      <div className="two-col">
        <Card title="Two-step sign-in" icon={<ShieldIcon />}>
          <p>
            The pool’s MFA is <strong>optional</strong>: once you turn on an authenticator app, every sign-in asks for
            its code (the <code>SOFTWARE_TOKEN_MFA</code> challenge).
          </p>
          <p data-testid="mfa-status">
            {factors === null ? 'Loading…' : totpOn ? 'Authenticator app: on' : 'Authenticator app: off'}
          </p>
          {totpOn ? (
            <Button
              variant="secondary"
              busy={busy === 'totp-off'}
              onClick={() => void act('totp-off', () => security.setTotpPreference(config, token, false), 'Two-step sign-in is off.')}
            >
              Turn off the authenticator app
            </Button>
          ) : (
            <TotpSetup
              onDone={() => {
                setNotice({ tone: 'success', title: 'Authenticator app turned on.' });
                void reload();
              }}
            />
          )}
        </Card>
        <Card title="Passkeys" icon={<KeyIcon />}>
          <p>Sign in with this device’s fingerprint, face or screen lock instead of a password.</p>
          {passkeys.length ? (
            <ul className="passkey-list">
              {passkeys.map((p) => (
                <li key={p.id}>
                  <span>
                    {p.name} <small>added {new Date(p.createdAt).toLocaleDateString()}</small>
                  </span>
                  <Button
                    variant="ghost"
                    busy={busy === p.id}
                    onClick={() => void act(p.id, () => security.deletePasskey(config, token, p.id), 'Passkey removed.')}
                  >
                    Remove <span className="visually-hidden">{p.name}</span>
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p data-testid="no-passkeys">No passkey yet.</p>
          )}
          {passkeysSupported() ? (
            <Button
              busy={busy === 'passkey'}
              onClick={() => void act('passkey', () => security.registerPasskey(config, token), 'Passkey added. Next time, sign in with it.')}
            >
              Register a passkey
            </Button>
          ) : (
            <Alert tone="info" title="This browser cannot use passkeys." />
          )}
        </Card>
      </div>
    </div>
  );
}
