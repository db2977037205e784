import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DisplayModel } from '../../../../main/prescriptions/display/display-model.js';
import { display, parsePrescription } from '../../../../main/prescriptions/prescription.js';
import { isElement, type XmlElement } from '../../../../main/prescriptions/xml/xml-tree.js';
import { PACKAGE_ROOT } from '../../../support/cli-process.js';
import { prepareCases } from '../../../support/eps-corpus.js';

/** The path patterns of docs/wysiwys.md's "Signed, not shown" table, as regular expressions. */
function documentedPaths(): RegExp[] {
  const doc = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'wysiwys.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Signed, not shown'), doc.indexOf('## Shown, not signed'));
  const patterns = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split(' | ')[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  return patterns.map((p) => new RegExp(`^${p.replace(/[.()]/g, '\\$&').replace(/\*/g, '.+')}$`));
}

function leaves(node: XmlElement, parent: string, out: [string, string][]): [string, string][] {
  const here = parent === '' ? node.name : `${parent}/${node.name}`;
  for (const [name, value] of Object.entries(node.attributes)) {
    out.push([`${here}/@${name}`, value]);
  }
  for (const child of node.children) {
    if (isElement(child)) {
      leaves(child, here, out);
    } else {
      out.push([`${here}/text()`, child]);
    }
  }
  return out;
}

/** Every string the clinician reads, and the forms the fragments hold them in. */
function shownValues(model: DisplayModel): Set<string> {
  const shown = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') {
      shown.add(value);
      value.split(' ').forEach((word) => shown.add(word));
    } else if (typeof value === 'number') {
      shown.add(String(value - 0));
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(add);
    }
  };
  add(model);
  shown.add(model.patient.nhsNumber.replace(/ /g, ''));
  shown.add(model.patient.dateOfBirth.replace(/-/g, ''));
  shown.add({ Male: '1', Female: '2', Other: '9', Unknown: '0' }[model.patient.gender] ?? '');
  model.items.forEach((item) => item.issues !== null && shown.add(String(item.issues)));
  return shown;
}

/** Additional instructions carry tagged parts; each part must be shown. */
function additionalIsShown(value: string, model: DisplayModel, shown: Set<string>): boolean {
  const rest = value
    .replace(/<medication>([^]*?)<\/medication>/g, (_, text: string) => (model.currentMedication.includes(text) ? '' : '\u0000'))
    .replace(/<patientInfo>([^]*?)<\/patientInfo>/g, (_, text: string) => (model.patientInformation.includes(text) ? '' : '\u0000'))
    .replace(/^CD: (.*)$/m, (_, words: string) => (shown.has(words) ? '' : '\u0000'));
  return !rest.includes('\u0000') && rest.split('\n').every((line) => line.trim() === '' || shown.has(line));
}

describe('every value that enters the digest is shown, or listed in docs/wysiwys.md with its reason', () => {
  const documented = documentedPaths();

  it('the document lists the structural codes, OIDs and identifiers it should', () => {
    expect(documented.length).toBeGreaterThan(15);
  });

  for (const testCase of prepareCases()) {
    it(testCase.name, () => {
      const prescription = parsePrescription('fhir-bundle', testCase.request);
      const model = display(prescription);
      const shown = shownValues(model);
      const parts = prescription.parts('20240101000000');
      const unexplained: string[] = [];
      for (const tree of [parts.id, parts.agentPerson, parts.recordTarget, ...parts.lineItems]) {
        for (const [where, value] of leaves(tree, '', [])) {
          const isShown = where.endsWith('pertinentAdditionalInstructions/value/text()')
            ? additionalIsShown(value, model, shown)
            : shown.has(value) || shown.has(value.replace(/^tel:/, ''));
          if (!isShown && !documented.some((pattern) => pattern.test(where))) {
            unexplained.push(`${where} = "${value}"`);
          }
        }
      }
      expect(unexplained).toEqual([]);
    });
  }
});
