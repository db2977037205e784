import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConfirmationAnswer, ConfirmationView } from '../../preload/contract';
import { PrescriptionCard } from './prescription-card';

/**
 * A request to sign, in front of the clinician: every prescription it contains, what will not be signed
 * and why, and the card passcode. Signing covers exactly the prescriptions ticked on this screen.
 *
 * The passcode lives in this component's state only while typed; it is sent with the answer and the
 * field is emptied at once, so no copy stays in the window.
 */
export function Confirmation({ view, onAnswer }: { view: ConfirmationView; onAnswer: (answer: ConfirmationAnswer) => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const passcodeField = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<string[]>(() => view.items.map((i) => i.id));
  const [passcode, setPasscode] = useState('');
  const [finalTryConfirmed, setFinalTryConfirmed] = useState(false);
  const [cardKey, setCardKey] = useState(view.signer.chosen);
  useEffect(() => {
    setSelected(view.items.map((i) => i.id));
    setFinalTryConfirmed(false);
    setCardKey(view.signer.chosen);
    heading.current?.focus();
  }, [view.id]);
  useEffect(() => {
    // After a wrong passcode, the clinician goes straight back to the field.
    if (view.message) {
      passcodeField.current?.focus();
    }
  }, [view.message]);

  const signing = view.stage !== 'review';
  const { passcode: pin } = view.signer;
  const count = selected.length;
  const controlledCount = view.items.filter((i) => i.prescription.items.some((it) => it.controlledDrug)).length;
  const sandboxCard = view.signer.cards.find((c) => c.key === cardKey)?.tokenLabel === 'SANDBOX TEST CARD';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onAnswer({ approve: true, itemIds: selected, passcode: pin.pinPad ? null : passcode, confirmFinalTry: finalTryConfirmed, cardKey });
    setPasscode('');
  };
  const decline = () => {
    setPasscode('');
    onAnswer({ approve: false, itemIds: [], passcode: null, confirmFinalTry: false, cardKey: null });
  };

  return (
    <section aria-labelledby="confirm-heading" data-testid="confirmation">
      <h1 className="nhsuk-heading-l" id="confirm-heading" tabIndex={-1} ref={heading}>
        <span className="nhsuk-caption-l">From {view.clientName}</span>
        Check and sign {view.items.length === 1 ? '1 prescription' : `${view.items.length} prescriptions`}
      </h1>
      {view.automatic && (
        <div className="nhsuk-inset-text">
          <p>Approved automatically by sandbox automation. No clinician checked these prescriptions.</p>
        </div>
      )}
      {controlledCount > 0 && (
        <div className="nhsuk-warning-callout">
          <h2 className="nhsuk-warning-callout__label">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>
              {controlledCount === 1 ? '1 prescription has' : `${controlledCount} prescriptions have`} a controlled drug
            </span>
          </h2>
          <p>Check the drug, strength and the quantity in words before you sign.</p>
        </div>
      )}
      {view.refused.length > 0 && (
        <div className="nhsuk-error-summary" aria-labelledby="refused-heading" role="alert" tabIndex={-1} data-testid="refused">
          <h2 className="nhsuk-error-summary__title" id="refused-heading">
            {view.refused.length === 1 ? '1 prescription will not be signed' : `${view.refused.length} prescriptions will not be signed`}
          </h2>
          <div className="nhsuk-error-summary__body">
            <ul className="nhsuk-list nhsuk-error-summary__list">
              {view.refused.map((r) => (
                <li key={r.id}>
                  <strong>{r.id}</strong>: {r.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {view.items.map((item, index) => (
        <PrescriptionCard
          key={item.id}
          id={item.id}
          prescription={item.prescription}
          index={index}
          total={view.items.length}
          selected={selected.includes(item.id)}
          disabled={signing}
          onSelect={(on) => setSelected((current) => (on ? [...current, item.id] : current.filter((id) => id !== item.id)))}
        />
      ))}

      {view.stage === 'pin-pad' && view.pinPadDeadline ? (
        <PinPadCountdown deadline={view.pinPadDeadline} />
      ) : signing ? (
        <div className="nhsuk-inset-text" aria-live="polite" data-testid="signing-progress">
          <p>
            Signing… {view.progress ? `${view.progress.done} of ${view.progress.total} done` : ''}. Keep your card in the reader.
          </p>
        </div>
      ) : (
        <form className="sc-approve" onSubmit={submit} noValidate>
          {view.message && (
            <div className="nhsuk-error-summary" role="alert" data-testid="confirmation-message">
              <p className="nhsuk-error-summary__title">{view.message}</p>
            </div>
          )}
          {view.signer.cards.length > 1 && (
            <fieldset className="nhsuk-fieldset">
              <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Sign with</legend>
              <div className="nhsuk-radios">
                {view.signer.cards.map((card) => (
                  <div className="nhsuk-radios__item" key={card.key}>
                    <input className="nhsuk-radios__input" id={`card-${card.key}`} type="radio" name="card" checked={cardKey === card.key} onChange={() => setCardKey(card.key)} />
                    <label className="nhsuk-label nhsuk-radios__label" htmlFor={`card-${card.key}`}>
                      {card.holderName} on {card.tokenLabel} (valid until {card.validUntil.slice(0, 10)})
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          )}
          {pin.pinPad ? (
            <div className="nhsuk-inset-text" data-testid="pin-pad">
              <p>After you choose Sign, enter your passcode on the card reader&apos;s keypad.</p>
            </div>
          ) : (
            <div className={`nhsuk-form-group${view.message ? ' nhsuk-form-group--error' : ''}`}>
              <label className="nhsuk-label nhsuk-label--s" htmlFor="passcode">
                Smartcard passcode
              </label>
              <div className="nhsuk-hint" id="passcode-hint">
                {sandboxCard ? 'Sandbox test card: the passcode is 1234 unless the sandbox policy sets another' : 'The passcode of the smartcard in the reader'}
                {pin.minLength === pin.maxLength ? ` (${pin.minLength} characters).` : ` (${pin.minLength} to ${pin.maxLength} characters).`}
                {pin.countLow && !pin.finalTry ? ' A wrong passcode was entered recently: few tries are left before the card locks.' : ''}
              </div>
              <input
                ref={passcodeField}
                className="nhsuk-input nhsuk-input--width-10"
                id="passcode"
                name="passcode"
                type="password"
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                maxLength={pin.maxLength}
                aria-describedby="passcode-hint"
                value={passcode}
                onChange={(event) => setPasscode(event.target.value)}
              />
            </div>
          )}
          {pin.finalTry && (
            <div className="nhsuk-warning-callout" data-testid="final-try">
              <h2 className="nhsuk-warning-callout__label">
                <span role="text">
                  <span className="nhsuk-u-visually-hidden">Important: </span>Last try
                </span>
              </h2>
              <p>One more wrong passcode locks your card, and your registration authority will need to unlock it.</p>
              <div className="nhsuk-checkboxes__item">
                <input className="nhsuk-checkboxes__input" id="final-try" type="checkbox" checked={finalTryConfirmed} onChange={(e) => setFinalTryConfirmed(e.target.checked)} />
                <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="final-try">
                  I understand, use my last try
                </label>
              </div>
            </div>
          )}
          <div className="nhsuk-button-group">
            <button type="submit" className="nhsuk-button" disabled={count === 0}>
              {count === 0 ? 'Nothing chosen to sign' : count === 1 ? 'Sign 1 prescription' : `Sign ${count} prescriptions`}
            </button>
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={decline}>
              {view.items.length === 1 ? 'Do not sign' : 'Do not sign any'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The reader's keypad is waiting for the passcode: say so, and how long is left, second by second. */
function PinPadCountdown({ deadline }: { deadline: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [deadline]);
  const seconds = Math.max(0, Math.ceil((Date.parse(deadline) - now) / 1000));
  return (
    <div className="nhsuk-inset-text" role="status" aria-live="polite" data-testid="pin-pad-countdown">
      <p>
        <strong>Enter your passcode on the card reader&apos;s keypad now.</strong>
      </p>
      <p>{seconds > 0 ? `${seconds} seconds left.` : 'Time is up on the reader.'}</p>
    </div>
  );
}
