import fs from 'node:fs/promises';
import { CompanionError } from '../errors.js';
import { KNOWN_POLICY_KEYS, PolicySchema, type Policy } from './policy-schema.js';

export interface LoadedPolicy {
  policy: Policy;
  /** Where it came from: the file's path, or null when no file exists and the defaults apply. */
  source: string | null;
  /** Things an admin should know that do not stop the companion (unknown keys). */
  notices: string[];
}

/**
 * Reads and validates the machine policy.
 *
 * A missing file means "no policy": the defaults (the sandbox) apply. A file that exists but cannot be read
 * or does not validate stops the companion with a message naming the file and the key, because running with
 * a half-understood policy could send a clinician's signature to the wrong environment.
 */
export async function loadPolicy(file: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { policy: PolicySchema.parse({}), source: null, notices: [] };
    }
    throw new CompanionError(
      'POLICY_UNREADABLE',
      `The machine policy ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}). Ask your IT team to check it.`,
      { cause: err },
    );
  }
  return { ...parsePolicy(text, file), source: file };
}

export function parsePolicy(text: string, file: string): { policy: Policy; notices: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CompanionError(
      'POLICY_INVALID',
      `The machine policy ${file} is not valid JSON (${(err as Error).message}). Ask your IT team to correct it.`,
      { cause: err },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CompanionError('POLICY_INVALID', `The machine policy ${file} must be a JSON object.`);
  }
  const result = PolicySchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new CompanionError(
      'POLICY_INVALID',
      `The machine policy ${file} has an invalid value for "${key}": ${issue?.message ?? 'invalid'}. Ask your IT team to correct it.`,
    );
  }
  const notices = Object.keys(raw)
    .filter((key) => !KNOWN_POLICY_KEYS.includes(key))
    .map((key) => `The machine policy key "${key}" is not known to this version and was ignored.`);
  return { policy: result.data, notices };
}
