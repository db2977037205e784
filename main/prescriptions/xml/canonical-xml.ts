import { isElement, type XmlElement } from './xml-tree.js';

/**
 * Exclusive XML canonicalisation of an element tree (W3C exc-c14n, without comments).
 *
 * Our trees carry no prefixes and at most one default namespace, declared on the element passed as
 * `defaultNamespace`; for them exc-c14n reduces to: the namespace declaration first, other attributes
 * sorted by name, every element written as a start and an end tag, and the escapes below.
 */
export function canonicalise(node: XmlElement, defaultNamespace?: string): string {
  return write(node, defaultNamespace);
}

function write(node: XmlElement, namespace: string | undefined): string {
  let out = `<${node.name}`;
  if (namespace !== undefined) {
    out += ` xmlns="${escapeAttribute(namespace)}"`;
  }
  const names = Object.keys(node.attributes);
  if (names.length > 1) {
    names.sort(compareCodeUnits);
  }
  for (const name of names) {
    out += ` ${name}="${escapeAttribute(node.attributes[name] ?? '')}"`;
  }
  out += '>';
  for (const child of node.children) {
    out += isElement(child) ? write(child, undefined) : escapeText(child);
  }
  return `${out}</${node.name}>`;
}

// c14n orders attributes by code point of their names (no prefixes here).
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// EPS writes its XML as text and parses it again before canonicalising, so its canonical form has what an
// XML parser leaves: line breaks in text become "\n", and tabs and line breaks in attribute values become
// spaces (XML 1.0 end-of-line and attribute-value normalisation). Ours matches it.
const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<"\t\n\r\f]/;

function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) {
    return text;
  }
  return text.replace(/\r\n?/g, '\n').replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) {
    return value;
  }
  return value.replace(/[\t\f]+/g, ' ').replace(/\r?\n|\r/g, ' ').replace(/[&<"]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;' };
