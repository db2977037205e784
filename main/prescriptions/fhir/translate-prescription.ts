import { InvalidContentError } from '../content-error.js';
import { FHIR_EXTENSION, FHIR_SYSTEM } from '../hl7/codes.js';
import { forSigning, type SignedParts } from '../hl7/parent-prescription.js';
import { element } from '../xml/xml-tree.js';
import { asArray, extension, getPath, isObject, stringAt, type PrescriptionBundle } from './bundle.js';
import { findPrescriber, translatePrescriber } from './translate-prescriber.js';
import { translatePatient } from './translate-patient.js';
import { translateLineItem } from './translate-line-item.js';

/**
 * The parts of the HL7 V3 ParentPrescription that EPS signs, translated from a prescription-order Bundle.
 *
 * `authorTime` is the HL7 form of the signing time (`$prepare`'s timestamp, or Provenance.signature.when).
 */
export function signedPartsFromBundle(bundle: PrescriptionBundle, authorTime: string): SignedParts {
  const requests = bundle.all('MedicationRequest');
  const [first] = requests;
  if (!first) {
    throw new InvalidContentError('entry', 'The Bundle has no MedicationRequest');
  }
  const prescriptionId = stringAt(
    extension(getPath(first.resource, 'groupIdentifier'), FHIR_EXTENSION.prescriptionId),
    'valueIdentifier.value',
  );
  if (!prescriptionId) {
    throw new InvalidContentError(`${first.path}.groupIdentifier`, 'The prescription has no prescription id');
  }
  const shortForm = stringAt(first.resource, 'groupIdentifier.value');
  requests.forEach((request) => {
    if (stringAt(request.resource, 'groupIdentifier.value') !== shortForm || stringAt(request.resource, 'groupIdentifier.system') !== FHIR_SYSTEM.prescriptionOrderNumber) {
      throw new InvalidContentError(`${request.path}.groupIdentifier`, 'Every MedicationRequest must belong to the same prescription');
    }
  });
  const medicationList = bundle
    .all('List')
    .flatMap((list) => asArray(list.resource.entry))
    .map((entry) => stringAt(entry, 'item.display'))
    .filter((display): display is string => display !== undefined)
    .map((display) => `<medication>${display}</medication>`)
    .join('');
  const patientInfo = medicationList + bundle
    .all('CommunicationRequest')
    .flatMap((c) => asArray(c.resource.payload))
    .map((p) => (isObject(p) && typeof p.contentString === 'string' ? `<patientInfo>${p.contentString}</patientInfo>` : ''))
    .join('');
  return {
    time: element('time', { value: authorTime }),
    id: element('id', { root: prescriptionId.toUpperCase() }),
    agentPerson: translatePrescriber(findPrescriber(bundle, first)),
    recordTarget: translatePatient(bundle.resolve(first, 'subject', 'Patient')),
    lineItems: requests.map((request, index) => forSigning(translateLineItem(request, { patientInfo, isFirst: index === 0, bundle }))),
  };
}

/** HL7 V3 `TS` form of an ISO 8601 instant, in UTC: YYYYMMDDHHMMSS. */
export function hl7Time(iso: string): string {
  const date = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso) || Number.isNaN(date.getTime())) {
    throw new InvalidContentError('timestamp', `"${iso}" is not an ISO 8601 time with a time zone`);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** ISO 8601 (UTC, as EPS writes it) of an HL7 V3 `TS` time: the inverse of hl7Time. */
export function isoFromHl7(time: string): string {
  return `${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)}T${time.slice(8, 10)}:${time.slice(10, 12)}:${time.slice(12, 14)}+00:00`;
}
