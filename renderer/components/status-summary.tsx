import type { ReactNode } from 'react';
import type { AppSnapshot } from '../../preload/contract';

/** Who is signed in, which environment, and whether prescribing systems are connected: one glance. */
export function StatusSummary({ snapshot }: { snapshot: AppSnapshot }) {
  const { environment, session, pipe, signers } = snapshot;
  const rows: [string, ReactNode][] = [
    [
      'Environment',
      environment.clinicalUse ? environment.label : `${environment.label} (not for clinical use)`,
    ],
    ['Signed in', session.user ? `${session.user.name} (${session.user.roleName})` : 'Not signed in'],
    ['Smartcard', signers.card.available ? 'Ready' : (signers.card.reason ?? 'Not available')],
    [
      'Prescribing systems',
      pipe.connections === 0
        ? 'None connected'
        : `${pipe.connections} ${pipe.connections === 1 ? 'connection' : 'connections'}`,
    ],
    ['Connection point', <span className="sc-endpoint">{pipe.endpoint}</span>],
  ];
  return (
    <section aria-labelledby="status-heading">
      <h2 className="nhsuk-heading-m" id="status-heading">
        Status
      </h2>
      <dl className="nhsuk-summary-list" data-testid="status">
        {rows.map(([key, value]) => (
          <div className="nhsuk-summary-list__row" key={key}>
            <dt className="nhsuk-summary-list__key">{key}</dt>
            <dd className="nhsuk-summary-list__value">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
