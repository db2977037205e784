import { describe, expect, it } from 'vitest';
import { compareDigest } from '../../../../main/prescriptions/digest-check.js';
import { parsePrescription, prepare } from '../../../../main/prescriptions/prescription.js';
import { prepareCases } from '../../../support/eps-corpus.js';

const base = prepareCases().find((c) => c.name.includes('nurse_prescribing-and-professional-codes_controlled-drugs_additional-instructions_1'))!;
type Json = Record<string, unknown>;
const digestOf = (bundle: unknown) =>
  prepare(parsePrescription('fhir-bundle', JSON.stringify(bundle)), { timestamp: base.timestamp, algorithm: base.algorithm }).digest;

function edited(change: (resources: Record<string, Json[]>) => void): unknown {
  const bundle = JSON.parse(base.request) as { entry: { resource: Json }[] };
  const byType: Record<string, Json[]> = {};
  for (const { resource } of bundle.entry) {
    (byType[resource.resourceType as string] ??= []).push(resource);
  }
  change(byType);
  return bundle;
}

// Every value the clinician reads on the confirmation screen, changed one at a time.
const shownValues: [string, (r: Record<string, Json[]>) => void][] = [
  ['patient family name', (r) => ((r.Patient![0]!.name as Json[])[0]!.family = 'SMITH')],
  ['patient NHS number', (r) => ((r.Patient![0]!.identifier as Json[])[0]!.value = '9449304130')],
  ['patient date of birth', (r) => (r.Patient![0]!.birthDate = '1948-04-29')],
  ['patient gender', (r) => (r.Patient![0]!.gender = 'male')],
  ['patient address', (r) => (((r.Patient![0]!.address as Json[])[0]!.line as string[])[0] = '11 HEATHFIELD')],
  ['GP practice', (r) => (((r.Patient![0]!.generalPractitioner as Json[])[0]!.identifier as Json).value = 'Y90001')],
  ['prescriber name', (r) => ((r.Practitioner![0]!.name as Json[])[0]!.family = 'Jones')],
  ['prescriber professional code', (r) => ((r.Practitioner![0]!.identifier as Json[])[1]!.value = '12A3456C')],
  ['prescriber organisation', (r) => (r.Organization![0]!.name = 'ANOTHER HOSPITAL')],
  ['medicine', (r) => (((r.MedicationRequest![0]!.medicationCodeableConcept as Json).coding as Json[])[0]!.code = '39732311000001104')],
  ['quantity', (r) => (((r.MedicationRequest![0]!.dispenseRequest as Json).quantity as Json).value = 29)],
  ['dosage instructions', (r) => ((r.MedicationRequest![0]!.dosageInstruction as Json[])[0]!.text = 'Inject 20 milligram')],
  ['controlled-drug quantity in words', (r) => (((r.MedicationRequest![0]!.extension as Json[])[1]!.extension as Json[])[0]!.valueString = 'twenty nine')],
  ['additional instructions', (r) => ((r.MedicationRequest![2]!.note as Json[])[0]!.text = 'Dose increased.')],
  ['patient information', (r) => ((r.CommunicationRequest![0]!.payload as Json[])[0]!.contentString = 'Call the surgery.')],
];

describe('what the clinician sees is what is signed', () => {
  const original = digestOf(edited(() => undefined));

  it("the unchanged content gives EPS's digest", () => {
    expect(original).toBe(base.digest);
  });

  for (const [what, change] of shownValues) {
    it(`changing the ${what} changes the digest`, () => {
      expect(digestOf(edited(change))).not.toBe(original);
    });
  }
});

describe('compareDigest', () => {
  const prepared = prepare(parsePrescription('fhir-bundle', base.request), { timestamp: base.timestamp, algorithm: base.algorithm });

  it("accepts EPS's own digest for the content shown", () => {
    expect(compareDigest(prepared, base.digest)).toEqual({ matches: true });
  });

  it('says the content differs when the caller prepared other content', () => {
    const other = digestOf(edited(shownValues[0]![1]));
    expect(compareDigest(prepared, other)).toMatchObject({ matches: false, difference: 'content' });
  });

  it('says the form differs when only the algorithm does', () => {
    const sha1 = prepare(parsePrescription('fhir-bundle', base.request), { timestamp: base.timestamp, algorithm: 'RS1' });
    expect(compareDigest(prepared, sha1.digest)).toMatchObject({ matches: false, difference: 'content' });
    const relabelled = Buffer.from(prepared.signedInfo.replace('xmldsig-more#rsa-sha256', 'xmldsig#rsa-sha1')).toString('base64');
    expect(compareDigest(prepared, relabelled)).toMatchObject({ matches: false, difference: 'signed-info-form' });
  });

  it('says when the value is not a SignedInfo at all', () => {
    expect(compareDigest(prepared, Buffer.from('hello').toString('base64'))).toMatchObject({ difference: 'not-signed-info' });
  });
});
