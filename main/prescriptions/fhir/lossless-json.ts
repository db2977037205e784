import { InvalidContentError } from '../content-error.js';

/** Deeper than any FHIR Bundle (about 12 levels); bounds every later walk of the tree. */
export const MAX_JSON_DEPTH = 128;

const rawNumbers = new WeakMap<object, Map<string, string>>();

/**
 * The number exactly as it was written in the JSON (`28.0` stays "28.0").
 *
 * EPS reads Bundles losslessly and signs quantities as written, so the companion must too: `JSON.parse`
 * alone would turn `28.0` into `28` and change the signed bytes.
 */
export function rawNumberText(container: unknown, key: string | number): string | undefined {
  return typeof container === 'object' && container !== null ? rawNumbers.get(container)?.get(String(key)) : undefined;
}

const INTEGER_KEY = /^(0|[1-9]\d*)$/;
// The only numbers whose written form EPS signs are Quantity values (`"value": 28.0`); every other number
// is used as a number. So the exact path is needed only when a "value" is written with a fraction, an
// exponent or as minus zero. The literal "value" lets the regular expression engine skip ahead quickly.
const MAYBE_UNUSUAL_NUMBER = /"value"\s*:\s*-?(?:\d+(?:\.\d|[eE])|0\s*[,}\]])/;

/**
 * Parses JSON with the native parser (which copes with any depth without recursion) and remembers the
 * written form of numbers when a "value" may be written other than canonically. Only then is the text
 * scanned and the tree walked, with nesting bounded by MAX_JSON_DEPTH; each remembered text is checked to
 * be the same number the parser produced.
 */
export function parseJsonLossless(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidContentError('$', `The content is not valid JSON: ${(err as Error).message}`);
  }
  // Fast path: if nothing in the text could be a number written other than canonically ("28.0", "1e2",
  // "-0"), every number's written form is String(value) and there is nothing to remember.
  if (!MAYBE_UNUSUAL_NUMBER.test(text)) {
    return value;
  }
  const numbers: string[] = [];
  let depth = 0;
  let unusual = false;
  // One pass outside strings: brackets give the depth, numbers their written form.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, and any escaped character in it.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          i++;
        }
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new InvalidContentError('$', `The JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i + 1 < text.length && isNumberChar(text.charCodeAt(i + 1))) {
        i++;
      }
      const token = text.slice(start, i + 1);
      numbers.push(token);
      unusual ||= String(Number(token)) !== token;
    }
  }
  if (unusual) {
    const next = { index: 0 };
    record(value, numbers, next);
  }
  return value;
}

function isNumberChar(c: number): boolean {
  // digits, '.', 'e', 'E', '+', '-'
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/** Pairs numbers with their written form, walking in document order. */
function record(value: unknown, numbers: string[], next: { index: number }): void {
  if (typeof value !== 'object' || value === null) {
    return;
  }
  const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
  if (!Array.isArray(value) && keys.some((key) => INTEGER_KEY.test(key))) {
    // JavaScript enumerates integer-like keys first, which would break document order. FHIR has none.
    throw new InvalidContentError('$', 'The JSON uses numeric property names, which FHIR resources never have');
  }
  const raw = new Map<string, string>();
  for (const key of keys) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'number') {
      const written = numbers[next.index++];
      if (written === undefined || Number(written) !== child) {
        throw new InvalidContentError('$', 'The JSON numbers could not be read in order');
      }
      raw.set(key, written);
    } else {
      record(child, numbers, next);
    }
  }
  if (raw.size > 0) {
    rawNumbers.set(value, raw);
  }
}
