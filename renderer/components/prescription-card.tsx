import type { PrescriptionView } from '../../preload/contract';

/**
 * One prescription as the clinician checks it: patient first, then each item with its dose, then who
 * prescribes. Controlled drugs carry a tag and the quantity in words, so they stand out at a glance.
 */
export function PrescriptionCard({
  id,
  prescription,
  index,
  total,
  selected,
  onSelect,
  disabled,
}: {
  id: string;
  prescription: PrescriptionView;
  index: number;
  total: number;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  disabled: boolean;
}) {
  const { patient, prescriber, items } = prescription;
  const controlled = items.some((item) => item.controlledDrug);
  const headingId = `rx-${index}`;
  return (
    <article className={`nhsuk-card sc-rx${controlled ? ' sc-rx--controlled' : ''}`} aria-labelledby={headingId} data-testid="prescription">
      <div className="nhsuk-card__content">
        <h3 className="nhsuk-heading-s sc-rx__heading" id={headingId}>
          {total > 1 && <span className="nhsuk-caption-m">Prescription {index + 1} of {total}</span>}
          {patient.name}
          {controlled && (
            <strong className="nhsuk-tag nhsuk-tag--red sc-rx__tag" data-testid="controlled-drug-tag">
              Controlled drug
            </strong>
          )}
        </h3>
        <dl className="nhsuk-summary-list nhsuk-summary-list--no-border sc-rx__patient">
          <Row label="NHS number">
            <span className="sc-nhs-number">{patient.nhsNumber}</span>
            {!patient.nhsNumberValid && <strong className="nhsuk-tag nhsuk-tag--orange sc-inline-tag">Check digit wrong</strong>}
          </Row>
          <Row label="Date of birth">{patient.dateOfBirth}</Row>
          <Row label="Address">{patient.address.join(', ')}</Row>
        </dl>
        <table className="nhsuk-table sc-rx__items">
          <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">Items on this prescription</caption>
          <thead className="nhsuk-table__head">
            <tr className="nhsuk-table__row">
              <th scope="col" className="nhsuk-table__header">Medicine</th>
              <th scope="col" className="nhsuk-table__header">Quantity</th>
              <th scope="col" className="nhsuk-table__header">Dose</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {items.map((item, itemIndex) => (
              <tr className="nhsuk-table__row" key={`${item.dmdCode}-${itemIndex}`} data-testid="prescription-item">
                <td className="nhsuk-table__cell">
                  <strong>{item.medicine}</strong>
                  {item.controlledDrug && (
                    <span className="sc-cd" data-testid="controlled-drug">
                      <strong className="nhsuk-tag nhsuk-tag--red sc-inline-tag">
                        CD{item.controlledDrug.schedule ? ` ${item.controlledDrug.schedule}` : ''}
                      </strong>
                      {item.controlledDrug.quantityInWords && <span className="sc-cd__words"> Quantity in words: {item.controlledDrug.quantityInWords}</span>}
                    </span>
                  )}
                  {item.endorsements.length > 0 && <span className="nhsuk-body-s sc-block">Endorsed: {item.endorsements.join(', ')}</span>}
                </td>
                <td className="nhsuk-table__cell">
                  {item.quantity} {item.unit}
                  {item.issues !== null && <span className="nhsuk-body-s sc-block">{item.issues} issues</span>}
                </td>
                <td className="nhsuk-table__cell">
                  {item.dosage}
                  {item.additionalInstructions && <span className="nhsuk-body-s sc-block">{item.additionalInstructions}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="nhsuk-body-s sc-rx__prescriber">
          Prescriber: {prescriber.name} ({prescriber.professionalCode}), {prescriber.organisation.name} ({prescriber.organisation.odsCode})
          {prescription.prescription.treatmentType ? `. ${prescription.prescription.treatmentType}` : ''}
          {prescription.prescription.shortFormId ? `. Prescription ID ${prescription.prescription.shortFormId}` : ''}
        </p>
        {total > 1 && (
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              id={`select-${id}`}
              type="checkbox"
              checked={selected}
              disabled={disabled}
              onChange={(event) => onSelect(event.target.checked)}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`select-${id}`}>
              Sign this prescription for {patient.name}
            </label>
          </div>
        )}
      </div>
    </article>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}
