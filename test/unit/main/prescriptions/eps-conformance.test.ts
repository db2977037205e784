import { describe, expect, it } from 'vitest';
import { findParentPrescription, signedParts } from '../../../../main/prescriptions/hl7/parent-prescription.js';
import { parsePrescription, prepare } from '../../../../main/prescriptions/prescription.js';
import { canonicalFragments, type CanonicalFragments } from '../../../../main/prescriptions/signature/signed-info.js';
import { parseXml } from '../../../../main/prescriptions/xml/safe-xml.js';
import { prepareCases, type PrepareCase } from '../../../support/eps-corpus.js';

const cases = prepareCases();

/** Where ours and EPS's own HL7 translation part ways: the fragment's name and the text around it. */
function explainDifference(testCase: PrepareCase, ours: CanonicalFragments): string {
  if (!testCase.convertedXml) {
    return 'the corpus has no HL7 V3 translation of this case to compare fragments with';
  }
  const theirs = canonicalFragments(signedParts(findParentPrescription(parseXml(testCase.convertedXml))));
  const pairs: [string, string, string][] = [
    ['prescription id', ours.timeAndId.replace(/<time[^>]*><\/time>/, ''), theirs.timeAndId.replace(/<time[^>]*><\/time>/, '')],
    ['prescriber (AgentPerson)', ours.agentPerson, theirs.agentPerson],
    ['patient (recordTarget)', ours.recordTarget, theirs.recordTarget],
    ...ours.lineItems.map((item, i): [string, string, string] => [`line item ${i + 1}`, item, theirs.lineItems[i] ?? '(none)']),
  ];
  for (const [name, a, b] of pairs) {
    if (a !== b) {
      let at = 0;
      while (at < a.length && a[at] === b[at]) {
        at++;
      }
      return `${name} differs at character ${at}:\n  ours:   …${a.slice(Math.max(0, at - 80), at + 80)}\n  EPS's:  …${b.slice(Math.max(0, at - 80), at + 80)}`;
    }
  }
  return 'every fragment equals EPS\'s HL7 translation of the signed version; the prepare request itself differs from it';
}

describe('EPS $prepare conformance (NHS England corpus)', () => {
  it('has the whole corpus to check against', () => {
    expect(cases.length).toBe(29);
  });

  for (const testCase of cases) {
    it(`computes EPS's digest byte for byte: ${testCase.name}`, () => {
      const prepared = prepare(parsePrescription('fhir-bundle', testCase.request), {
        timestamp: testCase.timestamp,
        algorithm: testCase.algorithm,
      });
      if (prepared.digest !== testCase.digest) {
        expect.fail(explainDifference(testCase, prepared.fragments));
      }
      expect(prepared.timestamp).toBe(testCase.timestamp);
      expect(prepared.algorithm).toBe(testCase.algorithm);
    });
  }
});

describe('HL7 V3 interaction PORX_IN020101SM31 (EPS translation of the signed version of each case)', () => {
  // EPS's own HL7 for the same prescription: read through the interaction wrapper, it must yield the same
  // signed parts as the companion's translation of the Bundle. In one case the signed version carries a
  // different prescription id from the prepare request (multiple-drugs_2), which is why its prepare digest
  // cannot be reproduced from the HL7.
  const edited = 'secondary-care_community_acute_nominated-pharmacy_clinical-practitioner_multiple-drugs_2';
  for (const testCase of cases.filter((c) => c.convertedXml !== null)) {
    it(`reads the same prescriber, patient and items from EPS's HL7: ${testCase.name}`, () => {
      const fromHl7 = parsePrescription('hl7v3', testCase.convertedXml!);
      const fromFhir = parsePrescription('fhir-bundle', testCase.request);
      const time = fromHl7.fixedAuthorTime!;
      const hl7 = canonicalFragments(fromHl7.parts(time));
      const fhir = canonicalFragments(fromFhir.parts(time));
      expect(hl7.agentPerson).toBe(fhir.agentPerson);
      expect(hl7.recordTarget).toBe(fhir.recordTarget);
      expect(hl7.lineItems).toEqual(fhir.lineItems);
      if (testCase.name === edited) {
        expect(hl7.timeAndId).not.toBe(fhir.timeAndId);
      } else {
        expect(hl7.timeAndId).toBe(fhir.timeAndId);
      }
    });
  }
});
