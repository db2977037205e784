import { FHIR_EXTENSION } from '../hl7/codes.js';
import { asArray, extension, getPath, isObject, stringAt, type PrescriptionBundle } from '../fhir/bundle.js';
import { childElements, descend, type XmlElement } from '../xml/xml-tree.js';
import type { UnsignedFacts } from './display-model.js';

const FHIR_TREATMENT: Record<string, string> = {
  acute: 'Acute',
  continuous: 'Repeat prescribing',
  'continuous-repeat-dispensing': 'Repeat dispensing',
};
const HL7_TREATMENT: Record<string, string> = { '0001': 'Acute', '0002': 'Repeat prescribing', '0003': 'Repeat dispensing' };

export function unsignedFactsFromBundle(bundle: PrescriptionBundle): UnsignedFacts {
  const requests = bundle.all('MedicationRequest');
  const first = requests[0]?.resource;
  const treatment = stringAt(getPath(first, 'courseOfTherapyType.coding[0]'), 'code');
  return {
    shortFormId: stringAt(first, 'groupIdentifier.value') ?? null,
    treatmentType: treatment ? (FHIR_TREATMENT[treatment] ?? treatment) : null,
    nominatedPharmacyOds: stringAt(first, 'dispenseRequest.performer.identifier.value') ?? null,
    controlledDrugSchedules: requests.map(({ resource }) => {
      const schedule = asArray(extension(resource, FHIR_EXTENSION.controlledDrug)?.extension).find(
        (e) => isObject(e) && e.url === 'schedule',
      );
      return stringAt(schedule, 'valueCoding.display') ?? stringAt(schedule, 'valueCoding.code') ?? null;
    }),
  };
}

export function unsignedFactsFromParentPrescription(parentPrescription: XmlElement): UnsignedFacts {
  const prescription = descend(parentPrescription, 'pertinentInformation1', 'pertinentPrescription');
  const shortForm = prescription ? childElements(prescription, 'id')[1]?.attributes.extension : undefined;
  const treatmentCode = prescription
    ? childElements(prescription, 'pertinentInformation5')
        .map((info) => descend(info, 'pertinentPrescriptionTreatmentType', 'value')?.attributes.code)
        .find((code) => code !== undefined)
    : undefined;
  const lineItems = prescription ? childElements(prescription, 'pertinentInformation2') : [];
  return {
    shortFormId: shortForm ?? null,
    treatmentType: treatmentCode ? (HL7_TREATMENT[treatmentCode] ?? treatmentCode) : null,
    nominatedPharmacyOds: prescription
      ? (descend(prescription, 'performer', 'AgentOrgSDS', 'agentOrganizationSDS', 'id')?.attributes.extension ?? null)
      : null,
    // HL7 V3 carries the controlled-drug quantity in words (signed, in the additional instructions) but no schedule.
    controlledDrugSchedules: lineItems.map(() => null),
  };
}
