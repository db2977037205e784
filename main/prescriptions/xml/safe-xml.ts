import { DOMParser, type Element as DomElement, type Node as DomNode } from '@xmldom/xmldom';
import { InvalidContentError } from '../content-error.js';
import type { XmlElement, XmlNode } from './xml-tree.js';

/** Larger than any real prescription message (a four-item one is about 20 KB). */
export const MAX_XML_BYTES = 2 * 1024 * 1024;
/** HL7 V3 prescriptions nest about 20 deep. */
export const MAX_XML_DEPTH = 64;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/**
 * Parses XML that came from outside, safely.
 *
 * A DOCTYPE is refused before parsing: HL7 V3 messages never carry one, and refusing it rules out external
 * entities (XXE) and entity expansion ("billion laughs") outright. Size and depth are bounded so a
 * hostile document cannot exhaust memory or the stack.
 */
export function parseXml(text: string): XmlElement {
  if (Buffer.byteLength(text, 'utf8') > MAX_XML_BYTES) {
    throw new InvalidContentError('/', `The XML is larger than ${MAX_XML_BYTES / 1024 / 1024} MiB`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new InvalidContentError('/', 'The XML declares a DOCTYPE or entities, which prescriptions never do');
  }
  let document;
  try {
    document = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') {
          throw new InvalidContentError('/', `The XML is not well formed: ${firstLine(message)}`);
        }
      },
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    if (err instanceof InvalidContentError) {
      throw err;
    }
    throw new InvalidContentError('/', `The XML is not well formed: ${firstLine(String((err as Error).message ?? err))}`);
  }
  const root = document.documentElement;
  if (!root) {
    throw new InvalidContentError('/', 'The XML has no root element');
  }
  return toTree(root, `/${localName(root)}`, 1);
}

function toTree(node: DomElement, path: string, depth: number): XmlElement {
  if (depth > MAX_XML_DEPTH) {
    throw new InvalidContentError(path, `The XML nests deeper than ${MAX_XML_DEPTH} levels`);
  }
  const attributes: Record<string, string> = {};
  for (let i = 0; i < node.attributes.length; i++) {
    const attribute = node.attributes.item(i);
    if (attribute && attribute.name !== 'xmlns' && !attribute.name.startsWith('xmlns:')) {
      attributes[attribute.name] = attribute.value;
    }
  }
  const elements: XmlElement[] = [];
  const children: XmlNode[] = [];
  let text = '';
  for (let child: DomNode | null = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) {
      const element = toTree(child as DomElement, `${path}/${localName(child as DomElement)}`, depth + 1);
      elements.push(element);
      children.push(element);
    } else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
      text += child.nodeValue ?? '';
      children.push(child.nodeValue ?? '');
    }
  }
  // Whitespace between child elements is layout, not content.
  const content = elements.length > 0 && text.trim() === '' ? elements : mergeText(children);
  return { name: localName(node), attributes, children: content };
}

function mergeText(children: XmlNode[]): XmlNode[] {
  const merged: XmlNode[] = [];
  for (const child of children) {
    const last = merged[merged.length - 1];
    if (typeof child === 'string' && typeof last === 'string') {
      merged[merged.length - 1] = last + child;
    } else {
      merged.push(child);
    }
  }
  return merged;
}

function localName(node: DomElement): string {
  return node.localName ?? node.nodeName;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.slice(0, 200) ?? '';
}
