import { InvalidContentError } from '../content-error.js';
import { childElements, descend, firstChild, withoutElements, type XmlElement } from '../xml/xml-tree.js';

/**
 * Finds the ParentPrescription: the document itself, or inside the interaction that carries it on EPS's
 * HL7 V3 API (PORX_IN020101SM31 → ControlActEvent → subject → ParentPrescription).
 */
export function findParentPrescription(root: XmlElement): XmlElement {
  if (root.name === 'ParentPrescription') {
    return root;
  }
  const found = search(root, 0);
  if (!found) {
    throw new InvalidContentError(`/${root.name}`, 'No ParentPrescription was found in the XML');
  }
  return found;
}

function search(node: XmlElement, depth: number): XmlElement | undefined {
  if (depth > 8) {
    return undefined;
  }
  for (const child of childElements(node)) {
    if (child.name === 'ParentPrescription') {
      return child;
    }
    const deeper = search(child, depth + 1);
    if (deeper) {
      return deeper;
    }
  }
  return undefined;
}

/** The parts of a ParentPrescription that EPS signs, in the order it signs them. */
export interface SignedParts {
  /** `author/time`: the signing time. */
  time: XmlElement;
  /** The prescription's first `id` (its GUID). */
  id: XmlElement;
  /** `author/AgentPerson`: the prescriber. */
  agentPerson: XmlElement;
  /** `recordTarget`: the patient. */
  recordTarget: XmlElement;
  /** Each `pertinentLineItem`, with `repeatNumber/low` and `pertinentInformation4` removed. */
  lineItems: XmlElement[];
}

export function signedParts(parentPrescription: XmlElement): SignedParts {
  const path = '/ParentPrescription';
  const prescription = need(descend(parentPrescription, 'pertinentInformation1', 'pertinentPrescription'), `${path}/pertinentInformation1/pertinentPrescription`);
  const prescriptionPath = `${path}/pertinentInformation1/pertinentPrescription`;
  const author = need(firstChild(prescription, 'author'), `${prescriptionPath}/author`);
  const lineItems = childElements(prescription, 'pertinentInformation2').map((info, index) =>
    need(firstChild(info, 'pertinentLineItem'), `${prescriptionPath}/pertinentInformation2[${index}]/pertinentLineItem`),
  );
  if (lineItems.length === 0) {
    throw new InvalidContentError(prescriptionPath, 'The prescription has no line items');
  }
  return {
    time: need(firstChild(author, 'time'), `${prescriptionPath}/author/time`),
    id: need(firstChild(prescription, 'id'), `${prescriptionPath}/id`),
    agentPerson: need(firstChild(author, 'AgentPerson'), `${prescriptionPath}/author/AgentPerson`),
    recordTarget: need(firstChild(parentPrescription, 'recordTarget'), `${path}/recordTarget`),
    lineItems: lineItems.map(forSigning),
  };
}

/** EPS signs a line item without its status and without the low end of its repeat range. */
export function forSigning(lineItem: XmlElement): XmlElement {
  return withoutElements(
    lineItem,
    (child, parent) => child.name === 'pertinentInformation4' || (parent.name === 'repeatNumber' && child.name === 'low'),
  );
}

function need(node: XmlElement | undefined, path: string): XmlElement {
  if (!node) {
    throw new InvalidContentError(path, 'A required element is missing');
  }
  return node;
}
