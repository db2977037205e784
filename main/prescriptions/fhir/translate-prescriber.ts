import { InvalidContentError } from '../content-error.js';
import { FHIR_SYSTEM, OID } from '../hl7/codes.js';
import { element, type XmlElement } from '../xml/xml-tree.js';
import { asArray, identifierValue, isObject, type Located, type PrescriptionBundle } from './bundle.js';
import { firstOf, hl7Address, hl7Name, hl7Telecom } from './datatypes.js';

/** Professional registrations, in the order EPS prefers them for the prescriber's own id. */
const PROFESSIONAL_CODES = [
  FHIR_SYSTEM.gmc,
  FHIR_SYSTEM.nmc,
  FHIR_SYSTEM.gphc,
  FHIR_SYSTEM.hcpc,
  FHIR_SYSTEM.professionalCode,
  FHIR_SYSTEM.din,
];

export interface Prescriber {
  practitionerRole: Located;
  practitioner: Located;
  organization: Located;
}

export function findPrescriber(bundle: PrescriptionBundle, medicationRequest: Located): Prescriber {
  const practitionerRole = bundle.resolve(medicationRequest, 'requester', 'PractitionerRole');
  return {
    practitionerRole,
    practitioner: bundle.resolve(practitionerRole, 'practitioner', 'Practitioner'),
    organization: bundle.resolve(practitionerRole, 'organization', 'Organization'),
  };
}

/** `author/AgentPerson`: the prescriber, their role and the organisation they prescribe for. */
export function translatePrescriber({ practitionerRole, practitioner, organization }: Prescriber): XmlElement {
  const role = practitionerRole.resource;
  const roleProfileId = identifierValue(role, FHIR_SYSTEM.sdsRoleProfileId);
  if (!roleProfileId) {
    throw new InvalidContentError(`${practitionerRole.path}.identifier`, 'The prescriber has no SDS role profile id');
  }
  const jobRole = asArray(firstOf(role.code) && (firstOf(role.code) as { coding?: unknown }).coding).find(
    (c) => isObject(c) && c.system === FHIR_SYSTEM.jobRoleCode,
  );
  const professionalCode =
    PROFESSIONAL_CODES.map((system) => identifierValue(practitioner.resource, system)).find((v) => v !== undefined) ??
    identifierValue(practitioner.resource, FHIR_SYSTEM.sdsUserId);
  return element('AgentPerson', { classCode: 'AGNT' }, [
    element('id', { root: OID.sdsRoleProfileId, extension: roleProfileId }),
    isObject(jobRole) && typeof jobRole.code === 'string'
      ? element('code', { code: jobRole.code, codeSystem: OID.sdsJobRoleCode })
      : undefined,
    ...asArray(role.telecom).map(hl7Telecom),
    element('agentPerson', { classCode: 'PSN', determinerCode: 'INSTANCE' }, [
      professionalCode ? element('id', { root: OID.professionalCode, extension: professionalCode }) : undefined,
      hl7Name(firstOf(practitioner.resource.name), false),
    ]),
    translateOrganization(organization),
  ]);
}

function translateOrganization(organization: Located): XmlElement {
  const org = organization.resource;
  const ods = identifierValue(org, FHIR_SYSTEM.odsOrganisationCode);
  if (!ods) {
    throw new InvalidContentError(`${organization.path}.identifier`, 'The organisation has no ODS code');
  }
  const partOf = isObject(org.partOf) ? org.partOf : undefined;
  const parentOds = partOf && isObject(partOf.identifier) ? partOf.identifier.value : undefined;
  return element('representedOrganization', { classCode: 'ORG', determinerCode: 'INSTANCE' }, [
    element('id', { root: OID.odsOrganisationCode, extension: ods }),
    element('code', { code: '999', codeSystem: OID.organisationType }),
    typeof org.name === 'string' ? element('name', {}, [org.name]) : undefined,
    ...asArray(org.telecom).map(hl7Telecom),
    ...asArray(org.address).map(hl7Address),
    typeof parentOds === 'string'
      ? element('healthCareProviderLicense', { classCode: 'PROV' }, [
          element('Organization', { classCode: 'ORG', determinerCode: 'INSTANCE' }, [
            element('id', { root: OID.odsOrganisationCode, extension: parentOds }),
            element('code', { code: '999', codeSystem: OID.organisationType }),
            typeof partOf?.display === 'string' ? element('name', {}, [partOf.display]) : undefined,
          ]),
        ])
      : undefined,
  ]);
}
