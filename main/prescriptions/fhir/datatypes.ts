import { InvalidContentError } from '../content-error.js';
import { element, type XmlElement } from '../xml/xml-tree.js';
import { asArray, isObject } from './bundle.js';

/** FHIR `use` codes as EPS writes them in HL7 V3; any other value is refused, as EPS refuses it. */
const ADDRESS_USE: Record<string, string> = { home: 'H', work: 'WP', temp: 'TMP', billing: 'PST' };
const TELECOM_USE: Record<string, string> = { home: 'HP', work: 'WP', temp: 'HV', mobile: 'MC' };
const NAME_USE: Record<string, string> = {
  usual: 'L',
  official: 'L',
  temp: 'A',
  anonymous: 'A',
  nickname: 'PREFERRED',
  old: 'PREVIOUS',
  maiden: 'PREVIOUS-MAIDEN',
};

function mapUse(table: Record<string, string>, use: unknown, path: string): string | undefined {
  if (use === undefined) {
    return undefined;
  }
  const mapped = typeof use === 'string' && Object.hasOwn(table, use) ? table[use] : undefined;
  if (mapped === undefined) {
    throw new InvalidContentError(`${path}.use`, `${JSON.stringify(use)} is not a use EPS accepts here`);
  }
  return mapped;
}

/** `<name>`: prefixes, given names, family name and suffixes, in that order; its text only if it has no parts. */
export function hl7Name(name: unknown, path: string): XmlElement | undefined {
  if (!isObject(name)) {
    return undefined;
  }
  const parts = [
    ...strings(name.prefix).map((p) => element('prefix', {}, [p])),
    ...strings(name.given).map((g) => element('given', {}, [g])),
    ...(typeof name.family === 'string' ? [element('family', {}, [name.family])] : []),
    ...strings(name.suffix).map((s) => element('suffix', {}, [s])),
  ];
  const content = parts.length === 0 && typeof name.text === 'string' ? [name.text] : parts;
  return element('name', { use: mapUse(NAME_USE, name.use, path) }, content);
}

/** `<addr>`: every line, then city, district and state as further lines, then the postcode. */
export function hl7Address(address: unknown, path: string): XmlElement | undefined {
  if (!isObject(address)) {
    return undefined;
  }
  const lines = [...strings(address.line), ...strings([address.city, address.district, address.state])].filter((l) => l !== '');
  return element('addr', { use: mapUse(ADDRESS_USE, address.use, path) }, [
    ...lines.map((line) => element('streetAddressLine', {}, [line])),
    ...(typeof address.postalCode === 'string' && address.postalCode !== '' ? [element('postalCode', {}, [address.postalCode])] : []),
  ]);
}

/** `<telecom>`: the value without whitespace, as a `tel:` URI whatever its system (as EPS writes it). */
export function hl7Telecom(telecom: unknown, path: string): XmlElement | undefined {
  if (!isObject(telecom)) {
    return undefined;
  }
  const raw = typeof telecom.value === 'string' ? telecom.value.replace(/\s/g, '') : undefined;
  return element('telecom', {
    use: mapUse(TELECOM_USE, telecom.use, path),
    value: raw === undefined ? undefined : raw.startsWith('tel:') ? raw : `tel:${raw}`,
  });
}

/** Applies `convert` to each element of an array field, passing each element's JSON path. */
export function eachOf<T>(value: unknown, path: string, convert: (item: unknown, itemPath: string) => T): T[] {
  return asArray(value).map((item, index) => convert(item, `${path}[${index}]`));
}

export function firstOf(value: unknown): unknown {
  return asArray(value)[0];
}

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}
