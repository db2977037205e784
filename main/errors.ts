/**
 * Typed errors of the companion.
 *
 * Every failure a person can meet carries a stable code and a plain message written for them. Stack traces
 * stay in the log; `describeError` is what reaches a screen, a terminal or the pipe.
 */
export type CompanionErrorCode =
  | 'POLICY_UNREADABLE'
  | 'POLICY_INVALID'
  | 'ALREADY_RUNNING'
  | 'ENDPOINT_IN_USE'
  | 'ENDPOINT_PATH_TOO_LONG'
  | 'UI_BUILD_MISSING'
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_CHANNEL'
  | 'INTERNAL';

export class CompanionError extends Error {
  public readonly code: CompanionErrorCode;

  constructor(code: CompanionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CompanionError';
    this.code = code;
  }
}

export interface ErrorDescription {
  code: CompanionErrorCode;
  message: string;
}

/** The code and message to show for any thrown value; unexpected errors never leak their internals. */
export function describeError(err: unknown): ErrorDescription {
  if (err instanceof CompanionError) {
    return { code: err.code, message: err.message };
  }
  return {
    code: 'INTERNAL',
    message: 'Something went wrong inside Signing Companion. Details are in its log.',
  };
}
