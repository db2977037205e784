import type { SignedParts } from '../hl7/parent-prescription.js';
import { childElements, descend, firstChild, textOf, type XmlElement } from '../xml/xml-tree.js';
import { formatNhsNumber, isValidNhsNumber, isValidShortFormId } from './check-digits.js';

/**
 * What the clinician reads before signing.
 *
 * Every signed value here is read from the same element trees whose canonical form is hashed, so what is
 * shown cannot drift from what is signed. A few useful facts are not part of EPS's signed fragments
 * (treatment type, nominated pharmacy, short-form id, controlled-drug schedule); they come from the same
 * single reading of the content and are listed in `notSigned`, so the window can say so.
 */
export interface DisplayModel {
  patient: {
    name: string;
    nhsNumber: string;
    nhsNumberValid: boolean;
    dateOfBirth: string;
    gender: string;
    address: string[];
    telephone: string[];
    gpPracticeOds: string;
  };
  prescriber: {
    name: string;
    professionalCode: string;
    jobRoleCode: string | null;
    sdsRoleProfileId: string;
    telephone: string | null;
    organisation: { name: string; odsCode: string; address: string[]; telephone: string | null };
    parentOrganisation: { name: string; odsCode: string } | null;
  };
  prescription: {
    id: string;
    shortFormId: string | null;
    shortFormIdValid: boolean | null;
    treatmentType: string | null;
    nominatedPharmacyOds: string | null;
  };
  items: DisplayItem[];
  /** Information for the patient (the first item's `<patientInfo>`). */
  patientInformation: string[];
  /** The patient's other current medication (the first item's `<medication>` list). */
  currentMedication: string[];
  /** Shown but not covered by the signature (see docs/wysiwys.md). */
  notSigned: string[];
}

export interface DisplayItem {
  medicine: string;
  dmdCode: string;
  quantity: string;
  unit: string;
  dosage: string;
  additionalInstructions: string;
  controlledDrug: { schedule: string | null; quantityInWords: string | null } | null;
  endorsements: string[];
  /** For repeats: how many issues the prescription allows. */
  issues: number | null;
}

/** Facts EPS does not sign, read from the same parse as the signed parts. */
export interface UnsignedFacts {
  shortFormId: string | null;
  treatmentType: string | null;
  nominatedPharmacyOds: string | null;
  controlledDrugSchedules: (string | null)[];
}

const GENDER: Record<string, string> = { '1': 'Male', '2': 'Female', '9': 'Other', '0': 'Unknown' };

export function buildDisplayModel(parts: SignedParts, unsigned: UnsignedFacts): DisplayModel {
  const patient = need(firstChild(parts.recordTarget, 'Patient'));
  const person = need(firstChild(patient, 'patientPerson'));
  const nhsNumber = firstChild(patient, 'id')?.attributes.extension ?? '';
  const agent = parts.agentPerson;
  const organisation = need(firstChild(agent, 'representedOrganization'));
  const parent = descend(organisation, 'healthCareProviderLicense', 'Organization');
  const firstAdditional = parts.lineItems[0] ? additionalText(parts.lineItems[0]) : '';

  const notSigned = ['prescription.shortFormId', 'prescription.treatmentType', 'prescription.nominatedPharmacyOds', 'items.controlledDrug.schedule'];
  return {
    patient: {
      name: nameText(firstChild(person, 'name')),
      nhsNumber: formatNhsNumber(nhsNumber),
      nhsNumberValid: isValidNhsNumber(nhsNumber),
      dateOfBirth: dateText(firstChild(person, 'birthTime')?.attributes.value ?? ''),
      gender: GENDER[firstChild(person, 'administrativeGenderCode')?.attributes.code ?? ''] ?? 'Not known',
      address: addressLines(firstChild(patient, 'addr')),
      telephone: childElements(patient, 'telecom').map((t) => (t.attributes.value ?? '').replace(/^tel:/, '')),
      gpPracticeOds:
        descend(person, 'playedProviderPatient', 'subjectOf', 'patientCareProvision', 'responsibleParty', 'healthCareProvider', 'id')
          ?.attributes.extension ?? '',
    },
    prescriber: {
      name: nameText(descend(agent, 'agentPerson', 'name')),
      professionalCode: descend(agent, 'agentPerson', 'id')?.attributes.extension ?? '',
      jobRoleCode: firstChild(agent, 'code')?.attributes.code ?? null,
      sdsRoleProfileId: firstChild(agent, 'id')?.attributes.extension ?? '',
      telephone: firstChild(agent, 'telecom')?.attributes.value?.replace(/^tel:/, '') ?? null,
      organisation: {
        name: textOf(firstChild(organisation, 'name')) ?? '',
        odsCode: firstChild(organisation, 'id')?.attributes.extension ?? '',
        address: addressLines(firstChild(organisation, 'addr')),
        telephone: firstChild(organisation, 'telecom')?.attributes.value?.replace(/^tel:/, '') ?? null,
      },
      parentOrganisation: parent
        ? { name: textOf(firstChild(parent, 'name')) ?? '', odsCode: firstChild(parent, 'id')?.attributes.extension ?? '' }
        : null,
    },
    prescription: {
      id: parts.id.attributes.root ?? '',
      shortFormId: unsigned.shortFormId,
      shortFormIdValid: unsigned.shortFormId === null ? null : isValidShortFormId(unsigned.shortFormId),
      treatmentType: unsigned.treatmentType,
      nominatedPharmacyOds: unsigned.nominatedPharmacyOds,
    },
    items: parts.lineItems.map((item, index) => displayItem(item, unsigned.controlledDrugSchedules[index] ?? null)),
    patientInformation: tagged(firstAdditional, 'patientInfo'),
    currentMedication: tagged(firstAdditional, 'medication'),
    notSigned,
  };
}

function displayItem(item: XmlElement, schedule: string | null): DisplayItem {
  const material = need(descend(item, 'product', 'manufacturedProduct', 'manufacturedRequestedMaterial', 'code'));
  const quantity = descend(item, 'component', 'lineItemQuantity', 'quantity');
  const translation = quantity ? firstChild(quantity, 'translation') : undefined;
  const additional = additionalText(item).replace(/<(medication|patientInfo)>[^]*?<\/\1>/g, '');
  const words = /^CD: (.*)$/m.exec(additional)?.[1] ?? null;
  const high = descend(item, 'repeatNumber', 'high')?.attributes.value;
  return {
    medicine: material.attributes.displayName ?? '',
    dmdCode: material.attributes.code ?? '',
    quantity: translation?.attributes.value ?? quantity?.attributes.value ?? '',
    unit: translation?.attributes.displayName ?? '',
    dosage: textOf(descend(item, 'pertinentInformation2', 'pertinentDosageInstructions', 'value')) ?? '',
    additionalInstructions: additional.replace(/^CD: .*$\n?/m, '').trim(),
    controlledDrug: schedule !== null || words !== null ? { schedule, quantityInWords: words } : null,
    endorsements: childElements(item, 'pertinentInformation3')
      .map((info) => descend(info, 'pertinentPrescriberEndorsement', 'value')?.attributes.code)
      .filter((code): code is string => code !== undefined),
    issues: high === undefined ? null : Number(high),
  };
}

function additionalText(item: XmlElement): string {
  return textOf(descend(item, 'pertinentInformation1', 'pertinentAdditionalInstructions', 'value')) ?? '';
}

function tagged(text: string, tag: string): string[] {
  return [...text.matchAll(new RegExp(`<${tag}>([^]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

function nameText(name: XmlElement | undefined): string {
  if (!name) {
    return '';
  }
  const parts = ['prefix', 'given', 'family', 'suffix'].flatMap((part) => childElements(name, part).map((p) => textOf(p) ?? ''));
  return parts.length > 0 ? parts.join(' ') : (textOf(name) ?? '');
}

function addressLines(addr: XmlElement | undefined): string[] {
  return addr ? [...childElements(addr, 'streetAddressLine'), ...childElements(addr, 'postalCode')].map((e) => textOf(e) ?? '') : [];
}

function dateText(value: string): string {
  return /^\d{8}/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value;
}

function need(node: XmlElement | undefined): XmlElement {
  if (!node) {
    throw new Error('The signed parts lack an element the display needs');
  }
  return node;
}
