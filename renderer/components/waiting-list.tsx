/** Prescriptions waiting for the clinician. Until a prescribing system sends some, it says so plainly. */
export function WaitingList() {
  return (
    <section aria-labelledby="waiting-heading">
      <h1 className="nhsuk-heading-l" id="waiting-heading">
        Prescriptions to sign
      </h1>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>No prescriptions are waiting for your signature.</p>
        <p>When your prescribing system sends prescriptions, they appear here for you to check before you sign.</p>
      </div>
    </section>
  );
}
