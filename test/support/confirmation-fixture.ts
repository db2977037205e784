import type { ConfirmationView, PrescriptionView } from '../../preload/contract.js';

/** A prescription as the window receives it, with one item, controlled or not. */
export function prescriptionView(patient: string, controlled: boolean): PrescriptionView {
  return {
    patient: { name: patient, nhsNumber: '943 476 5919', nhsNumberValid: true, dateOfBirth: '1 January 1970', gender: 'Female', address: ['1 High Street', 'Leeds'], telephone: [], gpPracticeOds: 'B81001' },
    prescriber: {
      name: 'Dr Sandbox Clinician',
      professionalCode: 'G1234567',
      jobRoleCode: null,
      sdsRoleProfileId: '555000000002',
      telephone: null,
      organisation: { name: 'Sandbox Surgery', odsCode: 'A83008', address: [], telephone: null },
      parentOrganisation: null,
    },
    prescription: { id: 'a5b9dc81-ccf4-4dab-b887-3d88e557febb', shortFormId: '4D6F2C-A83008-4B5D9F', shortFormIdValid: true, treatmentType: 'Acute', nominatedPharmacyOds: null },
    items: [
      controlled
        ? { medicine: 'Morphine 10mg/5ml oral solution', dmdCode: '36128211000001104', quantity: '100', unit: 'ml', dosage: '5ml four times a day', additionalInstructions: '', controlledDrug: { schedule: 'Schedule 2', quantityInWords: 'one hundred millilitres' }, endorsements: [], issues: null }
        : { medicine: 'Amoxicillin 250mg capsules', dmdCode: '39732311000001104', quantity: '21', unit: 'capsule', dosage: 'One three times a day', additionalInstructions: '', controlledDrug: null, endorsements: [], issues: null },
    ],
    patientInformation: [],
    currentMedication: [],
    notSigned: [],
  };
}

export function confirmationView(change: Partial<ConfirmationView> = {}): ConfirmationView {
  return {
    id: '3f1c2c64-6a8f-4a4e-9d3e-0f5b7c1d2e3f',
    clientName: 'Example EPR',
    receivedAt: '2026-12-04T10:00:00.000Z',
    items: [
      { id: 'rx-1', prescription: prescriptionView('Ada LOVELACE', false) },
      { id: 'rx-2', prescription: prescriptionView('Alan TURING', true) },
    ],
    refused: [],
    signer: {
      kind: 'card',
      cards: [{ key: 'SANDBOX/01', tokenLabel: 'SANDBOX TEST CARD', holderName: 'SANDBOX CLINICIAN', uid: '555000000001', validUntil: '2027-12-04T00:00:00.000Z' }],
      chosen: 'SANDBOX/01',
      passcode: { pinPad: false, countLow: false, finalTry: false, minLength: 4, maxLength: 8 },
    },
    stage: 'review',
    pinPadDeadline: null,
    message: null,
    progress: null,
    automatic: false,
    ...change,
  };
}
