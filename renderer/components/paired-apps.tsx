import type { PairedAppView } from '../../preload/contract';

const HOW: Record<PairedAppView['approval'], string> = {
  clinician: 'approved by you',
  policy: 'approved by your IT team',
  'sandbox-automatic': 'approved automatically (sandbox)',
};

/** The applications that may send prescriptions, and a way to remove each. */
export function PairedApps({ apps, onRevoke }: { apps: PairedAppView[]; onRevoke: (clientId: string) => void }) {
  return (
    <section aria-labelledby="paired-heading">
      <h2 className="nhsuk-heading-m" id="paired-heading">
        Paired applications
      </h2>
      {apps.length === 0 ? (
        <p>No prescribing systems are paired yet.</p>
      ) : (
        <dl className="nhsuk-summary-list" data-testid="paired-apps">
          {apps.map((app) => (
            <div className="nhsuk-summary-list__row" key={app.clientId}>
              <dt className="nhsuk-summary-list__key">{app.name}</dt>
              <dd className="nhsuk-summary-list__value">
                {app.version}
                {app.vendor ? `, ${app.vendor}` : ''}. Paired {new Date(app.pairedAt).toLocaleString('en-GB')}, {HOW[app.approval]}.
              </dd>
              <dd className="nhsuk-summary-list__actions">
                <button type="button" className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" onClick={() => onRevoke(app.clientId)}>
                  Remove<span className="nhsuk-u-visually-hidden"> {app.name}</span>
                </button>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
