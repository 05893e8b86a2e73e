/** The app's small set of building blocks: buttons, fields, alerts, cards. */
import { createContext, useContext, useId, useState, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from 'react';
import type { FriendlyError } from '../auth/errors';
import { Link } from '../router';
import { AlertIcon, CheckIcon, ExternalIcon, EyeIcon, EyeOffIcon, InfoIcon, MailIcon } from './icons';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  busy?: boolean;
  icon?: ReactNode;
  block?: boolean;
};

export function Button({ variant = 'primary', busy = false, icon, block, className, children, disabled, ...rest }: ButtonProps) {
  const classes = ['btn', `btn-${variant}`, block ? 'btn-block' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type="button" className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? <span className="spinner" aria-hidden="true" /> : icon}
      <span>{children}</span>
    </button>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: ReactNode;
  error?: string | null;
};

/** The ids that tie a field's input to its hint and error, so both are read with it. */
function useFieldIds(id: string | undefined, hint: ReactNode, error: string | null | undefined) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return { inputId, hintId, errorId, describedBy };
}

/** The hint and error shown under a field's input. */
function FieldNotes({
  hint,
  hintId,
  error,
  errorId,
}: {
  hint?: ReactNode;
  hintId?: string;
  error?: string | null;
  errorId?: string;
}) {
  return (
    <>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function Field({ label, hint, error, id, ...rest }: FieldProps) {
  const { inputId, hintId, errorId, describedBy } = useFieldIds(id, hint, error);
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        {...rest}
      />
      <FieldNotes hint={hint} hintId={hintId} error={error} errorId={errorId} />
    </div>
  );
}

export function PasswordField({ label, hint, error, id, ...rest }: Omit<FieldProps, 'type'>) {
  const [shown, setShown] = useState(false);
  const { inputId, hintId, errorId, describedBy } = useFieldIds(id, hint, error);
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <div className="password-input">
        <input
          {...rest}
          id={inputId}
          type={shown ? 'text' : 'password'}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
        />
        <button
          type="button"
          className="password-toggle"
          aria-pressed={shown}
          aria-controls={inputId}
          onClick={() => setShown((value) => !value)}
        >
          {shown ? <EyeOffIcon /> : <EyeIcon />}
          <span className="visually-hidden">{shown ? 'Hide password' : 'Show password'}</span>
        </button>
      </div>
      <FieldNotes hint={hint} hintId={hintId} error={error} errorId={errorId} />
    </div>
  );
}

/** Set inside a LiveRegion: the region announces, so the alerts in it take no role of their own. */
const InLiveRegion = createContext(false);

/**
 * A message the user must notice. Errors are announced at once (role="alert");
 * successes and notes politely (role="status").
 */
export function Alert({
  tone,
  title,
  children,
  className,
}: {
  tone: 'error' | 'success' | 'info' | 'warning';
  title?: string;
  children?: ReactNode;
  className?: string;
}) {
  const Icon = tone === 'success' ? CheckIcon : tone === 'info' ? InfoIcon : AlertIcon;
  const announced = useContext(InLiveRegion);
  const role = announced ? undefined : tone === 'error' ? 'alert' : 'status';
  return (
    <div className={`alert alert-${tone}${className ? ` ${className}` : ''}`} role={role}>
      <Icon className="alert-icon" />
      <div>
        {title ? <p className="alert-title">{title}</p> : null}
        {children ? <div className="alert-body">{children}</div> : null}
      </div>
    </div>
  );
}

/** A live region that is always in the DOM, so screen readers hear what is put in it. */
export function LiveRegion({ children, assertive = false }: { children: ReactNode; assertive?: boolean }) {
  return (
    <div aria-live={assertive ? 'assertive' : 'polite'} aria-atomic="true">
      <InLiveRegion.Provider value={true}>{children}</InLiveRegion.Provider>
    </div>
  );
}

/** An error from Poolgate, with the next step when there is one. */
export function ErrorAlert({ error, email }: { error: FriendlyError | null; email?: string }) {
  return (
    <LiveRegion assertive>
      {error ? (
        <Alert tone="error" title={error.message}>
          {error.action === 'confirm' ? (
            <p>
              <Link to={`/confirm${email ? `?email=${encodeURIComponent(email)}` : ''}`}>Enter the confirmation code</Link>
            </p>
          ) : null}
          {error.action === 'reset' ? (
            <p>
              <Link to={`/forgot${email ? `?email=${encodeURIComponent(email)}` : ''}`}>Reset the password</Link>
            </p>
          ) : null}
          {error.detail && error.detail !== error.message ? (
            <p className="alert-detail">
              Poolgate said: <q>{error.detail}</q>
              {error.code ? <> ({error.code})</> : null}
            </p>
          ) : null}
        </Alert>
      ) : null}
    </LiveRegion>
  );
}

export function Card({
  title,
  icon,
  actions,
  children,
  className,
  headingLevel = 2,
  id,
}: {
  title?: ReactNode;
  icon?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  headingLevel?: 2 | 3;
  id?: string;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const headingId = useId();
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-labelledby={title ? headingId : undefined} id={id}>
      {title ? (
        <header className="card-header">
          <Heading id={headingId} className="card-title">
            {icon ? <span className="card-icon">{icon}</span> : null}
            {title}
          </Heading>
          {actions ? <div className="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function ExternalLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  return (
    <a href={href} target="_blank" rel="noreferrer noopener" className={className}>
      {children}
      <ExternalIcon className="inline-icon" />
      <span className="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

/** Where the codes arrive, said plainly: Poolgate sends no real email in development. */
export function MailboxNote({ mailboxUrl, compact = false }: { mailboxUrl: string; compact?: boolean }) {
  return (
    <aside className={`mailbox-note${compact ? ' mailbox-note-compact' : ''}`} aria-label="Where the codes arrive">
      <MailIcon className="mailbox-icon" />
      <div>
        <p className="mailbox-title">Your codes arrive in a local development mailbox</p>
        {compact ? null : (
          <p>
            This Poolgate sends no real email: every message it would send (sign-up codes, password reset codes,
            invitations) is kept in a mailbox on your machine, where you can read it.
          </p>
        )}
        <p>
          <ExternalLink href={mailboxUrl}>Open the mailbox</ExternalLink>
        </p>
      </div>
    </aside>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}
