import { createHash, verify as rsaVerify, X509Certificate } from 'node:crypto';
import { InvalidContentError } from '../content-error.js';
import { asArray, isObject, stringAt, type PrescriptionBundle } from '../fhir/bundle.js';
import { hl7Time, isoFromHl7 } from '../fhir/translate-prescription.js';
import type { Prescription } from '../prescription.js';
import { parseXml } from '../xml/safe-xml.js';
import { canonicalise } from '../xml/canonical-xml.js';
import { descend, firstChild, textOf, type XmlElement } from '../xml/xml-tree.js';
import { canonicalFragments, fragmentsToBeHashed, XMLDSIG_NAMESPACE, type SignatureAlgorithm } from './signed-info.js';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
}

export interface Verdict {
  valid: boolean;
  /** The RSA signature over the SignedInfo verifies with the certificate in KeyInfo. */
  signatureValid: boolean;
  /** The SignedInfo's DigestValue is the digest of the prescription as it stands, signed at `signedAt`. */
  digestMatches: boolean;
  algorithm: SignatureAlgorithm | null;
  signedAt: string | null;
  certificate: CertificateSummary | null;
  errors: string[];
}

const SIGNATURE_METHODS: Record<string, { algorithm: SignatureAlgorithm; hash: 'sha1' | 'sha256' }> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { algorithm: 'RS1', hash: 'sha1' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { algorithm: 'RS256', hash: 'sha256' },
};
const DIGEST_METHODS: Record<string, 'sha1' | 'sha256'> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
};

/** Where a signed prescription keeps its signature and signing time. */
export interface EmbeddedSignature {
  signature: XmlElement;
  /** HL7 `TS` form of the signing time. */
  authorTime: string;
}

/** The Signature in `author/signatureText` and the `author/time` of an HL7 V3 ParentPrescription. */
export function signatureFromParentPrescription(parentPrescription: XmlElement): EmbeddedSignature {
  const author = descend(parentPrescription, 'pertinentInformation1', 'pertinentPrescription', 'author');
  const signature = author ? descend(author, 'signatureText', 'Signature') : undefined;
  const time = author ? firstChild(author, 'time')?.attributes.value : undefined;
  if (!signature || !time) {
    throw new InvalidContentError('/ParentPrescription/pertinentInformation1/pertinentPrescription/author/signatureText', 'The prescription carries no signature');
  }
  return { signature, authorTime: time };
}

/** The requester's signature in a Bundle's Provenance, and its `when` as the signing time. */
export function signatureFromBundle(bundle: PrescriptionBundle): EmbeddedSignature {
  const requester = stringAt(bundle.one('MedicationRequest').resource, 'requester.reference');
  for (const provenance of bundle.all('Provenance')) {
    for (const [index, signature] of asArray(provenance.resource.signature).entries()) {
      if (isObject(signature) && stringAt(signature, 'who.reference') === requester) {
        const path = `${provenance.path}.signature[${index}]`;
        const data = stringAt(signature, 'data');
        const when = stringAt(signature, 'when');
        if (!data || !when) {
          throw new InvalidContentError(path, 'The signature has no data or no time');
        }
        return { signature: parseXml(Buffer.from(data, 'base64').toString('utf8')), authorTime: hl7Time(when) };
      }
    }
  }
  throw new InvalidContentError('entry', "The Bundle has no Provenance signature by the prescription's requester");
}

/**
 * Checks a signed prescription: the RSA signature over the SignedInfo, the SignedInfo's digest against
 * fragments recomputed from the content (with author/time as the signing time), and the certificate's
 * validity at that time. Every failure is listed; nothing is thrown for a signature that is merely wrong.
 */
export function verifySignature(prescription: Prescription, embedded: EmbeddedSignature): Verdict {
  const errors: string[] = [];
  const signedAt = isoFromHl7(embedded.authorTime);
  const signedInfo = firstChild(embedded.signature, 'SignedInfo');
  if (embedded.signature.name !== 'Signature' || !signedInfo) {
    return { valid: false, signatureValid: false, digestMatches: false, algorithm: null, signedAt, certificate: null, errors: ['The signature has no SignedInfo.'] };
  }
  const method = SIGNATURE_METHODS[firstChild(signedInfo, 'SignatureMethod')?.attributes.Algorithm ?? ''];
  const digestHash = DIGEST_METHODS[descend(signedInfo, 'Reference', 'DigestMethod')?.attributes.Algorithm ?? ''];
  const digestValue = compact(textOf(descend(signedInfo, 'Reference', 'DigestValue')));
  const signatureValue = compact(textOf(firstChild(embedded.signature, 'SignatureValue')));
  const certificateText = compact(textOf(descend(embedded.signature, 'KeyInfo', 'X509Data', 'X509Certificate')));

  let certificate: X509Certificate | null = null;
  if (certificateText === '') {
    errors.push('The signature carries no certificate.');
  } else {
    try {
      certificate = new X509Certificate(Buffer.from(certificateText, 'base64'));
    } catch {
      errors.push('The certificate is not a single base64 DER X.509 certificate.');
    }
  }

  let signatureValid = false;
  if (!method) {
    errors.push('The signature method is neither RSA-SHA1 nor RSA-SHA256.');
  } else if (signatureValue === '') {
    errors.push('The signature has no signature value.');
  } else if (certificate) {
    const signedBytes = Buffer.from(canonicalise(signedInfo, XMLDSIG_NAMESPACE), 'utf8');
    signatureValid = rsaVerify(method.hash, signedBytes, certificate.publicKey, Buffer.from(signatureValue, 'base64'));
    if (!signatureValid) {
      errors.push('The signature value does not verify with the certificate.');
    }
  }

  let digestMatches = false;
  if (!digestHash) {
    errors.push('The digest method is neither SHA-1 nor SHA-256.');
  } else {
    const fragments = fragmentsToBeHashed(canonicalFragments(prescription.parts(embedded.authorTime)));
    digestMatches = createHash(digestHash).update(fragments, 'utf8').digest('base64') === digestValue;
    if (!digestMatches) {
      errors.push('The signed digest does not match the prescription content: it was signed over something else.');
    }
  }

  let certificateValidAtSigning = false;
  if (certificate) {
    const at = new Date(signedAt).getTime();
    certificateValidAtSigning = new Date(certificate.validFrom).getTime() <= at && at <= new Date(certificate.validTo).getTime();
    if (!certificateValidAtSigning) {
      errors.push(`The certificate was not valid at the signing time ${signedAt}.`);
    }
  }

  return {
    valid: signatureValid && digestMatches && certificateValidAtSigning,
    signatureValid,
    digestMatches,
    algorithm: method?.algorithm ?? null,
    signedAt,
    certificate: certificate ? summarise(certificate) : null,
    errors,
  };
}

function summarise(certificate: X509Certificate): CertificateSummary {
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    issuer: certificate.issuer.replace(/\n/g, ', '),
    serial: certificate.serialNumber,
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

function compact(text: string | undefined): string {
  return (text ?? '').replace(/\s/g, '');
}

