import fs from 'node:fs/promises';
import type { DisplayModel } from '../prescriptions/display/display-model.js';
import { display, parsePrescription } from '../prescriptions/prescription.js';
import { formatOf } from './prepare-command.js';

/** `signing-companion show <file>`: the prescription as the clinician would read it before signing. */
export async function showCommand(file: string, { json }: { json: boolean }): Promise<number> {
  const content = await fs.readFile(file, 'utf8');
  const model = display(parsePrescription(formatOf(content), content));
  process.stdout.write(json ? `${JSON.stringify(model, null, 2)}\n` : renderText(model));
  return 0;
}

export function renderText(model: DisplayModel): string {
  const { patient, prescriber, prescription } = model;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(22)}${value}`);
  lines.push('PATIENT');
  row('Name', patient.name);
  row('NHS number', `${patient.nhsNumber}${patient.nhsNumberValid ? '' : '  (CHECK DIGIT WRONG)'}`);
  row('Date of birth', patient.dateOfBirth);
  row('Gender', patient.gender);
  row('Address', patient.address.join(', '));
  if (patient.telephone.length > 0) {
    row('Telephone', patient.telephone.join(', '));
  }
  row('GP practice', patient.gpPracticeOds);
  lines.push('', 'PRESCRIBER');
  row('Name', prescriber.name);
  row('Professional code', prescriber.professionalCode);
  if (prescriber.telephone) {
    row('Telephone', prescriber.telephone);
  }
  row('Organisation', `${prescriber.organisation.name} (${prescriber.organisation.odsCode})`);
  row('', prescriber.organisation.address.join(', '));
  if (prescriber.organisation.telephone) {
    row('', `Telephone ${prescriber.organisation.telephone}`);
  }
  if (prescriber.parentOrganisation) {
    row('Part of', `${prescriber.parentOrganisation.name} (${prescriber.parentOrganisation.odsCode})`);
  }
  lines.push('', 'PRESCRIPTION');
  row('Prescription ID', `${prescription.shortFormId ?? '(none)'}${prescription.shortFormIdValid === false ? '  (CHECK CHARACTER WRONG)' : ''}`);
  row('Treatment type', prescription.treatmentType ?? '(not given)');
  row('Nominated pharmacy', prescription.nominatedPharmacyOds ?? '(none)');
  model.items.forEach((item, index) => {
    lines.push('', `ITEM ${index + 1}${item.controlledDrug ? `  [CONTROLLED DRUG${item.controlledDrug.schedule ? `: ${item.controlledDrug.schedule}` : ''}]` : ''}`);
    row('Medicine', `${item.medicine} (dm+d ${item.dmdCode})`);
    row('Quantity', `${item.quantity} ${item.unit}${item.controlledDrug?.quantityInWords ? ` (${item.controlledDrug.quantityInWords})` : ''}`);
    row('Dosage', item.dosage);
    if (item.additionalInstructions) {
      row('Additional', item.additionalInstructions.replace(/\n/g, ' / '));
    }
    if (item.endorsements.length > 0) {
      row('Endorsements', item.endorsements.join(', '));
    }
    if (item.issues !== null) {
      row('Issues', String(item.issues));
    }
  });
  if (model.patientInformation.length > 0) {
    lines.push('', 'INFORMATION FOR THE PATIENT', ...model.patientInformation.map((text) => `  ${text}`));
  }
  if (model.currentMedication.length > 0) {
    lines.push('', 'CURRENT MEDICATION', ...model.currentMedication.map((text) => `  ${text}`));
  }
  lines.push('', 'Not covered by the signature: prescription ID, treatment type, nominated pharmacy, controlled-drug schedule.');
  return `${lines.join('\n')}\n`;
}
