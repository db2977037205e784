import { createHash } from 'node:crypto';
import { canonicalise } from '../xml/canonical-xml.js';
import { element, type XmlElement } from '../xml/xml-tree.js';
import type { SignedParts } from '../hl7/parent-prescription.js';

export type SignatureAlgorithm = 'RS1' | 'RS256';

export const HL7_NAMESPACE = 'urn:hl7-org:v3';
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

const METHODS: Record<SignatureAlgorithm, { signature: string; digest: string; hash: 'sha1' | 'sha256' }> = {
  RS1: { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1', hash: 'sha1' },
  RS256: {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
    hash: 'sha256',
  },
};

/** The named fragments, each canonicalised on its own, in the order EPS joins them. */
export interface CanonicalFragments {
  timeAndId: string;
  agentPerson: string;
  recordTarget: string;
  lineItems: string[];
}

export function canonicalFragments(parts: SignedParts): CanonicalFragments {
  const inHl7 = (node: XmlElement) => canonicalise(node, HL7_NAMESPACE);
  return {
    timeAndId: inHl7(parts.time) + inHl7(parts.id),
    agentPerson: inHl7(parts.agentPerson),
    recordTarget: inHl7(parts.recordTarget),
    lineItems: parts.lineItems.map(inHl7),
  };
}

/** `<FragmentsToBeHashed>` in canonical form: the exact bytes whose hash is the DigestValue. */
export function fragmentsToBeHashed(fragments: CanonicalFragments): string {
  const wrap = (inner: string) => `<Fragment>${inner}</Fragment>`;
  return `<FragmentsToBeHashed>${[fragments.timeAndId, fragments.agentPerson, fragments.recordTarget, ...fragments.lineItems]
    .map(wrap)
    .join('')}</FragmentsToBeHashed>`;
}

/** The canonical SignedInfo, with its xmldsig namespace: the bytes a signer signs. */
export function signedInfoFor(canonicalFragmentsText: string, algorithm: SignatureAlgorithm): string {
  const method = METHODS[algorithm];
  const digestValue = createHash(method.hash).update(canonicalFragmentsText, 'utf8').digest('base64');
  return canonicalise(
    element('SignedInfo', {}, [
      element('CanonicalizationMethod', { Algorithm: EXC_C14N }),
      element('SignatureMethod', { Algorithm: method.signature }),
      element('Reference', {}, [
        element('Transforms', {}, [element('Transform', { Algorithm: EXC_C14N })]),
        element('DigestMethod', { Algorithm: method.digest }),
        element('DigestValue', {}, [digestValue]),
      ]),
    ]),
    XMLDSIG_NAMESPACE,
  );
}
