/**
 * The one in-memory form of prescription XML: elements, attributes and text, nothing else.
 *
 * HL7 V3 content is parsed into it, FHIR content is translated into it, and both the display model and
 * the signed fragments are read from it. Comments, processing instructions and whitespace between
 * elements are not part of it; namespaces are not either, because every element here is HL7 V3.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export function element(name: string, attributes: Record<string, string | undefined> = {}, children: (XmlNode | null | undefined)[] = []): XmlElement {
  const attrs: Record<string, string> = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) {
      attrs[key] = value;
    }
  }
  return { name, attributes: attrs, children: children.filter((c): c is XmlNode => c !== null && c !== undefined) };
}

export function isElement(node: XmlNode): node is XmlElement {
  return typeof node !== 'string';
}

export function childElements(parent: XmlElement, name?: string): XmlElement[] {
  return parent.children.filter((c): c is XmlElement => isElement(c) && (name === undefined || c.name === name));
}

export function firstChild(parent: XmlElement, name: string): XmlElement | undefined {
  return childElements(parent, name)[0];
}

/** Follows a path of child names, taking the first match at each step. */
export function descend(parent: XmlElement, ...names: string[]): XmlElement | undefined {
  let current: XmlElement | undefined = parent;
  for (const name of names) {
    current = current ? firstChild(current, name) : undefined;
  }
  return current;
}

export function textOf(node: XmlElement | undefined): string | undefined {
  if (!node) {
    return undefined;
  }
  const texts = node.children.filter((c): c is string => typeof c === 'string');
  return texts.length > 0 ? texts.join('') : undefined;
}

/** A copy of the tree without the elements `drop` selects (used for the line-item edits EPS makes). */
export function withoutElements(node: XmlElement, drop: (child: XmlElement, parent: XmlElement) => boolean): XmlElement {
  return {
    name: node.name,
    attributes: { ...node.attributes },
    children: node.children
      .filter((c) => !isElement(c) || !drop(c, node))
      .map((c) => (isElement(c) ? withoutElements(c, drop) : c)),
  };
}
