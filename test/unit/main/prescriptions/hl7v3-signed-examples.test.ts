import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { describe, expect, it } from 'vitest';
import { findParentPrescription, signedParts } from '../../../../main/prescriptions/hl7/parent-prescription.js';
import { parsePrescription, prepare } from '../../../../main/prescriptions/prescription.js';
import { canonicalFragments, fragmentsToBeHashed, HL7_NAMESPACE } from '../../../../main/prescriptions/signature/signed-info.js';
import { canonicalise } from '../../../../main/prescriptions/xml/canonical-xml.js';
import { parseXml } from '../../../../main/prescriptions/xml/safe-xml.js';
import { childElements, isElement } from '../../../../main/prescriptions/xml/xml-tree.js';
import { signedExample } from '../../../support/eps-corpus.js';

const digestValueOf = (xml: string) => /<DigestValue>\s*([^<\s]+)\s*<\/DigestValue>/.exec(xml)?.[1];

describe('HL7 V3 ParentPrescription fragments (EPS verification examples)', () => {
  for (const file of ['ValidSignature.xml', 'SignatureIsInvalid.xml']) {
    it(`reproduces the signed DigestValue of ${file}`, () => {
      const xml = signedExample(file);
      const fragments = fragmentsToBeHashed(canonicalFragments(signedParts(findParentPrescription(parseXml(xml)))));
      expect(createHash('sha1').update(fragments, 'utf8').digest('base64')).toBe(digestValueOf(xml));
    });
  }

  it('prepares an HL7 V3 message with the author time it already carries', () => {
    const prescription = parsePrescription('hl7v3', signedExample('ValidSignature.xml'));
    const prepared = prepare(prescription, { algorithm: 'RS1' });
    expect(prepared.timestamp).toBe('2021-07-26T12:05:22+00:00');
    expect(/<DigestValue>([^<]+)</.exec(prepared.signedInfo)?.[1]).toBe(digestValueOf(signedExample('ValidSignature.xml')));
    expect(() => prepare(prescription, { timestamp: '2021-07-26T12:05:23+00:00' })).toThrow(/already timed/);
    expect(prepare(prescription, { timestamp: '2021-07-26T13:05:22+01:00', algorithm: 'RS1' }).digest).toBe(prepared.digest);
  });

  it("canonicalises FragmentsToBeHashed exactly as EPS's intermediate example shows", () => {
    const tree = parseXml(signedExample('PrepareIntermediate-Hl7V3SignatureFragments.xml'));
    const ours = `<FragmentsToBeHashed>${childElements(tree, 'Fragment')
      .map((fragment) => `<Fragment>${fragment.children.filter(isElement).map((c) => canonicalise(c, HL7_NAMESPACE)).join('')}</Fragment>`)
      .join('')}</FragmentsToBeHashed>`;
    expect(ours).toBe(signedExample('PrepareIntermediate-Hl7V3SignatureFragmentsCanonicalized.txt').trim());
  });

  it('agrees with xml-crypto\'s exclusive c14n on the same fragments', () => {
    const xml = signedExample('PrepareIntermediate-Hl7V3SignatureFragments.xml');
    const document = new DOMParser().parseFromString(xml, 'text/xml');
    const theirs = new ExclusiveCanonicalization().process(document.documentElement as never, {});
    // xml-crypto keeps the source's layout whitespace; ours drops it, as EPS does before hashing.
    expect(theirs.replace(/>\s+</g, '><')).toBe(signedExample('PrepareIntermediate-Hl7V3SignatureFragmentsCanonicalized.txt').trim());
  });
});
