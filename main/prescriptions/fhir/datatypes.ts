import { element, type XmlElement } from '../xml/xml-tree.js';
import { asArray, isObject } from './bundle.js';

/** FHIR `use` codes as HL7 V3 writes them. */
const ADDRESS_USE: Record<string, string> = { home: 'H', work: 'WP', temp: 'TMP', billing: 'PST' };
const TELECOM_USE: Record<string, string> = { home: 'H', work: 'WP', temp: 'TMP', mobile: 'MC' };
const NAME_USE: Record<string, string> = { usual: 'L', official: 'L', nickname: 'PREFERRED', temp: 'L', anonymous: 'L' };

/** `<name>`: prefixes, given names and family name, in that order, as EPS writes them. */
export function hl7Name(name: unknown, withUse: boolean): XmlElement | undefined {
  if (!isObject(name)) {
    return undefined;
  }
  const parts = [
    ...strings(name.prefix).map((p) => element('prefix', {}, [p])),
    ...strings(name.given).map((g) => element('given', {}, [g])),
    ...(typeof name.family === 'string' ? [element('family', {}, [name.family])] : []),
    ...strings(name.suffix).map((s) => element('suffix', {}, [s])),
  ];
  const use = withUse && typeof name.use === 'string' ? NAME_USE[name.use] : undefined;
  return element('name', { use }, parts);
}

/** `<addr>`: every line, then city and district as further lines, then the postcode. */
export function hl7Address(address: unknown): XmlElement | undefined {
  if (!isObject(address)) {
    return undefined;
  }
  const lines = [...strings(address.line), ...strings([address.city, address.district])];
  return element('addr', { use: typeof address.use === 'string' ? ADDRESS_USE[address.use] : undefined }, [
    ...lines.map((line) => element('streetAddressLine', {}, [line])),
    ...(typeof address.postalCode === 'string' ? [element('postalCode', {}, [address.postalCode])] : []),
  ]);
}

/** `<telecom>`: `tel:` and the number without spaces. */
export function hl7Telecom(telecom: unknown): XmlElement | undefined {
  if (!isObject(telecom) || typeof telecom.value !== 'string') {
    return undefined;
  }
  const scheme = telecom.system === 'email' ? 'mailto:' : 'tel:';
  return element('telecom', {
    use: typeof telecom.use === 'string' ? TELECOM_USE[telecom.use] : undefined,
    value: `${scheme}${telecom.value.replace(/\s/g, '')}`,
  });
}

export function firstOf(value: unknown): unknown {
  return asArray(value)[0];
}

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}
