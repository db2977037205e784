import type { SessionView } from '../../preload/contract';

/**
 * Who is signed in, or how to sign in. When an application asks for sign-in, the question is put plainly
 * and the clinician answers it; nothing signs in behind their back.
 */
export function SessionPanel({
  session,
  sandbox,
  onSignIn,
  onCancel,
  onSignOut,
}: {
  session: SessionView;
  sandbox: boolean;
  onSignIn: () => void;
  onCancel: () => void;
  onSignOut: () => void;
}) {
  if (session.user) {
    return (
      <div className="sc-session" data-testid="session">
        <p className="nhsuk-body-s sc-session__who">
          Signed in as <strong>{session.user.name}</strong> ({session.user.roleName}
          {session.expiresAt ? `, until ${timeOfDay(session.expiresAt)}` : ''})
        </p>
        <button type="button" className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    );
  }
  if (session.signInUnavailable) {
    return (
      <div className="nhsuk-inset-text" data-testid="session">
        <p>{session.signInUnavailable}</p>
      </div>
    );
  }
  return (
    <section className="nhsuk-card" aria-labelledby="sign-in-heading" data-testid="session">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-m" id="sign-in-heading">
          {session.signInRequested ? 'Your prescribing system asks you to sign in' : 'You are not signed in'}
        </h2>
        <p className="nhsuk-card__description">
          {sandbox
            ? 'In the sandbox you sign in as the sandbox test clinician. No NHS account is used.'
            : 'Sign in to sign prescriptions.'}
        </p>
        <div className="nhsuk-button-group">
          <button type="button" className="nhsuk-button" onClick={onSignIn}>
            Sign in
          </button>
          {session.signInRequested && (
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
              Not now
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}
