import { describe, expect, it } from 'vitest';
import { InvalidContentError } from '../../../../main/prescriptions/content-error.js';
import { parseJsonLossless, rawNumberText } from '../../../../main/prescriptions/fhir/lossless-json.js';
import { parsePrescription, prepare } from '../../../../main/prescriptions/prescription.js';
import { prepareCases } from '../../../support/eps-corpus.js';

describe('parseJsonLossless', () => {
  it('reads every corpus Bundle exactly as JSON.parse does', () => {
    for (const { request } of prepareCases()) {
      expect(parseJsonLossless(request)).toEqual(JSON.parse(request));
    }
  });

  it('keeps each number as written when a "value" is written other than canonically', () => {
    const value = parseJsonLossless('{"value": 28.0, "b": [1e2, -0.50], "c": 7}') as { value: number; b: number[] };
    expect(value.value).toBe(28);
    expect(rawNumberText(value, 'value')).toBe('28.0');
    expect(rawNumberText(value.b, 0)).toBe('1e2');
    expect(rawNumberText(value.b, 1)).toBe('-0.50');
    expect(rawNumberText(value, 'c')).toBe('7');
  });

  it('takes the fast path when no "value" needs its written form (only Quantity values are signed as written)', () => {
    const value = parseJsonLossless('{"value": 28, "other": 1.50}') as { value: number };
    expect(rawNumberText(value, 'value')).toBeUndefined();
    expect(String(value.value)).toBe('28');
    expect(rawNumberText(parseJsonLossless('{"value": -0}'), 'value')).toBe('-0');
  });

  it('treats "__proto__" as an ordinary key, as JSON.parse does', () => {
    const value = parseJsonLossless('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('reads JSON nested 100,000 deep without a stack overflow, and bounds depth where it walks', () => {
    expect(() => parseJsonLossless(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).not.toThrow();
    // A value written as "1.0" makes it walk the tree; then depth is refused with a typed error.
    expect(() => parseJsonLossless(`${'{"value":'.repeat(100_000)}1.0${'}'.repeat(100_000)}`)).toThrow(InvalidContentError);
    expect(() => parsePrescription('fhir-bundle', `${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toThrow(InvalidContentError);
  });

  it('refuses malformed JSON with the position', () => {
    for (const bad of ['', '{', '{"a" 1}', '[1,]', '{"a":1}x', '"abc', 'tru', '01', '{"a":-}']) {
      expect(() => parseJsonLossless(bad), bad).toThrow(/not valid JSON|deeper/);
    }
  });
});

describe('quantities are signed as written', () => {
  it('"28.0" is signed as 28.0, not 28, so it gives a different digest', () => {
    const base = prepareCases()[3]!;
    const written = base.request.replace(/"quantity":\s*\{\s*"value":\s*(\d+)/, '"quantity": {"value": $1.0');
    expect(written).not.toBe(base.request);
    const prepared = prepare(parsePrescription('fhir-bundle', written), { timestamp: base.timestamp });
    expect(prepared.fragments.lineItems[0]).toMatch(/<quantity unit="1" value="\d+\.0">/);
    expect(prepared.digest).not.toBe(base.digest);
  });
});
