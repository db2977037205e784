import { useEffect } from 'react';
import { useStore } from 'zustand';
import { Confirmation } from './components/confirmation';
import { EnvironmentBanner } from './components/environment-banner';
import { PairedApps } from './components/paired-apps';
import { PairingPrompt } from './components/pairing-prompt';
import { ServiceHeader } from './components/service-header';
import { SessionPanel } from './components/session-panel';
import { StatusSummary } from './components/status-summary';
import { WaitingList } from './components/waiting-list';
import type { AppStore } from './stores/app-store';

export function App({ store }: { store: AppStore }) {
  const status = useStore(store, (s) => s.status);
  const snapshot = useStore(store, (s) => s.snapshot);
  const error = useStore(store, (s) => s.error);
  const connect = useStore(store, (s) => s.connect);
  const answerPairing = useStore(store, (s) => s.answerPairing);
  const revokePairing = useStore(store, (s) => s.revokePairing);
  const answerSigning = useStore(store, (s) => s.answerSigning);
  const signIn = useStore(store, (s) => s.signIn);
  const cancelSignIn = useStore(store, (s) => s.cancelSignIn);
  const signOut = useStore(store, (s) => s.signOut);
  const actionError = useStore(store, (s) => s.actionError);
  useEffect(() => connect(), [connect]);
  // In a browser tab (the headless host) the title is what a clinician sees of a request waiting behind
  // other tabs.
  const waiting = snapshot ? (snapshot.signing.current ? 1 : 0) + snapshot.signing.waiting + snapshot.pairing.prompts.length : 0;
  useEffect(() => {
    document.title = waiting > 0 ? `(${waiting}) Waiting for you: Signing Companion` : 'Signing Companion';
  }, [waiting]);

  return (
    <>
      <a className="nhsuk-skip-link" href="#main">
        Skip to main content
      </a>
      {snapshot && <EnvironmentBanner environment={snapshot.environment} />}
      <ServiceHeader />
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper" id="main" tabIndex={-1}>
          {status === 'connecting' && <p aria-live="polite">Connecting to Signing Companion…</p>}
          {status === 'failed' && (
            <div className="nhsuk-warning-callout" role="alert">
              <h2 className="nhsuk-warning-callout__label">
                <span role="text">
                  <span className="nhsuk-u-visually-hidden">Important: </span>Signing Companion is not responding
                </span>
              </h2>
              <p>{error?.message}</p>
            </div>
          )}
          {snapshot && (
            <>
              {snapshot.pairing.prompts.map((prompt) => (
                <PairingPrompt key={prompt.id} prompt={prompt} onAnswer={(approve) => answerPairing(prompt.id, approve)} />
              ))}
              {actionError && (
                <div className="nhsuk-error-summary" role="alert">
                  <p className="nhsuk-error-summary__title">{actionError.message}</p>
                </div>
              )}
              <SessionPanel
                session={snapshot.session}
                sandbox={snapshot.environment.name === 'sandbox'}
                onSignIn={signIn}
                onCancel={cancelSignIn}
                onSignOut={signOut}
              />
              {snapshot.signing.current ? (
                <Confirmation view={snapshot.signing.current} onAnswer={(answer) => answerSigning(snapshot.signing.current?.id ?? '', answer)} />
              ) : (
                <WaitingList />
              )}
              {snapshot.signing.waiting > 0 && (
                <p className="nhsuk-body-s" data-testid="queue">
                  {snapshot.signing.waiting === 1 ? '1 more request is waiting.' : `${snapshot.signing.waiting} more requests are waiting.`}
                </p>
              )}
              <StatusSummary snapshot={snapshot} />
              <PairedApps apps={snapshot.pairing.paired} onRevoke={revokePairing} />
              {snapshot.notices.map((notice) => (
                <div className="nhsuk-inset-text" key={notice}>
                  <p>{notice}</p>
                </div>
              ))}
            </>
          )}
        </main>
      </div>
      <footer className="nhsuk-footer" role="contentinfo">
        <div className="nhsuk-width-container">
          <p className="nhsuk-body-s">
            {snapshot ? `${snapshot.product.name} ${snapshot.product.version}` : 'Signing Companion'}
          </p>
        </div>
      </footer>
    </>
  );
}
