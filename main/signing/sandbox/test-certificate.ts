import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { bitString, booleanTrue, explicit, integer, nullValue, octetString, oid, sequence, set, time, utf8String } from '../x509/der.js';

/**
 * X.509 certificates for the sandbox's software test card: a test CA, and a card certificate shaped like
 * an NHS card's (subject CN `<UID>_<NAME>`, Key Usage nonRepudiation, critical). Built here so the
 * sandbox needs no openssl on a clinician's workstation. Nothing issued here is trusted anywhere else.
 */
export interface CertificateRequest {
  subject: { commonName: string; organisation?: string };
  issuer: { commonName: string; organisation?: string };
  publicKey: KeyObject;
  /** The issuer's private key (the subject's own for a self-signed CA). */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  keyUsage: { digitalSignature?: boolean; nonRepudiation?: boolean; keyCertSign?: boolean; cRLSign?: boolean };
  ca?: boolean;
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue());

export function issueCertificate(request: CertificateRequest): Buffer {
  const extensions = [keyUsageExtension(request.keyUsage)];
  if (request.ca) {
    extensions.push(sequence(oid('2.5.29.19'), booleanTrue(), octetString(sequence(booleanTrue()))));
  }
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serialNumber()),
    SHA256_WITH_RSA,
    name(request.issuer),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.subject),
    request.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, request.signingKey);
  return sequence(tbs, SHA256_WITH_RSA, bitString(signature));
}

function name(value: { commonName: string; organisation?: string }): Buffer {
  const attributes = [set(sequence(oid('2.5.4.3'), utf8String(value.commonName)))];
  if (value.organisation) {
    attributes.unshift(set(sequence(oid('2.5.4.10'), utf8String(value.organisation))));
  }
  return sequence(...attributes);
}

function keyUsageExtension(usage: CertificateRequest['keyUsage']): Buffer {
  let bits = 0;
  bits |= usage.digitalSignature ? 0x80 : 0;
  bits |= usage.nonRepudiation ? 0x40 : 0;
  bits |= usage.keyCertSign ? 0x04 : 0;
  bits |= usage.cRLSign ? 0x02 : 0;
  // DER drops trailing zero bits and says how many it dropped.
  let unused = 0;
  while (unused < 7 && bits !== 0 && ((bits >> unused) & 1) === 0) {
    unused++;
  }
  return sequence(oid('2.5.29.15'), booleanTrue(), octetString(bitString(Buffer.from([bits]), unused)));
}

function serialNumber(): Buffer {
  const serial = randomBytes(16);
  // Positive and without a leading zero byte, as RFC 5280 asks of serials.
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  return serial;
}
