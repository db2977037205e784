import { isElement, type XmlElement } from './xml-tree.js';

/**
 * Exclusive XML canonicalisation of an element tree (W3C exc-c14n, without comments).
 *
 * Our trees carry no prefixes and at most one default namespace, declared on the element passed as
 * `defaultNamespace`; for them exc-c14n reduces to: the namespace declaration first, other attributes
 * sorted by name, every element written as a start and an end tag, and the escapes below.
 */
export function canonicalise(node: XmlElement, defaultNamespace?: string): string {
  const parts: string[] = [];
  write(node, parts, defaultNamespace);
  return parts.join('');
}

function write(node: XmlElement, out: string[], namespace: string | undefined): void {
  out.push('<', node.name);
  if (namespace !== undefined) {
    out.push(' xmlns="', escapeAttribute(namespace), '"');
  }
  for (const name of Object.keys(node.attributes).sort(compareCodeUnits)) {
    out.push(' ', name, '="', escapeAttribute(node.attributes[name] ?? ''), '"');
  }
  out.push('>');
  for (const child of node.children) {
    if (isElement(child)) {
      write(child, out, undefined);
    } else {
      out.push(escapeText(child));
    }
  }
  out.push('</', node.name, '>');
}

// c14n orders attributes by code point of their names (no prefixes here).
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// EPS writes its XML as text and parses it again before canonicalising, so its canonical form has what an
// XML parser leaves: line breaks in text become "\n", and tabs and line breaks in attribute values become
// spaces (XML 1.0 end-of-line and attribute-value normalisation). Ours matches it.
function escapeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

function escapeAttribute(value: string): string {
  return value.replace(/[\t\f]+/g, ' ').replace(/\r?\n|\r/g, ' ').replace(/[&<"]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;' };
