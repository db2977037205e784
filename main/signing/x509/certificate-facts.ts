import { X509Certificate } from 'node:crypto';
import { derChildren, readDer, type DerNode } from './der.js';

/**
 * What the card signer needs to know of a certificate before asking for a passcode: whether it may sign
 * (nonRepudiation), whether it is in date, and whose it is (NHS card certificates start the subject CN
 * with the holder's CIS2 UID: `<UID>_<NAME>`).
 */
export interface CertificateFacts {
  subject: string;
  commonName: string;
  /** The UID before the first underscore of the CN, when the CN has that form. */
  uid: string | null;
  /** The holder's name after the UID, underscores read as spaces. */
  holderName: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  nonRepudiation: boolean;
  serialNumber: string;
  fingerprint256: string;
  certificate: X509Certificate;
}

const KEY_USAGE_OID = Buffer.from([0x55, 0x1d, 0x0f]);
/** nonRepudiation (contentCommitment) is bit 1 of KeyUsage, the second-highest bit of the first byte. */
const NON_REPUDIATION = 0x40;

export function certificateFacts(der: Buffer): CertificateFacts {
  const certificate = new X509Certificate(der);
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1] ?? '';
  const uidMatch = /^(\d{6,20})_(.+)$/.exec(commonName);
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    commonName,
    uid: uidMatch?.[1] ?? null,
    holderName: (uidMatch?.[2] ?? commonName).replace(/_/g, ' '),
    issuer: certificate.issuer.replace(/\n/g, ', '),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    nonRepudiation: hasNonRepudiation(der),
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    certificate,
  };
}

/** Reads the Key Usage extension; a certificate without one (or unreadable) does not qualify. */
export function hasNonRepudiation(certificateDer: Buffer): boolean {
  try {
    const [tbs] = derChildren(readDer(certificateDer).node);
    const extensions = tbs ? derChildren(tbs).find((n) => n.tag === 0xa3) : undefined;
    if (!extensions) {
      return false;
    }
    const [list] = derChildren(extensions);
    for (const extension of list ? derChildren(list) : []) {
      const parts = derChildren(extension);
      if (parts[0]?.tag === 0x06 && parts[0].content.equals(KEY_USAGE_OID)) {
        const value = parts[parts.length - 1] as DerNode;
        const bits = readDer(value.content).node.content;
        return ((bits[1] ?? 0) & NON_REPUDIATION) !== 0;
      }
    }
    return false;
  } catch {
    return false;
  }
}
