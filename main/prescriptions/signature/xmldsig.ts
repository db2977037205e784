import { XMLDSIG_NAMESPACE } from './signed-info.js';

/**
 * The XML-DSig `Signature` EPS accepts: the canonical SignedInfo without its xmlns (the Signature
 * element declares it, so canonicalisation gives back the signed bytes), the signature value, and the
 * certificate as one line of base64 DER.
 */
export function assembleSignature(signedInfo: string, signatureValue: Buffer, certificateDer: Buffer): string {
  const declaration = ` xmlns="${XMLDSIG_NAMESPACE}"`;
  if (!signedInfo.startsWith(`<SignedInfo${declaration}>`)) {
    throw new Error('assembleSignature needs the canonical SignedInfo that prepare() returns');
  }
  return (
    `<Signature${declaration}>${signedInfo.replace(declaration, '')}` +
    `<SignatureValue>${signatureValue.toString('base64')}</SignatureValue>` +
    `<KeyInfo><X509Data><X509Certificate>${certificateDer.toString('base64')}</X509Certificate></X509Data></KeyInfo>` +
    '</Signature>'
  );
}

/** `Provenance.signature.data`: the whole Signature, base64. */
export function provenanceSignatureData(signature: string): string {
  return Buffer.from(signature, 'utf8').toString('base64');
}

/** `author/signatureText` of an HL7 V3 ParentPrescription: the Signature inside it. */
export function signatureText(signature: string): string {
  return `<signatureText>${signature}</signatureText>`;
}
