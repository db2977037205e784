import { InvalidContentError } from '../content-error.js';

/** Deeper than any FHIR Bundle (about 12 levels); bounds the recursion for hostile input. */
export const MAX_JSON_DEPTH = 128;

const rawNumbers = new WeakMap<object, Map<string, string>>();

/**
 * The number exactly as it was written in the JSON (`28.0` stays "28.0").
 *
 * EPS reads Bundles losslessly and signs quantities as written, so the companion must too: `JSON.parse`
 * would turn `28.0` into `28` and change the signed bytes.
 */
export function rawNumberText(container: unknown, key: string | number): string | undefined {
  return typeof container === 'object' && container !== null ? rawNumbers.get(container)?.get(String(key)) : undefined;
}

/**
 * Parses JSON like `JSON.parse`, additionally remembering each number's source text and refusing nesting
 * deeper than MAX_JSON_DEPTH with a typed error (never a stack overflow).
 */
export function parseJsonLossless(text: string): unknown {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.at < text.length) {
    parser.fail('unexpected text after the JSON value');
  }
  return value;
}

class Parser {
  public at = 0;

  constructor(private readonly text: string) {}

  public value(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) {
      throw new InvalidContentError('$', `The JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const char = this.text[this.at];
    switch (char) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return Number(this.number());
    }
  }

  public skipSpace(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at] as string)) {
      this.at++;
    }
  }

  public fail(what: string): never {
    throw new InvalidContentError('$', `The content is not valid JSON: ${what} at position ${this.at}`);
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const raw = new Map<string, string>();
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') {
        this.fail('expected a property name');
      }
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      const start = this.at;
      const value = this.value(depth + 1);
      if (typeof value === 'number') {
        raw.set(key, this.text.slice(start, this.at));
      }
      // defineProperty, so a "__proto__" key is data, as JSON.parse treats it.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect('}');
      break;
    }
    if (raw.size > 0) {
      rawNumbers.set(result, raw);
    }
    return result;
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    const raw = new Map<string, string>();
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const start = this.at;
      const value = this.value(depth + 1);
      if (typeof value === 'number') {
        raw.set(String(result.length), this.text.slice(start, this.at));
      }
      result.push(value);
      this.skipSpace();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      break;
    }
    if (raw.size > 0) {
      rawNumbers.set(result, raw);
    }
    return result;
  }

  private string(): string {
    const start = this.at;
    this.at++;
    for (;;) {
      const char = this.text[this.at];
      if (char === undefined) {
        this.fail('unterminated string');
      }
      if (char === '\\') {
        this.at += 2;
      } else if (char === '"') {
        this.at++;
        break;
      } else {
        this.at++;
      }
    }
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      return this.fail('malformed string');
    }
  }

  private number(): string {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (!match) {
      return this.fail('unexpected character');
    }
    this.at += match[0].length;
    return match[0];
  }

  private literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.at)) {
      this.at += word.length;
      return value;
    }
    return this.fail('unexpected character');
  }

  private expect(char: string): void {
    if (this.text[this.at] !== char) {
      this.fail(`expected "${char}"`);
    }
    this.at++;
  }
}
