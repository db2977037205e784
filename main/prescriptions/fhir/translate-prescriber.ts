import { InvalidContentError } from '../content-error.js';
import { FHIR_SYSTEM, OID } from '../hl7/codes.js';
import { element, type XmlElement } from '../xml/xml-tree.js';
import { asArray, identifierValue, isObject, type Located, type PrescriptionBundle } from './bundle.js';
import { eachOf, firstOf, hl7Address, hl7Name, hl7Telecom } from './datatypes.js';

/**
 * The registrations that may identify the prescriber as author. Exactly one must be present: EPS refuses
 * none or several. (The spurious code and DIN identify the responsible party, which is not signed.)
 */
const PROFESSIONAL_CODES = [
  FHIR_SYSTEM.gmc,
  FHIR_SYSTEM.gmp,
  FHIR_SYSTEM.nmc,
  FHIR_SYSTEM.gphc,
  FHIR_SYSTEM.hcpc,
  FHIR_SYSTEM.professionalCode,
];

export interface Prescriber {
  practitionerRole: Located;
  practitioner: Located;
  organization: Located;
  /** Present when the prescriber works for a service of the organisation (secondary care). */
  healthcareService: Located | null;
  /** The HealthcareService's Location, which gives its address. */
  location: Located | null;
}

export function findPrescriber(bundle: PrescriptionBundle, medicationRequest: Located): Prescriber {
  const practitionerRole = bundle.resolve(medicationRequest, 'requester', 'PractitionerRole');
  const hasService = asArray(practitionerRole.resource.healthcareService).length > 0;
  const healthcareService = hasService ? bundle.resolve(practitionerRole, 'healthcareService[0]', 'HealthcareService') : null;
  return {
    practitionerRole,
    practitioner: bundle.resolve(practitionerRole, 'practitioner', 'Practitioner'),
    organization: bundle.resolve(practitionerRole, 'organization', 'Organization'),
    healthcareService,
    location: healthcareService ? bundle.resolve(healthcareService, 'location[0]', 'Location') : null,
  };
}

/** `author/AgentPerson`: the prescriber, their role and the organisation they prescribe for. */
export function translatePrescriber(prescriber: Prescriber): XmlElement {
  const { practitionerRole, practitioner, organization } = prescriber;
  const role = practitionerRole.resource;
  const roleProfileId = identifierValue(role, FHIR_SYSTEM.sdsRoleProfileId);
  if (!roleProfileId) {
    throw new InvalidContentError(`${practitionerRole.path}.identifier`, 'The prescriber has no SDS role profile id');
  }
  const codings = asArray(isObject(firstOf(role.code)) ? (firstOf(role.code) as { coding?: unknown }).coding : undefined);
  const jobRole = [FHIR_SYSTEM.jobRoleCode, FHIR_SYSTEM.jobRoleName]
    .map((system) => codings.find((c) => isObject(c) && c.system === system))
    .find((c) => c !== undefined);
  const telecomSource = role.telecom !== undefined ? practitionerRole : practitioner.resource.telecom !== undefined ? practitioner : organization;
  return element('AgentPerson', { classCode: 'AGNT' }, [
    element('id', { root: OID.sdsRoleProfileId, extension: roleProfileId }),
    isObject(jobRole) && typeof jobRole.code === 'string'
      ? element('code', { code: jobRole.code, codeSystem: OID.sdsJobRoleCode })
      : undefined,
    ...eachOf(telecomSource.resource.telecom, `${telecomSource.path}.telecom`, hl7Telecom),
    element('agentPerson', { classCode: 'PSN', determinerCode: 'INSTANCE' }, [
      element('id', { root: OID.professionalCode, extension: professionalCode(practitioner) }),
      hl7Name(firstOf(practitioner.resource.name), `${practitioner.path}.name[0]`),
    ]),
    representedOrganization(prescriber),
  ]);
}

function professionalCode(practitioner: Located): string {
  const found: [string, string][] = [];
  for (const system of PROFESSIONAL_CODES) {
    const value = identifierValue(practitioner.resource, system);
    if (value !== undefined) {
      found.push([system, value]);
    }
  }
  if (found.length !== 1) {
    throw new InvalidContentError(
      `${practitioner.path}.identifier`,
      found.length === 0
        ? 'The prescriber has no professional registration (GMC, GMP, NMC, GPhC, HCPC or professional code)'
        : 'The prescriber has more than one professional registration; EPS accepts exactly one',
    );
  }
  const [system, value] = found[0]!;
  // GMC numbers are sometimes written with a leading "C"; EPS signs the number without it.
  return system === FHIR_SYSTEM.gmc && /^c/i.test(value) ? value.slice(1) : value;
}

/** The cost centre: the HealthcareService where there is one, else the Organization; its licence holder is the parent. */
function representedOrganization({ practitionerRole, organization, healthcareService, location }: Prescriber): XmlElement {
  const centre = healthcareService ?? organization;
  const ods = identifierValue(centre.resource, FHIR_SYSTEM.odsOrganisationCode);
  if (!ods) {
    throw new InvalidContentError(`${centre.path}.identifier`, 'The prescribing organisation has no ODS code');
  }
  if (typeof centre.resource.name !== 'string') {
    throw new InvalidContentError(`${centre.path}.name`, 'The prescribing organisation has no name');
  }
  const telecom = healthcareService
    ? (firstOf(centre.resource.telecom) ?? firstOf(practitionerRole.resource.telecom))
    : firstOf(centre.resource.telecom);
  const address = location ? location.resource.address : firstOf(organization.resource.address);
  return element('representedOrganization', { classCode: 'ORG', determinerCode: 'INSTANCE' }, [
    element('id', { root: OID.odsOrganisationCode, extension: ods }),
    element('code', { code: '999', codeSystem: OID.organisationType }),
    element('name', {}, [centre.resource.name]),
    hl7Telecom(telecom, `${centre.path}.telecom[0]`),
    hl7Address(address, location ? `${location.path}.address` : `${organization.path}.address[0]`),
    element('healthCareProviderLicense', { classCode: 'PROV' }, [licenceHolder(organization)]),
  ]);
}

function licenceHolder(organization: Located): XmlElement {
  const org = organization.resource;
  const partOf = isObject(org.partOf) ? org.partOf : undefined;
  const parentOds = partOf && isObject(partOf.identifier) ? partOf.identifier.value : undefined;
  const [ods, name] =
    typeof parentOds === 'string'
      ? [parentOds, partOf?.display]
      : [identifierValue(org, FHIR_SYSTEM.odsOrganisationCode), org.name];
  return element('Organization', { classCode: 'ORG', determinerCode: 'INSTANCE' }, [
    element('id', { root: OID.odsOrganisationCode, extension: typeof ods === 'string' ? ods : undefined }),
    element('code', { code: '999', codeSystem: OID.organisationType }),
    typeof name === 'string' ? element('name', {}, [name]) : undefined,
  ]);
}
