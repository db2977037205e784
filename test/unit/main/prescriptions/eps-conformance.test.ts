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
