import { describe, expect, it } from 'vitest';
import { InvalidContentError } from '../../../../main/prescriptions/content-error.js';
import { parsePrescription } from '../../../../main/prescriptions/prescription.js';
import { prepareCases, signedExample } from '../../../support/eps-corpus.js';

const bundle = JSON.parse(prepareCases()[0]!.request) as { entry: { fullUrl: string; resource: { resourceType: string } & Record<string, unknown> }[] };

function rejection(format: string, content: string): InvalidContentError {
  try {
    parsePrescription(format, content);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidContentError);
    return err as InvalidContentError;
  }
  throw new Error('the content was accepted');
}

function withoutResource(type: string): string {
  return JSON.stringify({ ...bundle, entry: bundle.entry.filter((e) => e.resource.resourceType !== type) });
}

describe('hostile and broken content gets INVALID_CONTENT with a path, never a crash', () => {
  it('malformed JSON and XML', () => {
    expect(rejection('fhir-bundle', '{"resourceType": "Bundle", ').path).toBe('$');
    expect(rejection('hl7v3', '<ParentPrescription><id></ParentPrescription>').message).toMatch(/not well formed/);
    expect(rejection('hl7v3', '').message).toMatch(/not well formed|no root/);
  });

  it('an external entity (XXE) is refused before parsing, so no file is ever read', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><ParentPrescription>&x;</ParentPrescription>';
    expect(rejection('hl7v3', xxe).message).toMatch(/DOCTYPE/);
  });

  it('entity expansion ("billion laughs") is refused before parsing', () => {
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><ParentPrescription>&lol9;</ParentPrescription>`;
    expect(rejection('hl7v3', lol).message).toMatch(/DOCTYPE/);
  });

  it('XML nested past the depth limit', () => {
    expect(rejection('hl7v3', `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`).message).toMatch(/deeper than/);
  });

  it('missing resources name what is missing', () => {
    expect(rejection('fhir-bundle', withoutResource('Patient')).message).toMatch(/names no Patient/);
    expect(rejection('fhir-bundle', withoutResource('MedicationRequest')).message).toMatch(/no MedicationRequest/);
    expect(rejection('fhir-bundle', withoutResource('Practitioner')).message).toMatch(/names no Practitioner/);
    expect(rejection('fhir-bundle', '{"resourceType": "Bundle", "entry": []}').path).toBe('entry');
  });

  it('a reference to nothing gives the path of the reference', () => {
    const broken = structuredClone(bundle);
    const request = broken.entry.find((e) => e.resource.resourceType === 'MedicationRequest')!.resource;
    request.subject = { reference: 'urn:uuid:00000000-0000-0000-0000-000000000000' };
    const err = rejection('fhir-bundle', JSON.stringify(broken));
    expect(err.path).toMatch(/^entry\[\d+\]\.resource\.subject$/);
  });

  it('a 10 MB string is refused by size, before it is parsed', () => {
    const huge = JSON.stringify({ ...bundle, padding: 'x'.repeat(10 * 1024 * 1024) });
    expect(rejection('fhir-bundle', huge).message).toMatch(/larger than/);
    expect(rejection('hl7v3', `<ParentPrescription>${'x'.repeat(10 * 1024 * 1024)}</ParentPrescription>`).message).toMatch(/larger than/);
  });

  it('unknown formats and content of the wrong kind', () => {
    expect(rejection('pdf', 'x').path).toBe('format');
    expect(rejection('fhir-bundle', '{"resourceType": "Patient"}').path).toBe('resourceType');
    expect(rejection('hl7v3', '<Invoice><id/></Invoice>').message).toMatch(/No ParentPrescription/);
  });

  it('an HL7 V3 message without its author time', () => {
    const xml = signedExample('ValidSignature.xml').replace(/<time value="\d+"\/>/, '');
    expect(rejection('hl7v3', xml).path).toMatch(/author\/time$/);
  });
});
