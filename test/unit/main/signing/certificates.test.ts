import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../../main/signing/sandbox/test-certificate.js';
import { certificateFacts, hasNonRepudiation } from '../../../../main/signing/x509/certificate-facts.js';

const caKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const cardKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const notBefore = new Date('2026-01-01T00:00:00Z');
const notAfter = new Date('2036-01-01T00:00:00Z');
const issuer = { commonName: 'Sandbox Test CA', organisation: 'Signing Companion sandbox' };
const caDer = issueCertificate({ subject: issuer, issuer, publicKey: caKeys.publicKey, signingKey: caKeys.privateKey, notBefore, notAfter, keyUsage: { keyCertSign: true, cRLSign: true }, ca: true });

function cardCertificate(keyUsage: { nonRepudiation?: boolean; digitalSignature?: boolean }, commonName = '555000000001_SANDBOX_CLINICIAN'): Buffer {
  return issueCertificate({ subject: { commonName }, issuer, publicKey: cardKeys.publicKey, signingKey: caKeys.privateKey, notBefore, notAfter, keyUsage });
}

describe('sandbox test certificates', () => {
  it('are well-formed X.509 that openssl reads and verifies against the test CA', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-cert-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.der'), caDer);
      fs.writeFileSync(path.join(dir, 'card.der'), cardCertificate({ nonRepudiation: true }));
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, 'ca.der'), '-out', path.join(dir, 'ca.pem')]);
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, 'card.der'), '-out', path.join(dir, 'card.pem')]);
      const text = execFileSync('openssl', ['x509', '-in', path.join(dir, 'card.pem'), '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Non Repudiation/);
      expect(text).toContain('CN = 555000000001_SANDBOX_CLINICIAN');
      const verified = execFileSync('openssl', ['verify', '-attime', String(Date.parse('2027-01-01') / 1000), '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'card.pem')], { encoding: 'utf8' });
      expect(verified.trim()).toMatch(/: OK$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are issued by the CA in Node too', () => {
    const card = new X509Certificate(cardCertificate({ nonRepudiation: true }));
    expect(card.checkIssued(new X509Certificate(caDer))).toBe(true);
    expect(card.verify(new X509Certificate(caDer).publicKey)).toBe(true);
  });
});

describe('certificateFacts', () => {
  it('reads the UID and name from an NHS-style CN, and the validity', () => {
    const facts = certificateFacts(cardCertificate({ nonRepudiation: true }));
    expect(facts.uid).toBe('555000000001');
    expect(facts.holderName).toBe('SANDBOX CLINICIAN');
    expect(facts.nonRepudiation).toBe(true);
    expect(facts.notBefore.toISOString()).toBe(notBefore.toISOString());
    expect(facts.notAfter.toISOString()).toBe(notAfter.toISOString());
  });

  it('has no UID for a CN without one', () => {
    expect(certificateFacts(cardCertificate({ nonRepudiation: true }, 'Dr No Uid')).uid).toBeNull();
  });

  it('tells nonRepudiation apart from digitalSignature alone, and from a CA', () => {
    expect(hasNonRepudiation(cardCertificate({ digitalSignature: true }))).toBe(false);
    expect(hasNonRepudiation(cardCertificate({ digitalSignature: true, nonRepudiation: true }))).toBe(true);
    expect(hasNonRepudiation(caDer)).toBe(false);
  });

  it('treats bytes that are not a certificate as not qualifying', () => {
    expect(hasNonRepudiation(Buffer.from('not a certificate'))).toBe(false);
  });
});
