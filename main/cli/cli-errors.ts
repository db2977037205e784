import { CompanionRpcError } from '../client/companion-client.js';
import { describeError } from '../errors.js';
import { InvalidContentError } from '../prescriptions/content-error.js';

export class UsageError extends Error {}

/** The one line a person sees when a command fails, and its exit code (2 for usage, 1 otherwise). */
export function cliFailure(err: unknown): { message: string; exitCode: number } {
  const code = (err as { code?: unknown }).code;
  if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    return { message: (err as Error).message, exitCode: 2 };
  }
  if (err instanceof CompanionRpcError) {
    return { message: `${err.name}: ${err.message}`, exitCode: 1 };
  }
  if (err instanceof InvalidContentError || (err instanceof Error && err.message.startsWith('Signing Companion is not running'))) {
    return { message: err.message, exitCode: 1 };
  }
  if (code === 'ECONNREFUSED') {
    return { message: 'Signing Companion is not answering on that pipe.', exitCode: 1 };
  }
  if (code === 'ENOENT') {
    return { message: `No such file: ${(err as NodeJS.ErrnoException).path ?? ''}`, exitCode: 1 };
  }
  return { message: describeError(err).message, exitCode: 1 };
}
