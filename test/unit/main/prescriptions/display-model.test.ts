import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, isValidShortFormId } from '../../../../main/prescriptions/display/check-digits.js';
import { display, parsePrescription, prepare } from '../../../../main/prescriptions/prescription.js';
import { prepareCases, signedExample } from '../../../support/eps-corpus.js';

const byName = (part: string) => prepareCases().find((c) => c.name.includes(part))!;
const nurseCd = byName('nurse_prescribing-and-professional-codes_controlled-drugs_additional-instructions_1');

describe('display model of a FHIR prescription', () => {
  const model = display(parsePrescription('fhir-bundle', nurseCd.request));

  it('shows the patient as a clinician reads them, with the NHS number written 3-3-4 and checked', () => {
    expect(model.patient).toEqual({
      name: 'MISS ETTA CORY',
      nhsNumber: '944 930 5552',
      nhsNumberValid: true,
      dateOfBirth: '1999-01-04',
      gender: 'Female',
      address: ['123 Dale Avenue', 'Long Eaton', 'Nottingham', 'NG10 1NP'],
      telephone: [],
      gpPracticeOds: 'B81001',
    });
  });

  it('shows the prescriber, their registration and organisation', () => {
    expect(model.prescriber).toMatchObject({
      name: 'MR Random Userq',
      professionalCode: '12A3456B',
      jobRoleCode: 'S8001:G8001:R8001',
      organisation: { name: 'SOMERSET BOWEL CANCER SCREENING CENTRE', odsCode: 'A99968' },
      parentOrganisation: { name: 'TAUNTON AND SOMERSET NHS FOUNDATION TRUST', odsCode: 'RBA' },
    });
  });

  it('marks the controlled drug, with its schedule and quantity in words', () => {
    expect(model.items[0]).toMatchObject({
      medicine: 'Methotrexate 10mg/0.2ml solution for injection pre-filled syringes',
      dmdCode: '15517911000001104',
      controlledDrug: { schedule: 'Schedule 2', quantityInWords: 'twenty eight' },
      additionalInstructions: '',
    });
    expect(model.items[1]!.controlledDrug).toBeNull();
    expect(model.items[2]!.additionalInstructions).toBe('Dosage has been decreased on advice from the hospital.');
    expect(model.patientInformation).toEqual(['Your medication review is due. Please make an appointment to see your GP.']);
  });

  it('shows prescription facts EPS does not sign, and says they are not signed', () => {
    expect(model.prescription).toMatchObject({ shortFormId: '2C07EF-A99968-46DCBI', shortFormIdValid: true, treatmentType: 'Acute', nominatedPharmacyOds: 'FH542' });
    expect(model.notSigned).toContain('prescription.nominatedPharmacyOds');
  });

  it('shows repeat issues and endorsements', () => {
    const repeat = display(parsePrescription('fhir-bundle', byName('repeat-dispensing_nominated-pharmacy_clinical-practitioner_multiple-medication-requests_prescriber-endorsed_1').request));
    expect(repeat.prescription.treatmentType).toBe('Repeat dispensing');
    expect(repeat.items[0]).toMatchObject({ issues: 6, endorsements: ['SLS'] });
  });

  it("lists the patient's current medication from the medication list", () => {
    const listed = display(parsePrescription('fhir-bundle', byName('medication-list_spurious-code_1').request));
    expect(listed.currentMedication).toEqual(['Bendroflumethiazide 2.5mg tablets (3/6)', 'Salbutamol 100micrograms/dose inhaler CFC free (2/6)']);
  });
});

describe('display model of an HL7 V3 prescription', () => {
  it('reads the same kind of model from a ParentPrescription', () => {
    const model = display(parsePrescription('hl7v3', signedExample('ValidSignature.xml')));
    expect(model.patient).toMatchObject({ name: 'MR DONOTUSE XXTESTPATIENT-TGNP', nhsNumber: '999 054 8609', dateOfBirth: '1932-01-06', gender: 'Male' });
    expect(model.prescription).toMatchObject({ shortFormId: '92DC91-A83008-4DCD88', nominatedPharmacyOds: 'FCG71' });
    expect(model.items.length).toBeGreaterThan(0);
  });
});

describe('one source of truth: every shown, signed value is in the signed bytes', () => {
  for (const testCase of prepareCases()) {
    it(testCase.name, () => {
      const prescription = parsePrescription('fhir-bundle', testCase.request);
      const model = display(prescription);
      const fragments = prepare(prescription, { timestamp: testCase.timestamp }).fragments;
      const signed = [fragments.agentPerson, fragments.recordTarget, ...fragments.lineItems].join('');
      const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      const shownAndSigned = [
        model.patient.nhsNumber.replace(/ /g, ''),
        model.patient.dateOfBirth.replace(/-/g, ''),
        model.patient.gpPracticeOds,
        ...model.patient.address,
        ...model.patient.name.split(' '),
        model.prescriber.professionalCode,
        model.prescriber.organisation.name,
        model.prescriber.organisation.odsCode,
        ...model.prescriber.name.split(' '),
        ...model.items.flatMap((item) => [item.medicine, item.dmdCode, item.quantity, item.unit, item.dosage, ...item.additionalInstructions.split('\n')]),
        ...model.patientInformation,
      ].filter((value) => value !== '');
      for (const value of shownAndSigned) {
        expect(signed, `"${value}" is shown but not signed`).toContain(escape(value));
      }
    });
  }
});

describe('check digits', () => {
  it('NHS numbers: Modulus 11', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    // A remainder that gives check value 10 is never a valid NHS number.
    expect(isValidNhsNumber('0000000400')).toBe(false);
    expect(isValidNhsNumber('0000000401')).toBe(false);
  });

  it('short-form prescription IDs: ISO/IEC 7064 Mod 37-2, including the "+" check character', () => {
    expect(isValidShortFormId('24F5DA-A83008-7EFE6Z')).toBe(true);
    expect(isValidShortFormId('4243A0-A99968-4E149+')).toBe(true);
    expect(isValidShortFormId('24F5DA-A83008-7EFE6Y')).toBe(false);
    // In NHS England's own corpus, one example's check character is wrong; the window flags it.
    expect(isValidShortFormId('561479-395879-521272')).toBe(false);
  });
});
