import { InvalidContentError } from '../content-error.js';
import { parseJsonLossless } from './lossless-json.js';

/** Larger than any real prescription Bundle (a four-item one is about 22 KB). */
export const MAX_BUNDLE_BYTES = 2 * 1024 * 1024;

/** A FHIR resource as parsed JSON, with the JSON path it was found at (for error messages). */
export interface Located<T = Record<string, unknown>> {
  resource: T;
  path: string;
}

type Json = Record<string, unknown>;

/**
 * A prescription-order Bundle, indexed for the translation.
 *
 * It reads the JSON once, checks the shape it relies on, and resolves references the way EPS does: by
 * `fullUrl` (urn:uuid) or by identifier where the reference carries one instead.
 */
export class PrescriptionBundle {
  private readonly byUrl = new Map<string, Located>();
  private readonly entries: Located[] = [];

  private constructor(public readonly json: Json) {
    const entries = json.entry;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new InvalidContentError('entry', 'The Bundle has no entries');
    }
    entries.forEach((entry: unknown, index) => {
      const path = `entry[${index}]`;
      if (!isObject(entry) || !isObject(entry.resource) || typeof entry.resource.resourceType !== 'string') {
        throw new InvalidContentError(path, 'Each entry needs a resource with a resourceType');
      }
      const located = { resource: entry.resource, path: `${path}.resource` };
      this.entries.push(located);
      if (typeof entry.fullUrl === 'string') {
        this.byUrl.set(entry.fullUrl, located);
      }
    });
  }

  public static parse(text: string): PrescriptionBundle {
    // UTF-8 takes at most three bytes per UTF-16 unit: count bytes only when the length cannot settle it.
    if (text.length * 3 > MAX_BUNDLE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_BUNDLE_BYTES) {
      throw new InvalidContentError('$', `The Bundle is larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB`);
    }
    const json = parseJsonLossless(text);
    if (!isObject(json) || json.resourceType !== 'Bundle') {
      throw new InvalidContentError('resourceType', 'The content is not a FHIR Bundle');
    }
    return new PrescriptionBundle(json);
  }

  public all(resourceType: string): Located[] {
    return this.entries.filter((e) => e.resource.resourceType === resourceType);
  }

  public one(resourceType: string): Located {
    const [first] = this.all(resourceType);
    if (!first) {
      throw new InvalidContentError('entry', `The Bundle has no ${resourceType}`);
    }
    return first;
  }

  /** Resolves `{reference}` (a fullUrl) or `{identifier}` to the resource of `resourceType` it names. */
  public resolve(from: Located, field: string, resourceType: string): Located {
    const value = getPath(from.resource, field);
    const path = `${from.path}.${field}`;
    if (!isObject(value)) {
      throw new InvalidContentError(path, `A reference to a ${resourceType} is missing`);
    }
    if (typeof value.reference === 'string') {
      const target = this.byUrl.get(value.reference);
      if (!target || target.resource.resourceType !== resourceType) {
        throw new InvalidContentError(path, `The reference "${value.reference}" names no ${resourceType} in the Bundle`);
      }
      return target;
    }
    if (isObject(value.identifier)) {
      const wanted = value.identifier;
      const target = this.all(resourceType).find((candidate) =>
        asArray(candidate.resource.identifier).some(
          (id) => isObject(id) && id.system === wanted.system && id.value === wanted.value,
        ),
      );
      if (target) {
        return target;
      }
    }
    throw new InvalidContentError(path, `The reference names no ${resourceType} in the Bundle`);
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Paths are a few dozen literals in the translation; each is split once. */
const splitPaths = new Map<string, (string | number)[]>();

function stepsOf(path: string): (string | number)[] {
  let steps = splitPaths.get(path);
  if (!steps) {
    steps = path.split(/\.|(?=\[)/).map((step) => {
      const index = /^\[(\d+)\]$/.exec(step);
      return index ? Number(index[1]) : step;
    });
    splitPaths.set(path, steps);
  }
  return steps;
}

/** Reads `a.b[0].c` from parsed JSON; undefined where any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const step of stepsOf(path)) {
    if (typeof step === 'number') {
      current = Array.isArray(current) ? current[step] : undefined;
    } else if (isObject(current)) {
      current = Object.hasOwn(current, step) ? current[step] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/** The value of the first identifier with `system`, if any. */
export function identifierValue(resource: Json, system: string): string | undefined {
  const found = asArray(resource.identifier).find((id) => isObject(id) && id.system === system);
  return isObject(found) && typeof found.value === 'string' ? found.value : undefined;
}

/** The first extension with `url` (looking only at this level). */
export function extension(resource: unknown, url: string): Json | undefined {
  const found = asArray(isObject(resource) ? resource.extension : undefined).find((e) => isObject(e) && e.url === url);
  return isObject(found) ? found : undefined;
}

export function stringAt(resource: unknown, path: string): string | undefined {
  const value = getPath(resource, path);
  return typeof value === 'string' ? value : undefined;
}

