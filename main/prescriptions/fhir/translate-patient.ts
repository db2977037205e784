import { InvalidContentError } from '../content-error.js';
import { FHIR_SYSTEM, OID } from '../hl7/codes.js';
import { element, type XmlElement } from '../xml/xml-tree.js';
import { identifierValue, isObject, type Located } from './bundle.js';
import { eachOf, firstOf, hl7Address, hl7Name, hl7Telecom } from './datatypes.js';

const GENDER: Record<string, string> = { male: '1', female: '2', other: '9', unknown: '0' };

/** `recordTarget`: the patient, their addresses, contact details and GP practice. */
export function translatePatient(patient: Located): XmlElement {
  const p = patient.resource;
  const at = (field: string) => `${patient.path}.${field}`;
  const nhsNumber = identifierValue(p, FHIR_SYSTEM.nhsNumber);
  if (!nhsNumber) {
    throw new InvalidContentError(at('identifier'), 'The patient has no NHS number');
  }
  const gender = typeof p.gender === 'string' && Object.hasOwn(GENDER, p.gender) ? GENDER[p.gender] : undefined;
  if (!gender) {
    throw new InvalidContentError(at('gender'), 'The patient has no valid gender');
  }
  if (typeof p.birthDate !== 'string' || !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(p.birthDate)) {
    throw new InvalidContentError(at('birthDate'), 'The patient has no valid date of birth');
  }
  const gp = firstOf(p.generalPractitioner);
  const gpOds = isObject(gp) && isObject(gp.identifier) ? gp.identifier.value : undefined;
  if (typeof gpOds !== 'string') {
    throw new InvalidContentError(at('generalPractitioner'), 'The patient has no GP practice');
  }
  return element('recordTarget', { typeCode: 'RCT' }, [
    element('Patient', { classCode: 'PAT' }, [
      element('id', { root: OID.nhsNumber, extension: nhsNumber }),
      ...eachOf(p.address, at('address'), hl7Address),
      ...eachOf(p.telecom, at('telecom'), hl7Telecom),
      element('patientPerson', { classCode: 'PSN', determinerCode: 'INSTANCE' }, [
        ...eachOf(p.name, at('name'), hl7Name),
        element('administrativeGenderCode', { code: gender, codeSystem: OID.gender }),
        element('birthTime', { value: p.birthDate.replace(/-/g, '') }),
        element('playedProviderPatient', { classCode: 'PAT' }, [
          element('subjectOf', { typeCode: 'SBJ' }, [
            element('patientCareProvision', { classCode: 'PCPR', moodCode: 'EVN' }, [
              element('code', { code: '1', codeSystem: OID.patientCareProvisionType }),
              element('responsibleParty', { typeCode: 'RESP' }, [
                element('healthCareProvider', { classCode: 'PROV' }, [
                  element('id', { root: OID.odsOrganisationCode, extension: gpOds }),
                ]),
              ]),
            ]),
          ]),
        ]),
      ]),
    ]),
  ]);
}
