import { useEffect, useRef } from 'react';
import type { PairingPromptView } from '../../preload/contract';

/**
 * An application asks to sign through this clinician. The code must match the one the application shows,
 * so a hidden program cannot pair in its place. Focus moves to the question; Decline is the safe default.
 */
export function PairingPrompt({ prompt, onAnswer }: { prompt: PairingPromptView; onAnswer: (approve: boolean) => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [prompt.id]);
  return (
    <section className="nhsuk-card nhsuk-card--care nhsuk-card--care--non-urgent" aria-labelledby={`pair-${prompt.id}`} data-testid="pairing-prompt">
      <div className="nhsuk-card--care__heading-container">
        <h2 className="nhsuk-card--care__heading" id={`pair-${prompt.id}`} tabIndex={-1} ref={heading}>
          <span role="text">Pair {prompt.clientName}?</span>
        </h2>
        <span className="nhsuk-card--care__arrow" aria-hidden="true" />
      </div>
      <div className="nhsuk-card__content">
        <p>
          <strong>{prompt.clientName}</strong> {prompt.clientVersion}
          {prompt.vendor ? ` from ${prompt.vendor}` : ''} asks to send you prescriptions to sign.
        </p>
        <p>Check that it shows this code:</p>
        <p className="sc-pairing-code" aria-label={`Code ${prompt.code.split('').join(' ')}`}>
          {prompt.code.slice(0, 3)} {prompt.code.slice(3)}
        </p>
        <p>If the code is different, or you did not start this, decline.</p>
        <div className="nhsuk-button-group">
          <button type="button" className="nhsuk-button" onClick={() => onAnswer(true)}>
            Pair this application
          </button>
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => onAnswer(false)}>
            Decline
          </button>
        </div>
      </div>
    </section>
  );
}
