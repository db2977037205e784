import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePrescription, prepare } from '../../../../main/prescriptions/prescription.js';
import { assembleSignature, provenanceSignatureData, signatureText } from '../../../../main/prescriptions/signature/xmldsig.js';
import { verifyContent } from '../../../../main/prescriptions/verify-content.js';
import { EPS_CORPUS, prepareCases, signedExample } from '../../../support/eps-corpus.js';
import { signedBundle as signedBundleOf } from '../../../support/signed-bundle.js';

describe('verify: EPS verification examples (HL7 V3)', () => {
  it('ValidSignature.xml is valid: RSA verifies, digest matches, certificate valid at author/time', () => {
    const verdict = verifyContent('hl7v3', signedExample('ValidSignature.xml'));
    expect(verdict).toMatchObject({ valid: true, signatureValid: true, digestMatches: true, algorithm: 'RS1', signedAt: '2021-07-26T12:05:22+00:00', errors: [] });
    expect(verdict.certificate?.issuer).toContain('NHS INT Level 2D');
  });

  it('SignatureIsInvalid.xml: the content is what was signed, but the RSA value is wrong', () => {
    expect(verifyContent('hl7v3', signedExample('SignatureIsInvalid.xml'))).toMatchObject({
      valid: false,
      signatureValid: false,
      digestMatches: true,
      errors: ['The signature value does not verify with the certificate.'],
    });
  });

  it('the ARL examples are invalid here too, each for the reasons listed', () => {
    // Their signature values were made for other content; one certificate had expired by author/time.
    expect(verifyContent('hl7v3', signedExample('SignatureCertCaOnArl.xml'))).toMatchObject({ valid: false, signatureValid: false, digestMatches: false });
    const notOnArl = verifyContent('hl7v3', signedExample('SignatureCertCaNotOnArl.xml'));
    expect(notOnArl).toMatchObject({ valid: false, signatureValid: false, digestMatches: true });
    expect(notOnArl.errors).toContain('The certificate was not valid at the signing time 2021-07-26T12:05:22+00:00.');
  });
});

describe('verify: signed Bundles in the corpus (process-request-send.json)', () => {
  // The corpus README: these were signed before later edits of the examples, so no DigestValue matches the
  // content; the RSA value over the SignedInfo still verifies in 21 of 29. The other 8 carry an empty
  // certificate (6) or a Signature without SignedInfo (2). Each case's verdict is pinned below.
  const noCertificate = [
    'primary-care_acute_nominated-pharmacy_medical-prescriber_1',
    'primary-care_acute_nominated-pharmacy_responsible-party-org_3',
    'primary-care_acute_nominated-pharmacy_responsible-party-org_separate-telecom_1',
    'primary-care_repeat-prescribing_1',
    'secondary-care_community_acute_nominated-pharmacy_clinical-practitioner_1',
    'secondary-care_homecare_acute_nominated-pharmacy_clinical-practitioner_5',
  ];
  const noSignedInfo = [
    'secondary-care_homecare_acute_nominated-pharmacy_concurrent-dosage-instructions_1',
    'secondary-care_homecare_acute_nominated-pharmacy_consecutive-dosage-instructions_1',
  ];
  for (const { name } of prepareCases()) {
    const expected = noCertificate.includes(name)
      ? 'The signature carries no certificate.'
      : noSignedInfo.includes(name)
        ? 'The signature has no SignedInfo.'
        : 'The signed digest does not match the prescription content: it was signed over something else.';
    it(`${name}: ${expected}`, () => {
      const content = fs.readFileSync(path.join(EPS_CORPUS, 'prepare', name, 'process-request-send.json'), 'utf8');
      const verdict = verifyContent('fhir-bundle', content);
      expect(verdict.valid).toBe(false);
      expect(verdict.digestMatches).toBe(false);
      expect(verdict.signatureValid).toBe(!noCertificate.includes(name) && !noSignedInfo.includes(name));
      expect(verdict.errors).toContain(expected);
    });
  }
});

describe('assemble, embed and verify a signature made here', () => {
  // A key and certificate made with openssl, like a card's: the round trip must come back valid.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-sign-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`,
    '-days', '30', '-subj', '/O=Test/CN=555000000001_TEST_PRESCRIBER', '-addext', 'keyUsage=critical,nonRepudiation'], { stdio: 'ignore' });
  const privateKey = createPrivateKey(fs.readFileSync(`${dir}/key.pem`));
  const certificate = new X509Certificate(fs.readFileSync(`${dir}/cert.pem`));
  const testCase = prepareCases()[3]!;
  const now = new Date().toISOString();
  const prepared = prepare(parsePrescription('fhir-bundle', testCase.request), { timestamp: now, algorithm: 'RS256' });
  const signatureValue = sign('sha256', Buffer.from(prepared.signedInfo, 'utf8'), privateKey);
  const signature = assembleSignature(prepared.signedInfo, signatureValue, certificate.raw);

  const signedBundle = (data: string, when: string) => signedBundleOf(testCase.request, data, when);

  it('writes the SignedInfo without its xmlns and the certificate as one line of base64 DER', () => {
    expect(signature.startsWith('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod')).toBe(true);
    expect(signature).toContain(`<SignatureValue>${signatureValue.toString('base64')}</SignatureValue>`);
    expect(signature).toContain(`<X509Certificate>${certificate.raw.toString('base64')}</X509Certificate>`);
    expect(Buffer.from(provenanceSignatureData(signature), 'base64').toString('utf8')).toBe(signature);
  });

  it('verifies as valid in a Bundle signed at the prepare timestamp', () => {
    const verdict = verifyContent('fhir-bundle', signedBundle(provenanceSignatureData(signature), prepared.timestamp));
    expect(verdict).toMatchObject({ valid: true, signatureValid: true, digestMatches: true, algorithm: 'RS256', errors: [] });
    expect(verdict.certificate?.subject).toContain('555000000001_TEST_PRESCRIBER');
  });

  it('an HL7 V3 message signed here and carried in author/signatureText verifies as valid', () => {
    const original = signedExample('ValidSignature.xml');
    const hl7 = prepare(parsePrescription('hl7v3', original), { algorithm: 'RS256' });
    const value = sign('sha256', Buffer.from(hl7.signedInfo, 'utf8'), privateKey);
    const resigned = original.replace(/<signatureText>[^]*<\/signatureText>/, signatureText(assembleSignature(hl7.signedInfo, value, certificate.raw)));
    expect(resigned).not.toBe(original);
    // The certificate is a month old at most, and ValidSignature.xml was timed in 2021: only that fails.
    expect(verifyContent('hl7v3', resigned)).toMatchObject({ signatureValid: true, digestMatches: true, algorithm: 'RS256' });
  });

  it('is not valid when the Provenance time differs from the prepare timestamp (author/time is signed)', () => {
    const later = new Date(Date.parse(now) + 60_000).toISOString();
    const verdict = verifyContent('fhir-bundle', signedBundle(provenanceSignatureData(signature), later));
    expect(verdict).toMatchObject({ valid: false, signatureValid: true, digestMatches: false });
  });
});
