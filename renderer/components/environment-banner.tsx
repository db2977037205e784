import type { EnvironmentView } from '../../preload/contract';

/** The strip on every screen of an environment that is not for clinical use. Live shows nothing. */
export function EnvironmentBanner({ environment }: { environment: EnvironmentView }) {
  if (environment.clinicalUse || environment.notice === null) {
    return null;
  }
  return (
    <div className="sc-environment" role="region" aria-label="Environment" data-testid="environment-banner">
      <div className="nhsuk-width-container">
        <p className="sc-environment__text">
          <strong className="nhsuk-tag sc-environment__tag">{environment.label.toUpperCase()}</strong>
          {environment.notice}
        </p>
      </div>
    </div>
  );
}
