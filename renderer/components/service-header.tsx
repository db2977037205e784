/** The NHS-style header: the service's name only (the NHS logo belongs to NHS organisations). */
export function ServiceHeader() {
  return (
    <header className="nhsuk-header" role="banner">
      <div className="nhsuk-header__container nhsuk-width-container">
        <div className="nhsuk-header__service">
          <span className="nhsuk-header__service-name">Signing Companion</span>
        </div>
      </div>
    </header>
  );
}
