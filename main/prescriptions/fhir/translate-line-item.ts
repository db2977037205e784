import { InvalidContentError } from '../content-error.js';
import { FHIR_EXTENSION, FHIR_SYSTEM, OID } from '../hl7/codes.js';
import { element, type XmlElement } from '../xml/xml-tree.js';
import { asArray, extension, getPath, identifierValue, isObject, stringAt, type Located, type PrescriptionBundle } from './bundle.js';
import { firstOf } from './datatypes.js';
import { rawNumberText } from './lossless-json.js';

export interface LineItemContext {
  /** The medication list and information for the patient, which EPS puts on the first item only. */
  patientInfo: string;
  isFirst: boolean;
  bundle: PrescriptionBundle;
}

/** One `pertinentLineItem`, as EPS translates a MedicationRequest (before the signing edits). */
export function translateLineItem(request: Located, context: LineItemContext): XmlElement {
  const r = request.resource;
  const itemNumber = identifierValue(r, FHIR_SYSTEM.prescriptionOrderItemNumber);
  if (!itemNumber) {
    throw new InvalidContentError(`${request.path}.identifier`, 'The MedicationRequest has no prescription order item number');
  }
  // The medicine is coded on the request, or on a Medication resource it references.
  const medicationSource = r.medicationCodeableConcept === undefined && r.medicationReference !== undefined
    ? getPath(context.bundle.resolve(request, 'medicationReference', 'Medication').resource, 'code.coding')
    : getPath(r, 'medicationCodeableConcept.coding');
  const medication = firstOf(medicationSource);
  if (!isObject(medication) || typeof medication.code !== 'string') {
    throw new InvalidContentError(`${request.path}.medicationCodeableConcept`, 'The medicine has no dm+d code');
  }
  const quantity = getPath(r, 'dispenseRequest.quantity');
  if (!isObject(quantity) || typeof quantity.value !== 'number') {
    throw new InvalidContentError(`${request.path}.dispenseRequest.quantity`, 'The quantity to supply is missing');
  }
  const dosage = dosageText(r.dosageInstruction);
  if (dosage === '') {
    throw new InvalidContentError(`${request.path}.dosageInstruction`, 'The dosage instructions are missing');
  }
  const repeats = getPath(r, 'dispenseRequest.numberOfRepeatsAllowed');
  const additional = additionalInstructions(request, context);
  const endorsements = asArray(r.extension)
    .filter((e) => isObject(e) && e.url === FHIR_EXTENSION.endorsement)
    .flatMap((e) => asArray(getPath(e, 'valueCodeableConcept.coding')))
    .filter((c): c is { code: string } => isObject(c) && typeof c.code === 'string');

  // As written in the Bundle: EPS signs "28.0" as "28.0".
  const value = rawNumberText(quantity, 'value') ?? String(quantity.value);
  return element('pertinentLineItem', { classCode: 'SBADM', moodCode: 'RQO' }, [
    element('id', { root: itemNumber.toUpperCase() }),
    element('code', { code: '225426007', codeSystem: OID.snomed, displayName: 'Administration of therapeutic substance (procedure)' }),
    element('effectiveTime', { nullFlavor: 'NA' }),
    typeof repeats === 'number'
      ? element('repeatNumber', {}, [element('low', { value: '1' }), element('high', { value: String(repeats + 1) })])
      : undefined,
    element('product', { contextControlCode: 'OP', typeCode: 'PRD' }, [
      element('manufacturedProduct', { classCode: 'MANU' }, [
        element('manufacturedRequestedMaterial', { classCode: 'MMAT', determinerCode: 'KIND' }, [
          element('code', {
            code: medication.code,
            codeSystem: OID.snomed,
            displayName: typeof medication.display === 'string' ? medication.display : undefined,
          }),
        ]),
      ]),
    ]),
    element('component', { typeCode: 'COMP' }, [
      element('seperatableInd', { value: 'false' }),
      element('lineItemQuantity', { classCode: 'SPLY', moodCode: 'RQO' }, [
        element('code', { code: '373784005', codeSystem: OID.snomed, displayName: 'Dispensing medication (procedure)' }),
        element('quantity', { unit: '1', value }, [
          element('translation', {
            code: typeof quantity.code === 'string' ? quantity.code : undefined,
            codeSystem: OID.snomed,
            displayName: typeof quantity.unit === 'string' ? quantity.unit : undefined,
            value,
          }),
        ]),
      ]),
    ]),
    additional === '' ? undefined : instruction('pertinentInformation1', 'pertinentAdditionalInstructions', 'AI', element('value', {}, [additional])),
    ...endorsements.map((coding) =>
      instruction('pertinentInformation3', 'pertinentPrescriberEndorsement', 'PE', element('value', { code: coding.code, codeSystem: OID.endorsement })),
    ),
    instruction('pertinentInformation2', 'pertinentDosageInstructions', 'DI', element('value', {}, [dosage])),
  ]);
}

function instruction(wrapper: string, name: string, code: string, value: XmlElement): XmlElement {
  return element(wrapper, { contextConductionInd: 'true', typeCode: 'PERT' }, [
    element('seperatableInd', { value: 'false' }),
    element(name, { classCode: 'OBS', moodCode: 'EVN' }, [element('code', { code, codeSystem: OID.instructionType }), value]),
  ]);
}

/**
 * The dosage text: instructions with the same `sequence` apply together (", and "); a later sequence
 * follows an earlier one (", then ").
 */
function dosageText(instructions: unknown): string {
  let text = '';
  let previous: unknown;
  asArray(instructions).forEach((instruction, index) => {
    if (!isObject(instruction) || typeof instruction.text !== 'string') {
      return;
    }
    if (index > 0) {
      text += instruction.sequence !== undefined && instruction.sequence === previous ? ', and ' : ', then ';
    }
    text += instruction.text;
    previous = instruction.sequence;
  });
  return text;
}

/**
 * Additional instructions: on the first item, the patient's medication list and the information for the
 * patient; then, one per line, the controlled-drug quantity in words and the prescriber's notes.
 */
function additionalInstructions(request: Located, context: LineItemContext): string {
  const lines: string[] = [];
  const words = stringAt(
    asArray(extension(request.resource, FHIR_EXTENSION.controlledDrug)?.extension).find(
      (e) => isObject(e) && e.url === 'quantityWords',
    ),
    'valueString',
  );
  if (words) {
    lines.push(`CD: ${words}`);
  }
  for (const note of asArray(request.resource.note)) {
    if (isObject(note) && typeof note.text === 'string') {
      lines.push(note.text);
    }
  }
  return (context.isFirst ? context.patientInfo : '') + lines.join('\n');
}
